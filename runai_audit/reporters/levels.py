"""Severity mapped to each output format's vocabulary, and the fail-on gate, in one place.

Every reporter asks here instead of spelling its own table, so a change of policy (say, a new
GitLab level for removed APIs) is one edit.
"""

from __future__ import annotations

from runai_audit.models import Finding, Severity, Status

# Values of Report.fail_on that switch the gate off.
_NO_GATE = frozenset({"never", "none", "off"})


def fail_threshold(fail_on: str) -> int | None:
    """The lowest severity rank that fails the gate, or None when nothing fails."""
    if fail_on in _NO_GATE:
        return None
    try:
        return Severity(fail_on).rank
    except ValueError:
        valid = ", ".join([s.value for s in Severity] + sorted(_NO_GATE))
        raise ValueError(f"unknown fail-on level {fail_on!r}; valid: {valid}") from None


def fails_gate(finding: Finding, fail_on: str) -> bool:
    """True when the finding counts against the gate: unsuppressed and at or above fail_on."""
    threshold = fail_threshold(fail_on)
    return threshold is not None and not finding.suppressed and finding.severity.rank >= threshold


def sarif_level(severity: Severity) -> str:
    """SARIF result.level: error | warning | note (the names happen to match ours)."""
    return {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}[severity]


def github_command(severity: Severity) -> str:
    """GitHub workflow command name: error | warning | notice."""
    return {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "notice"}[severity]


def gitlab_severity(finding: Finding) -> str:
    """GitLab Code Quality severity. A use of something already removed blocks the merge;
    suppressed findings stay listed but only as info."""
    if finding.suppressed:
        return "info"
    if finding.severity is Severity.ERROR:
        return "blocker" if finding.status is Status.REMOVED else "major"
    return "minor" if finding.severity is Severity.WARNING else "info"


def severities_worst_first() -> tuple[Severity, ...]:
    return tuple(sorted(Severity, key=lambda s: -s.rank))
