"""The CI gate: which exit code a finished report earns, and per-rule severity overrides.

Exit codes: 0 nothing unsuppressed at or above --fail-on; 1 something is; 3 under --strict when
some input could not be read or parsed (the scan is incomplete, so a pass would be a lie).
Usage errors (2) are click's, before a report exists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from runai_audit.models import Finding, Report, Severity

__all__ = ["FAIL_ON_CHOICES", "apply_severity_overrides", "exit_code", "gate_severity"]

FAIL_ON_CHOICES = ("error", "warning", "note", "never")
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INCOMPLETE = 3


def exit_code(
    report: Report,
    fail_on: str,
    *,
    strict: bool,
    sunset_within: int | None = None,
    today: date | None = None,
) -> int:
    """The exit code for a report. `today` defaults to the report's as-of date (no clock here)."""
    if fail_on not in FAIL_ON_CHOICES:
        raise ValueError(f"fail_on must be one of {', '.join(FAIL_ON_CHOICES)}, got {fail_on!r}")
    if strict and report.coverage.errors:
        return EXIT_INCOMPLETE
    if fail_on == "never":
        return EXIT_OK
    threshold = Severity(fail_on).rank
    day = today
    if day is None:  # only a sunset window needs a date, and then the report's as-of is "today"
        day = date.fromisoformat(report.target.as_of[:10]) if sunset_within is not None else date.min
    for finding in report.findings:
        if not finding.suppressed and gate_severity(finding, sunset_within, day).rank >= threshold:
            return EXIT_FINDINGS
    return EXIT_OK


def gate_severity(finding: Finding, sunset_within: int | None, today: date) -> Severity:
    """The severity the gate counts: an error when the sunset is past or within the window."""
    if sunset_within is None or not finding.sunset:
        return finding.severity
    try:
        sunset = date.fromisoformat(finding.sunset[:10])
    except ValueError:
        return finding.severity  # an unreadable date escalates nothing rather than everything
    if (sunset - today).days <= sunset_within:
        return Severity.ERROR
    return finding.severity


def apply_context_levels(findings: Sequence[Finding], levels: Mapping[str, str]) -> list[Finding]:
    """Cap the severity of findings written in docs or comments; "off" drops them."""
    out: list[Finding] = []
    for finding in findings:
        level = levels.get(finding.context)
        if level == "off":
            continue
        if level is not None and Severity(level).rank < finding.severity.rank:
            finding = replace(finding, severity=Severity(level))
        out.append(finding)
    return out


def apply_severity_overrides(findings: Sequence[Finding], overrides: Mapping[str, str]) -> list[Finding]:
    """Set each overridden rule's severity; "off" drops its findings altogether."""
    for rule_id, level in overrides.items():
        if level != "off" and level not in {s.value for s in Severity}:
            raise ValueError(f"severity for {rule_id} must be error, warning, note or off, got {level!r}")
    out: list[Finding] = []
    for finding in findings:
        override = overrides.get(finding.rule_id)
        if override == "off":
            continue
        if override is not None and override != finding.severity.value:
            finding = replace(finding, severity=Severity(override))
        out.append(finding)
    return out
