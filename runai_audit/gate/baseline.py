"""Baselines: accept today's findings as known debt, and fail only on new ones.

A baseline is a JSON file of fingerprints (see judge/fingerprint.py), written by `runai-audit baseline
create` and committed next to the code. On later scans a finding whose fingerprint is listed is
marked suppressed (it stays in the report). An entry that matches nothing any more means the debt
was paid: it becomes a note (RA904) so the file gets regenerated and cannot hide a regression.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from runai_audit import __version__
from runai_audit.atomic import write_atomically
from runai_audit.gate.config import display_path
from runai_audit.judge.fingerprint import assign_fingerprints
from runai_audit.limits import MAX_DATA_BYTES, MAX_DEPTH, InputLimit, check_depth, read_capped
from runai_audit.models import Finding, Location, Severity, Status, Suppression

__all__ = [
    "SCHEMA_VERSION",
    "Baseline",
    "BaselineEntry",
    "BaselineError",
    "apply_baseline",
    "create_baseline",
    "read_baseline",
    "write_baseline",
]

SCHEMA_VERSION = 1
STALE_RULE = "RA904"
# Findings about suppressions themselves never go into a baseline: they are fixed, not parked.
_NOT_BASELINED = frozenset({"RA901", "RA902", "RA903", STALE_RULE})
_ENTRY_KEYS = ("fingerprint", "rule_id", "path", "subject")


class BaselineError(Exception):
    """A baseline file that cannot be used; `str()` names the file and the reason."""

    def __init__(self, file: str, reason: str) -> None:
        self.file = file
        self.reason = reason
        super().__init__(file, reason)

    def __str__(self) -> str:
        return f"{self.file}: {self.reason}"


@dataclass(frozen=True)
class BaselineEntry:
    fingerprint: str
    rule_id: str
    path: str
    subject: str
    line: int = 0  # where the entry's fingerprint sits in the baseline file, for RA904
    column: int = 0


@dataclass(frozen=True)
class Baseline:
    path: str  # relative to the working folder when under it, POSIX separators
    entries: tuple[BaselineEntry, ...]
    created: str = ""
    tool_version: str = ""


def create_baseline(findings: Sequence[Finding], created: datetime | None = None) -> dict[str, Any]:
    """The JSON document for a baseline of every unsuppressed finding.

    Fingerprints are assigned first when any finding lacks one, over the whole list so the
    occurrence ranks match those of a later scan.
    """
    if any(not f.fingerprint for f in findings):
        findings = assign_fingerprints(findings)
    when = created or datetime.now(timezone.utc)
    entries = sorted(
        (
            {"fingerprint": f.fingerprint, "rule_id": f.rule_id, "path": f.location.path, "subject": f.subject}
            for f in findings
            if not f.suppressed and f.rule_id not in _NOT_BASELINED
        ),
        key=lambda e: (e["path"], e["rule_id"], e["subject"], e["fingerprint"]),
    )
    return {
        "schema_version": SCHEMA_VERSION,
        "created": when.isoformat(timespec="seconds"),
        "tool_version": __version__,
        "entries": entries,
    }


def write_baseline(doc: dict[str, Any], path: Path) -> None:
    """Write atomically (a reader never sees half a file), two-space indented, stable order."""
    write_atomically(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def read_baseline(path: Path) -> Baseline:
    """Read and check a baseline; its path is shown relative to the working folder when under it."""
    shown = display_path(path)
    try:
        text = read_capped(path, MAX_DATA_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError, InputLimit) as exc:
        raise BaselineError(shown, f"cannot be read: {exc}") from None
    try:
        doc = json.loads(text)
        check_depth(doc, "the baseline")
    except json.JSONDecodeError as exc:
        raise BaselineError(shown, f"is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except (InputLimit, RecursionError):
        raise BaselineError(shown, f"nests deeper than {MAX_DEPTH} levels") from None
    if not isinstance(doc, dict):
        raise BaselineError(shown, "must be a JSON object with schema_version and entries")
    version = doc.get("schema_version")
    if version != SCHEMA_VERSION:
        raise BaselineError(shown, f"has schema_version {version!r}; this runai-audit reads {SCHEMA_VERSION}")
    raw_entries = doc.get("entries")
    if not isinstance(raw_entries, list):
        raise BaselineError(shown, "'entries' must be a list")
    entries = tuple(_entry(shown, text, i, raw) for i, raw in enumerate(raw_entries))
    return Baseline(
        path=shown,
        entries=entries,
        created=str(doc.get("created", "")),
        tool_version=str(doc.get("tool_version", "")),
    )


def _entry(shown: str, text: str, index: int, raw: Any) -> BaselineEntry:
    if not isinstance(raw, dict):
        raise BaselineError(shown, f"entries[{index}] must be an object")
    for key in _ENTRY_KEYS:
        if not isinstance(raw.get(key), str):
            raise BaselineError(shown, f"entries[{index}].{key} must be a string")
    if not raw["fingerprint"]:
        raise BaselineError(shown, f"entries[{index}].fingerprint is empty")
    line, column = _position_of(text, json.dumps(raw["fingerprint"]))
    return BaselineEntry(
        fingerprint=raw["fingerprint"],
        rule_id=raw["rule_id"],
        path=raw["path"],
        subject=raw["subject"],
        line=line,
        column=column,
    )


def _position_of(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the first occurrence of needle, (0, 0) when absent."""
    offset = text.find(needle)
    if offset < 0:
        return 0, 0
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def apply_baseline(
    findings: Sequence[Finding],
    baseline: Baseline,
    scanned_paths: Collection[str] | None = None,
    legacy_paths: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Mark findings whose fingerprint is in the baseline; add an RA904 note per stale entry.

    A finding already suppressed (inline, exemption) keeps that suppression but still counts as
    present, so its entry is not called stale. Fingerprints are assigned first when missing.
    `scanned_paths`, when given, limits staleness to entries for files this scan read: a scan of
    a few files (pre-commit, --changed-since) says nothing about the others. `legacy_paths` maps
    a finding path to the name earlier versions gave that file (relative to the working
    directory, not the repository root): an entry written under that name still matches.
    """
    if any(not f.fingerprint for f in findings):
        findings = assign_fingerprints(findings)
    legacy = _legacy_fingerprints(findings, legacy_paths or {})
    listed = {e.fingerprint for e in baseline.entries}
    present: set[str] = set()
    suppression = Suppression(kind="baseline", reason=f"in baseline {baseline.path}")
    out: list[Finding] = []
    for finding, old in zip(findings, legacy, strict=True):
        matched = finding.fingerprint if finding.fingerprint in listed else old if old in listed else None
        if matched is not None:
            present.add(matched)
            if finding.suppression is None:
                finding = replace(finding, suppression=suppression)
        out.append(finding)
    if scanned_paths is not None and legacy_paths:
        scanned_paths = {*scanned_paths, *(legacy_paths.get(p, p) for p in scanned_paths)}
    out.extend(
        _stale(baseline, e)
        for e in baseline.entries
        if e.fingerprint not in present and (scanned_paths is None or e.path in scanned_paths)
    )
    return out


def _legacy_fingerprints(findings: Sequence[Finding], legacy_paths: Mapping[str, str]) -> list[str | None]:
    """Per finding, its fingerprint under the file's legacy name (None when the name is the same).
    A whole file is renamed at once, so occurrence ranks stay what they were."""
    if not legacy_paths or not any(f.location.path in legacy_paths for f in findings):
        return [None] * len(findings)
    renamed = assign_fingerprints([
        replace(f, location=replace(f.location, path=legacy_paths.get(f.location.path, f.location.path)))
        for f in findings
    ])
    return [
        old.fingerprint if f.location.path in legacy_paths else None for f, old in zip(findings, renamed, strict=True)
    ]


def _stale(baseline: Baseline, entry: BaselineEntry) -> Finding:
    return Finding(
        rule_id=STALE_RULE,
        severity=Severity.NOTE,
        status=Status.TOOL,
        message=(
            f"Baseline entry for {entry.rule_id} '{entry.subject}' in {entry.path} matches no finding "
            "any more (the debt was paid); regenerate the baseline with `runai-audit baseline create`."
        ),
        subject=f"{entry.rule_id} {entry.subject} in {entry.path}",
        replacement="none",
        location=Location(path=baseline.path, line=entry.line, column=entry.column),
    )
