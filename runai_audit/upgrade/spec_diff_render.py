"""A SpecDiff as text, JSON, Markdown or a small self-contained HTML page.

Every renderer is `render_*(diff) -> str`. Spec text (summaries, replacement notes) can come
from a user's file or a tenant URL, so the HTML goes through jinja2 with autoescape and the
Markdown escapes table cells.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from typing import Any

from runai_audit.reporters.common import one_line
from runai_audit.upgrade.spec_diff import (
    CHANGES,
    MEMBER_KINDS,
    MemberChange,
    OperationChange,
    SpecDiff,
    level_of,
)

__all__ = ["DIFF_FORMATS", "diff_to_dict", "render_diff"]

_MEMBER_TITLES = {"parameter": "Parameters", "field": "Request body fields", "enum value": "Enum values"}
_MARKS = {"added": "+", "removed": "-", "deprecated": "!"}


def _operation(change: OperationChange, level: str) -> dict[str, Any]:
    return {
        "level": level,
        "method": change.method,
        "path": change.path,
        "summary": change.summary,
        "deprecated": change.deprecated,
        "replacement": change.replacement,
    }


def _member(change: MemberChange) -> dict[str, Any]:
    return {
        "level": level_of(change.change),
        "method": change.method,
        "path": change.path,
        "name": change.name,
        "replacement": change.replacement,
    }


def summary_counts(diff: SpecDiff) -> dict[str, int]:
    counts = {
        "operations_added": len(diff.added),
        "operations_removed": len(diff.removed),
        "operations_deprecated": len(diff.deprecated),
    }
    for kind in MEMBER_KINDS:
        for change in CHANGES:
            counts[f"{kind.replace(' ', '_')}s_{change}"] = len(diff.members_of(kind, change))
    return counts


def diff_to_dict(diff: SpecDiff) -> dict[str, Any]:
    return {
        "old": diff.old,
        "new": diff.new,
        "summary": summary_counts(diff),
        "levels": diff.levels(),
        "operations": {
            "added": [_operation(c, level_of("added")) for c in diff.added],
            "removed": [_operation(c, level_of("removed")) for c in diff.removed],
            "deprecated": [_operation(c, level_of("deprecated")) for c in diff.deprecated],
        },
        **{
            f"{kind.replace(' ', '_')}s": {
                change: [_member(m) for m in diff.members_of(kind, change)] for change in CHANGES
            }
            for kind in MEMBER_KINDS
        },
    }


def render_json(diff: SpecDiff) -> str:
    return json.dumps(diff_to_dict(diff), indent=2, ensure_ascii=False) + "\n"


def _use(replacement: str | None) -> str:
    return f" -> use {one_line(replacement)}" if replacement else ""


def levels_line(diff: SpecDiff) -> str:
    """ "2 breaking, 4 deprecation, 5 non-breaking changes" (oasdiff's classification)."""
    levels = diff.levels()
    return f"{levels['breaking']} breaking, {levels['deprecation']} deprecation, {levels['non-breaking']} non-breaking changes"


def summary_line(diff: SpecDiff) -> str:
    members = len(diff.members)
    return (f"{len(diff.added)} operations added, {len(diff.removed)} removed, "
            f"{len(diff.deprecated)} newly deprecated; {members} parameter, field and enum changes")


def render_text(diff: SpecDiff) -> str:
    lines = [f"API changes from {one_line(diff.old)} to {one_line(diff.new)}"]
    sections: list[tuple[str, list[str]]] = [
        ("Operations newly deprecated", [f"  ! {one_line(c.subject)}{_use(c.replacement)}" for c in diff.deprecated]),
        ("Operations removed", [f"  - {one_line(c.subject)}{_use(c.replacement)}" for c in diff.removed]),
        ("Operations added", [
            f"  + {one_line(c.subject)}{' (deprecated)' if c.deprecated else ''}" for c in diff.added
        ]),
    ]
    for kind in MEMBER_KINDS:
        rows = [
            f"  {_MARKS[m.change]} {one_line(m.name)} in {one_line(m.method)} {one_line(m.path)}{_use(m.replacement)}"
            for change in ("deprecated", "removed", "added")
            for m in diff.members_of(kind, change)
        ]
        sections.append((_MEMBER_TITLES[kind], rows))
    for title, rows in sections:
        if rows:
            lines += ["", f"{title} ({len(rows)}):", *rows]
    lines += ["", levels_line(diff), summary_line(diff)]
    return "\n".join(lines) + "\n"


def _cell(text: str | None) -> str:
    """Markdown table cell: one line, pipes and backticks neutralised, HTML inert."""
    if not text:
        return ""
    flat = one_line(text).replace("\\", "\\\\").replace("|", "\\|")
    return flat.replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")


def render_markdown(diff: SpecDiff) -> str:
    lines = [f"# API changes from {_cell(diff.old)} to {_cell(diff.new)}", "", summary_line(diff), "",
             f"**{levels_line(diff)}**", ""]

    def operations(title: str, changes: tuple[OperationChange, ...]) -> None:
        if not changes:
            return
        lines.extend([f"## {title} ({len(changes)})", "", "| Operation | Replacement | Summary |", "|---|---|---|"])
        lines.extend(f"| `{_cell(c.subject)}` | {_cell(c.replacement)} | {_cell(c.summary)} |" for c in changes)
        lines.append("")

    operations("Operations newly deprecated", diff.deprecated)
    operations("Operations removed", diff.removed)
    operations("Operations added", diff.added)
    for kind in MEMBER_KINDS:
        members = [m for change in CHANGES for m in diff.members_of(kind, change)]
        if not members:
            continue
        lines.extend([f"## {_MEMBER_TITLES[kind]} ({len(members)})", "",
                      "| Change | Name | Operation | Replacement |", "|---|---|---|---|"])
        lines.extend(
            f"| {m.change} | `{_cell(m.name)}` | `{_cell(m.method)} {_cell(m.path)}` | {_cell(m.replacement)} |"
            for m in members
        )
        lines.append("")
    return "\n".join(lines)


_HTML_STYLE = (
    "body{font:14px/1.45 system-ui,sans-serif;color:#101828;margin:0}"
    "main{max-width:1100px;margin:0 auto;padding:16px 24px}"
    "table{border-collapse:collapse;width:100%;margin-bottom:18px}"
    "th,td{text-align:left;vertical-align:top;padding:4px 8px;border-bottom:1px solid #eaecf0}"
    "code{font-family:ui-monospace,monospace;overflow-wrap:anywhere}"
    ".summary{font-weight:600}.tag{color:#b54708;font-size:12px}"
    "tr.deprecated td:first-child{color:#b54708}tr.removed td:first-child{color:#b42318}"
)


def render_html(diff: SpecDiff) -> str:
    from markupsafe import Markup

    from runai_audit.reporters.html import environment

    digest = base64.b64encode(hashlib.sha256(_HTML_STYLE.encode("utf-8")).digest()).decode("ascii")
    csp = f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    sections = [
        {"title": _MEMBER_TITLES[kind], "rows": [m for change in CHANGES for m in diff.members_of(kind, change)]}
        for kind in MEMBER_KINDS
    ]
    return environment().get_template("spec-diff.html.j2").render(
        # The style is our own constant, not input: safe unescaped.
        diff=diff, sections=sections, summary=summary_line(diff), style=Markup(_HTML_STYLE), csp=csp,
    )


DIFF_FORMATS: dict[str, Callable[[SpecDiff], str]] = {
    "text": render_text,
    "json": render_json,
    "markdown": render_markdown,
    "html": render_html,
}


def render_diff(diff: SpecDiff, fmt: str) -> str:
    try:
        return DIFF_FORMATS[fmt](diff)
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; valid: {', '.join(DIFF_FORMATS)}") from None
