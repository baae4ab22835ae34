"""The headline numbers and the one sentence a reader of a report needs first."""

from __future__ import annotations

from collections import Counter

from runai_audit.models import Finding, Report, Status
from runai_audit.reporters.common import plural


def status_counts(report: Report) -> dict[str, int]:
    """Unsuppressed findings by status, every status present (0 when none)."""
    counts = Counter(f.status.value for f in report.findings if not f.suppressed)
    return {s.value: counts.get(s.value, 0) for s in Status}


def severity_by_status(report: Report) -> dict[str, dict[str, int]]:
    """{status: {severity: count}} over unsuppressed findings, for a summary matrix."""
    table: dict[str, dict[str, int]] = {}
    for f in report.findings:
        if f.suppressed:
            continue
        row = table.setdefault(f.status.value, {"error": 0, "warning": 0, "note": 0})
        row[f.severity.value] += 1
    return {s.value: table[s.value] for s in Status if s.value in table}


def _uses(findings: list[Finding], kind: str) -> str:
    """ "4 uses of 2 removed APIs in 3 files"."""
    subjects = {f.subject for f in findings}
    files = {f.location.path for f in findings}
    apis = f"{len(subjects)} {kind} API" + ("s" if len(subjects) != 1 else "")
    return f"{plural(len(findings), 'use')} of {apis} in {plural(len(files), 'file')}"


def _next_break(findings: list[Finding], releases: tuple[tuple[str, str], ...]) -> str:
    """ "in 2.25 (2026-04-28)" / "on 2026-04-28" for the soonest end of support, or ""."""
    order = {version: i for i, (version, _) in enumerate(releases)}
    dates = dict(releases)
    best: tuple[str, int, str] | None = None
    for f in findings:
        if not (f.breaks_in or f.sunset):
            continue
        when = f.sunset or dates.get(f.breaks_in or "", "") or "9999"
        key = (when, order.get(f.breaks_in or "", 10**6), f.breaks_in or "")
        best = key if best is None or key < best else best
    if best is None:
        return ""
    when, _, version = best
    if version:
        return f"in {version} ({when})" if when != "9999" else f"in {version}"
    return f"on {when}"


def breaks_sentence(report: Report) -> str:
    """What breaks at the target, in one sentence."""
    active = [f for f in report.findings if not f.suppressed]
    target = f"{report.target.deployment} {report.target.version}"
    removed = [f for f in active if f.status is Status.REMOVED]
    deprecated = [f for f in active if f.status is Status.DEPRECATED]
    unsupported = [f for f in active if f.status is Status.UNSUPPORTED]
    if removed:
        verb = "fails" if len(removed) == 1 else "fail"
        text = f"At {target}, {_uses(removed, 'removed')} {verb}"
    else:
        text = f"At {target}, nothing this scan found is removed"
    if deprecated:
        verb = "works" if len(deprecated) == 1 else "work"
        text += f"; {_uses(deprecated, 'deprecated')} still {verb}"
        soonest = _next_break(deprecated, report.releases)
        if soonest:
            text += f", the first stops working {soonest}"
    if unsupported:
        text += f"; {plural(len(unsupported), 'use')} of APIs no published spec lists"
    return text + "."
