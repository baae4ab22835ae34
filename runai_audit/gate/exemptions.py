"""Exemptions: suppressions kept in the config file, each with a reason, an owner and an expiry.

An exemption says "rule RA101 may fire under scripts/legacy/** until 2025-06-30, team X owns the
fix". While it is live it marks matching findings as suppressed (they stay in every report). The
day after it expires it stops applying and becomes a warning of its own (RA903), so debt that was
parked with a date cannot be forgotten silently.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from runai_audit.gate.globs import glob_match
from runai_audit.models import Finding, Location, Severity, Status, Suppression

__all__ = ["Exemption", "apply_exemptions", "glob_match"]

EXPIRED_RULE = "RA903"


@dataclass(frozen=True)
class Exemption:
    """One `exemptions:` entry of the config file.

    `path` is a gitignore-style pattern over finding paths (relative to the repository root, POSIX
    separators; see gate/globs.py): `*` and `?` stay inside one folder, `**` crosses folders, a
    pattern without a slash matches at any depth. `subject` is matched exactly or as an fnmatch
    glob; None matches every subject. `expires` is the last day on which it applies.
    `source`/`line`/`column` say where the entry was written, for the RA903 finding.
    """

    rule: str
    path: str
    reason: str
    owner: str
    expires: date
    subject: str | None = None
    source: str = ""
    line: int = 0
    column: int = 0

    def matches(self, finding: Finding) -> bool:
        if finding.rule_id != self.rule:
            return False
        if not glob_match(self.path, finding.location.path):
            return False
        if self.subject is None:
            return True
        return finding.subject == self.subject or fnmatch.fnmatchcase(finding.subject, self.subject)


def apply_exemptions(findings: Sequence[Finding], exemptions: Sequence[Exemption], today: date) -> list[Finding]:
    """Mark findings covered by a live exemption; add one RA903 warning per expired exemption.

    Findings that are already suppressed (an inline comment came first) keep their suppression.
    """
    live = [e for e in exemptions if today <= e.expires]
    out: list[Finding] = []
    for finding in findings:
        if finding.suppression is None:
            exemption = next((e for e in live if e.matches(finding)), None)
            if exemption is not None:
                finding = replace(finding, suppression=_suppression(exemption))
        out.append(finding)
    out.extend(_expired_finding(e) for e in exemptions if today > e.expires)
    return out


def _suppression(exemption: Exemption) -> Suppression:
    return Suppression(
        kind="exemption",
        reason=exemption.reason,
        owner=exemption.owner,
        expires=exemption.expires.isoformat(),
    )


def _expired_finding(exemption: Exemption) -> Finding:
    where = f"{exemption.rule} on '{exemption.path}'"
    if exemption.subject is not None:
        where += f" for '{exemption.subject}'"
    return Finding(
        rule_id=EXPIRED_RULE,
        severity=Severity.WARNING,
        status=Status.TOOL,
        message=(
            f"Exemption for {where} (owner: {exemption.owner}) expired on "
            f"{exemption.expires.isoformat()} and no longer applies; fix the findings or renew it."
        ),
        subject=f"exemption {where}",
        replacement="none",
        location=Location(path=exemption.source, line=exemption.line, column=exemption.column),
    )
