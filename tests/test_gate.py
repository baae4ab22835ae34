"""The exit-code policy and severity overrides."""

from __future__ import annotations

from datetime import date

import pytest

from runai_audit.gate.policy import apply_severity_overrides, exit_code, gate_severity
from runai_audit.models import (
    Coverage,
    Finding,
    InputProblem,
    Location,
    Provenance,
    Report,
    Severity,
    Status,
    Suppression,
    Target,
)

PROVENANCE = Provenance("runai-audit", "0.1.0", "2025.06", ("2.24",), "bundled")


def finding(
    severity: Severity, line: int = 1, sunset: str | None = None, suppression: Suppression | None = None
) -> Finding:
    return Finding(
        rule_id="RA101",
        severity=severity,
        status=Status.DEPRECATED,
        message="deprecated",
        subject="GET /v1/k8s/clusters",
        replacement="GET /api/v1/clusters",
        location=Location("a.py", line, 1),
        sunset=sunset,
        suppression=suppression,
    )


def report(findings: list[Finding], input_errors: int = 0, as_of: str = "2025-06-01") -> Report:
    problems = tuple(InputProblem(f"bad{i}.yaml", "not valid YAML", 3) for i in range(input_errors))
    return Report(
        target=Target("self-hosted", "2.24", as_of),
        provenance=PROVENANCE,
        findings=tuple(findings),
        coverage=Coverage(files_scanned=3, errors=problems),
    )


# Worst unsuppressed severity in the report -> exit code, per --fail-on. Written out in full on
# purpose: the table is the specification.
FINDINGS_TABLE = {
    ("error", "none"): 0, ("error", "note"): 0, ("error", "warning"): 0, ("error", "error"): 1,
    ("warning", "none"): 0, ("warning", "note"): 0, ("warning", "warning"): 1, ("warning", "error"): 1,
    ("note", "none"): 0, ("note", "note"): 1, ("note", "warning"): 1, ("note", "error"): 1,
    ("never", "none"): 0, ("never", "note"): 0, ("never", "warning"): 0, ("never", "error"): 0,
}
WORST = {
    "none": [],
    "note": [finding(Severity.NOTE)],
    "warning": [finding(Severity.NOTE), finding(Severity.WARNING, 2)],
    "error": [finding(Severity.WARNING), finding(Severity.ERROR, 2), finding(Severity.NOTE, 3)],
}
CASES = [
    (fail_on, worst, strict, input_errors, 3 if strict and input_errors else FINDINGS_TABLE[(fail_on, worst)])
    for (fail_on, worst) in FINDINGS_TABLE
    for strict in (False, True)
    for input_errors in (0, 2)
]


@pytest.mark.parametrize(
    ("fail_on", "worst", "strict", "input_errors", "expected"),
    CASES,
    ids=[f"fail_on={c[0]}-worst={c[1]}-strict={c[2]}-input_errors={c[3]}" for c in CASES],
)
def test_exit_code_table(fail_on: str, worst: str, strict: bool, input_errors: int, expected: int) -> None:
    # A suppressed error rides along in every case and must never count.
    suppressed = finding(Severity.ERROR, 9, suppression=Suppression("baseline", "in baseline b.json"))
    assert exit_code(report([*WORST[worst], suppressed], input_errors), fail_on, strict=strict) == expected


def test_exit_code_table_covers_every_combination() -> None:
    assert len(CASES) == 4 * 4 * 2 * 2
    assert {c[4] for c in CASES} == {0, 1, 3}


@pytest.mark.parametrize(
    ("severity", "sunset", "sunset_within", "expected"),
    [
        (Severity.WARNING, "2025-07-01", 30, 1),  # exactly 30 days away: inside the window
        (Severity.WARNING, "2025-07-02", 30, 0),  # 31 days away
        (Severity.WARNING, "2025-05-01", 30, 1),  # already past
        (Severity.WARNING, "2025-06-01", 0, 1),  # today, with a zero window
        (Severity.WARNING, "2025-06-02", 0, 0),
        (Severity.NOTE, "2025-06-15", 30, 1),  # a note escalates too
        (Severity.WARNING, None, 30, 0),  # no known sunset
        (Severity.WARNING, "soon", 30, 0),  # unreadable date escalates nothing
        (Severity.WARNING, "2025-06-15T00:00:00Z", 30, 1),  # a timestamp is read by its date
        (Severity.WARNING, "2025-06-15", None, 0),  # no window asked for
    ],
)
def test_sunset_window_escalates_to_error(
    severity: Severity, sunset: str | None, sunset_within: int | None, expected: int
) -> None:
    rep = report([finding(severity, sunset=sunset)])
    assert exit_code(rep, "error", strict=False, sunset_within=sunset_within, today=date(2025, 6, 1)) == expected


def test_sunset_window_uses_the_report_as_of_date_when_today_is_not_given() -> None:
    rep = report([finding(Severity.WARNING, sunset="2025-07-01")], as_of="2025-06-10")
    assert exit_code(rep, "error", strict=False, sunset_within=21) == 1
    assert exit_code(rep, "error", strict=False, sunset_within=20) == 0


def test_suppressed_finding_in_the_sunset_window_does_not_fail() -> None:
    rep = report([finding(Severity.WARNING, sunset="2025-06-05", suppression=Suppression("inline", "ok"))])
    assert exit_code(rep, "error", strict=False, sunset_within=30, today=date(2025, 6, 1)) == 0


def test_never_still_reports_an_incomplete_scan_under_strict() -> None:
    rep = report([finding(Severity.ERROR, sunset="2025-06-02")], input_errors=1)
    assert exit_code(rep, "never", strict=False, sunset_within=30) == 0
    assert exit_code(rep, "never", strict=True, sunset_within=30) == 3


def test_unknown_fail_on_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="fail_on must be one of error, warning, note, never, got 'fatal'"):
        exit_code(report([]), "fatal", strict=False)


def test_gate_severity() -> None:
    f = finding(Severity.NOTE, sunset="2025-06-20")
    assert gate_severity(f, 30, date(2025, 6, 1)) is Severity.ERROR
    assert gate_severity(f, 10, date(2025, 6, 1)) is Severity.NOTE
    assert gate_severity(f, None, date(2025, 6, 1)) is Severity.NOTE


# --------------------------------------------------------------------------- severity overrides


def test_apply_severity_overrides() -> None:
    findings = [
        finding(Severity.WARNING, 1),
        Finding("RA902", Severity.NOTE, Status.TOOL, "unused", "s", "none", Location("a.py", 2, 3)),
        Finding("RA201", Severity.WARNING, Status.DEPRECATED, "m", "s", "r", Location("a.py", 3, 1)),
        Finding("RA301", Severity.ERROR, Status.REMOVED, "m", "s", "r", Location("k.yaml", 1, 1)),
    ]
    out = apply_severity_overrides(findings, {"RA101": "error", "RA902": "off", "RA301": "error", "RA999": "note"})
    assert [(f.rule_id, f.location.line, f.severity) for f in out] == [
        ("RA101", 1, Severity.ERROR),
        ("RA201", 3, Severity.WARNING),
        ("RA301", 1, Severity.ERROR),
    ]
    assert out[2] is findings[3]  # unchanged findings are passed through, not copied


def test_apply_severity_overrides_rejects_unknown_levels() -> None:
    with pytest.raises(ValueError, match="severity for RA101 must be error, warning, note or off, got 'fatal'"):
        apply_severity_overrides([], {"RA101": "fatal"})
