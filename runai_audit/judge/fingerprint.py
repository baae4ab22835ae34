"""Fingerprints: a finding's identity that survives edits around it, for baselines.

Line numbers are left out on purpose: inserting lines above a call, moving it within the file or
reformatting it must not make an accepted finding look new. What identifies a script finding is
the rule, the file, the subject and its rank among findings that share all three (the second
call to one deprecated endpoint in a file stays the second). The evidence line is left out too:
a formatter that splits a call over several lines changes the line the finding sits on. Traffic
findings are aggregated per subject, and their pointer and counts change with every capture, so
they are identified by rule, file and subject alone.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from runai_audit.models import Finding

__all__ = ["assign_fingerprints", "is_traffic", "normalise_evidence"]

_WHITESPACE = re.compile(r"\s+")
# A suppression comment added to a line later must not turn the line into a "new" finding.
_DIRECTIVE_COMMENT = re.compile(r"(?:#|//|<!--|/\*)?[ \t]*runai-audit:\s*ignore.*$", re.MULTILINE)
_TRAILING_COMMA = re.compile(r",(?=[)\]}])")
_SEPARATOR = "\x1f"  # cannot occur in a path or subject, so fields cannot run into each other


def is_traffic(finding: Finding) -> bool:
    """Recorded traffic: the location is a JSON pointer or the finding counts usage."""
    return bool(finding.location.pointer) or finding.usage is not None


def assign_fingerprints(findings: Sequence[Finding]) -> list[Finding]:
    """The same findings, in the same order, each with `fingerprint` set (16 hex digits)."""
    file_order = sorted(range(len(findings)), key=lambda i: _position(findings[i]))
    occurrence: dict[int, int] = {}
    seen: Counter[tuple[str, ...]] = Counter()
    for index in file_order:
        key = _identity(findings[index])
        occurrence[index] = seen[key]
        seen[key] += 1
    return [
        replace(finding, fingerprint=_digest(_identity(finding), occurrence[i], is_traffic(finding)))
        for i, finding in enumerate(findings)
    ]


def _position(finding: Finding) -> tuple[str, int, int, str]:
    loc = finding.location
    return (loc.path, loc.line, loc.column, loc.pointer)


def _identity(finding: Finding) -> tuple[str, ...]:
    return (finding.rule_id, finding.location.path, finding.subject)


def normalise_evidence(evidence: str) -> str:
    """Evidence as a formatter cannot change it: `get( 'x', )` and `get("x")` are one; a
    `runai-audit: ignore` comment on the line is left out."""
    compact = _WHITESPACE.sub("", _DIRECTIVE_COMMENT.sub("", evidence))
    return _TRAILING_COMMA.sub("", compact).replace("'", '"')


def _digest(identity: tuple[str, ...], occurrence: int, traffic: bool) -> str:
    parts = list(identity)
    if not traffic or occurrence:  # a lone traffic finding hashes its identity alone
        parts.append(str(occurrence))
    return hashlib.sha256(_SEPARATOR.join(parts).encode("utf-8")).hexdigest()[:16]
