"""An UpgradePlan as plain JSON data (the report's "upgrade" object), as text (the default
`upgrade` output) and as Markdown.

Uses of one subject are listed together under the release, with every place it is used, so a
reader sees "what to change" once and "where" underneath.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from runai_audit.models import Report
from runai_audit.reporters.common import one_line, plural, summary_line
from runai_audit.upgrade.plan import PlanItem, UpgradePlan

__all__ = ["plan_sections", "plan_to_dict", "render_markdown", "render_text", "with_plan"]


def _when(version: str, date: str) -> str:
    return f"{version} ({date})" if date else version


def plan_sections(plan: UpgradePlan) -> Iterator[tuple[str, tuple[PlanItem, ...]]]:
    """(heading, items) in reading order; empty sections are left out."""
    for step in plan.steps:
        if step.breaks:
            yield f"breaks in {_when(step.version, step.date)}", step.breaks
        if step.deprecated:
            yield f"becomes deprecated in {_when(step.version, step.date)}", step.deprecated
    if plan.already_broken:
        if plan.deployment == "saas":
            yield f"already past its sunset as of {plan.as_of}", plan.already_broken
        else:
            yield f"already broken at {plan.from_version}", plan.already_broken
    if plan.already_deprecated:
        yield (f"deprecated at {plan.from_version} already, still supported at {plan.to_version}",
               plan.already_deprecated)
    if plan.unsupported:
        yield "not in any published API spec (unsupported at every release)", plan.unsupported
    if plan.unplaced:
        yield "no release known", plan.unplaced


def _by_subject(items: Iterable[PlanItem]) -> list[tuple[str, str, list[PlanItem]]]:
    groups: dict[tuple[str, str], list[PlanItem]] = {}
    for item in sorted(items, key=lambda i: (i.finding.subject, i.finding.sort_key)):
        groups.setdefault((item.finding.subject, item.finding.replacement), []).append(item)
    return [(subject, replacement, found) for (subject, replacement), found in groups.items()]


def _use(replacement: str) -> str:
    """" -> use X", or nothing when there is no replacement ("none", "none named in ...")."""
    if not replacement or replacement.split(" ", 1)[0] == "none":
        return ""
    return f" -> use {one_line(replacement)}"


def headline(plan: UpgradePlan) -> str:
    broken = len(plan.breaking)
    deprecated = sum(len(s.deprecated) for s in plan.steps)
    text = f"{plural(broken, 'use')} break{'s' if broken == 1 else ''} by {plan.to_version}"
    if plan.already_broken:
        when = f"as of {plan.as_of}" if plan.deployment == "saas" else f"at {plan.from_version}"
        text += f" ({len(plan.already_broken)} already broken {when})"
    return text + f", {plural(deprecated, 'use')} become{'s' if deprecated == 1 else ''} deprecated on the way"


def render_text(plan: UpgradePlan, report: Report) -> str:
    lines = [f"Upgrade review: {plan.deployment} {plan.from_version} -> {plan.to_version}, as of {plan.as_of}"]
    for heading, items in plan_sections(plan):
        lines += ["", f"{heading}:"]
        for subject, replacement, found in _by_subject(items):
            lines.append(f"  {one_line(subject)}{_use(replacement)}")
            lines.extend(f"    {one_line(str(i.finding.location))} {i.finding.rule_id}" for i in found)
    if len(lines) == 1:
        lines += ["", f"nothing breaks or becomes deprecated between {plan.from_version} and {plan.to_version}"]
    lines += ["", f"{headline(plan)}; {summary_line(report)}"]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    flat = one_line(text).replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")
    return flat.replace("<", "&lt;").replace(">", "&gt;")


def render_markdown(plan: UpgradePlan, report: Report) -> str:
    lines = [
        f"# Upgrade review: {plan.deployment} {plan.from_version} → {plan.to_version}",
        "",
        f"As of {plan.as_of}. **{_cell(headline(plan))}.**",
    ]
    for heading, items in plan_sections(plan):
        lines += ["", f"## {heading[0].upper()}{heading[1:]}", "", "| What | Use instead | Where |", "|---|---|---|"]
        for subject, replacement, found in _by_subject(items):
            where = "<br>".join(f"`{_cell(str(i.finding.location))}` {i.finding.rule_id}" for i in found)
            lines.append(f"| `{_cell(subject)}` | {_cell(replacement)} | {where} |")
    lines += ["", _cell(summary_line(report)), ""]
    return "\n".join(lines)


def _item(item: PlanItem) -> dict[str, Any]:
    f = item.finding
    return {
        "fingerprint": f.fingerprint,
        "rule_id": f.rule_id,
        "severity": f.severity.value,
        "status": f.status.value,
        "subject": f.subject,
        "replacement": f.replacement,
        "location": {"path": f.location.path, "line": f.location.line, "column": f.location.column,
                     "pointer": f.location.pointer},
        "deprecated_in": f.deprecated_in,
        "breaks_in": f.breaks_in,
        "sunset": f.sunset,
        "basis": item.basis,
    }


def _items(items: Iterable[PlanItem]) -> list[dict[str, Any]]:
    return [_item(i) for i in sorted(items, key=lambda i: i.finding.sort_key)]


def plan_to_dict(plan: UpgradePlan) -> dict[str, Any]:
    """The plan as plain JSON data: the "upgrade" object of the JSON report and what the HTML reads."""
    in_window = sum(len(s.breaks) for s in plan.steps)
    return {
        "from": plan.from_version,
        "to": plan.to_version,
        "deployment": plan.deployment,
        "as_of": plan.as_of,
        "summary": {
            "breaking_by_to": len(plan.breaking),
            "break_in_window": in_window,
            "already_broken": len(plan.already_broken),
            "deprecated_in_window": sum(len(s.deprecated) for s in plan.steps),
            "already_deprecated": len(plan.already_deprecated),
            "unsupported": len(plan.unsupported),
            "unplaced": len(plan.unplaced),
            "suppressed": plan.suppressed,
        },
        "releases": [
            {"version": s.version, "date": s.date, "breaks": _items(s.breaks), "deprecated": _items(s.deprecated)}
            for s in plan.steps
        ],
        "already_broken": _items(plan.already_broken),
        "already_deprecated": _items(plan.already_deprecated),
        "unsupported": _items(plan.unsupported),
        "unplaced": _items(plan.unplaced),
    }


def with_plan(report: Report, plan: UpgradePlan) -> Report:
    """The report with the releases the plan worked out filled in and extras["upgrade"] set."""
    findings = tuple(plan.filled.get(f.fingerprint, f) if f.fingerprint else f for f in report.findings)
    extras = {**report.extras, "upgrade": plan_to_dict(plan)}
    return replace(report, findings=findings, extras=extras)
