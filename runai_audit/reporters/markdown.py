"""Markdown for a pull-request comment or a CI job summary.

GitHub rejects comments over 65,536 characters, so the body is built against a budget well
under that: whole subjects first, worst first, and a closing line says how many findings were
left out. Everything that came from scanned input goes into code spans or is escaped, so a
planted `<script>` or `[link](...)` stays literal text.
"""

from __future__ import annotations

import re

from runai_audit.models import Finding, Report
from runai_audit.reporters.common import (
    plural,
    related_suffix,
    suppressed,
    suppression_label,
    unknown_hosts_hint,
)
from runai_audit.reporters.grouping import SubjectGroup, by_subject
from runai_audit.reporters.summary import breaks_sentence, severity_by_status
from runai_audit.safetext import neutralise

BUDGET = 50_000  # characters; GitHub's limit is 65,536
LOCATIONS_PER_SUBJECT = 15
# Inline text never starts a line here, so only the characters that act mid-line need escaping.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def text(value: str) -> str:
    """Inline text with Markdown and HTML meaning removed."""
    flat = neutralise(" ".join(value.split()))
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", flat)


def code(value: str) -> str:
    """A code span that holds any text, backticks included."""
    flat = neutralise(" ".join(value.split()))
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def location_line(f: Finding) -> str:
    line = f"- {code(str(f.location))} {f.rule_id} **{f.severity.value}**"
    if f.usage is not None:
        line += f", {plural(f.usage.count, 'call')}"
    if f.evidence:
        line += f": {code(f.evidence[:160])}"
    if f.related:
        line += text(related_suffix(f))
    if f.suppression is not None:
        line += f" _(suppressed: {text(suppression_label(f.suppression))})_"
    return line


def _facts(group: SubjectGroup) -> str:
    facts = [f"use instead: {code(group.replacement)}" if group.replacement != "none" else "no replacement"]
    if group.deprecated_in:
        facts.append(f"deprecated in {text(group.deprecated_in)}")
    if group.breaks_in or group.removed_in:
        facts.append(f"gone from {text(group.breaks_in or group.removed_in or '')}")
    if group.sunset:
        facts.append(f"sunset {text(group.sunset)}")
    if group.docs_url and group.docs_url.startswith(("https://", "http://")):
        facts.append(f"[docs](<{group.docs_url.replace('>', '%3E').replace(' ', '%20')}>)")
    return " · ".join(facts)


def _group_block(group: SubjectGroup) -> tuple[str, int]:
    """The Markdown for one subject and how many findings it shows."""
    active = [f for f in group.findings if not f.suppressed]
    shown = active[:LOCATIONS_PER_SUBJECT]
    lines = [
        f"#### {code(group.subject)}: {group.status.value}, {group.severity.value}",
        _facts(group),
        "",
        *(location_line(f) for f in shown),
    ]
    if len(active) > len(shown):
        lines.append(f"- _and {len(active) - len(shown)} more here_")
    return "\n".join(lines) + "\n", len(shown)


def _header(report: Report) -> list[str]:
    counts = report.counts()
    t = report.target
    matrix = severity_by_status(report)
    return [
        f"## Run:ai API audit: {text(t.deployment)} {text(t.version)} (as of {text(t.as_of)})",
        "",
        f"**{text(breaks_sentence(report))}**",
        "",
        "| status | error | warning | note |",
        "|---|---:|---:|---:|",
        *(
            f"| {status} | {row['error']} | {row['warning']} | {row['note']} |"
            for status, row in matrix.items()
        ),
        f"| **total** | **{counts['error']}** | **{counts['warning']}** | **{counts['note']}** |",
        "",
    ]


def _footer(report: Report) -> list[str]:
    cov, prov = report.coverage, report.provenance
    line = f"{plural(cov.files_scanned, 'file')} scanned, {len(cov.files_skipped)} skipped, {len(cov.errors)} unreadable"
    if cov.traffic_entries:
        line += f"; {plural(cov.traffic_entries, 'traffic entry', 'traffic entries')} read"
    lines = ["", f"_Coverage: {line}._"]
    lines.extend(f"- unreadable {code(e.path)}: {text(e.reason)}" for e in cov.errors[:20])
    hint = unknown_hosts_hint(report)
    if hint:
        lines.append(f"- **not audited**: {text(hint)}")
    lines.append(
        f"\n<sub>{text(prov.tool_name)} {text(prov.tool_version)} · catalog {text(prov.catalog_version)}"
        f" · specs {text(', '.join(prov.spec_versions))}</sub>"
    )
    return lines


def _fix_diff(report: Report, room: int) -> list[str]:
    """The diff `runai-audit fix` would apply, fenced (a fence longer than any backtick run in
    it, so the input stays literal), cut to the room the comment has left."""
    diff = report.extras.get("fix_diff")
    if not isinstance(diff, str) or not diff:
        return []
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", diff)), default=0))
    note = ""
    if len(diff) > room:
        diff = diff[: max(room, 0)].rsplit("\n", 1)[0] + "\n"
        note = "_The diff is cut here to stay within the comment size; run `runai-audit fix` for all of it._\n"
    return ["### Suggested fix (`runai-audit fix --write`)\n", f"{fence}diff\n{diff}{fence}\n", *([note] if note else [])]


def render(report: Report) -> str:
    parts = _header(report)
    total = sum(1 for f in report.findings if not f.suppressed)
    shown = 0
    used = sum(len(p) + 1 for p in parts)
    groups = [g for g in by_subject(report.findings) if not g.all_suppressed]
    if groups:
        parts.append("### What to change, by subject\n")
    for group in groups:
        block, count = _group_block(group)
        if used + len(block) > BUDGET:
            break
        parts.append(block)
        used += len(block) + 1
        shown += count
    if shown < total:
        parts.append(
            f"_{plural(total - shown, 'finding')} not shown here to stay within the comment size; see the full report._\n"
        )
    fix_part = _fix_diff(report, BUDGET - used - 500)
    parts.extend(fix_part)
    used += sum(len(p) + 1 for p in fix_part)
    quiet = suppressed(report)
    if quiet:
        parts.append(f"<details><summary>{plural(len(quiet), 'suppressed finding')}</summary>\n")
        listed = 0
        for f in quiet:
            line = location_line(f)
            if used + len(line) > BUDGET:
                break
            parts.append(line)
            used += len(line) + 1
            listed += 1
        if listed < len(quiet):
            parts.append(f"- _and {len(quiet) - listed} more_")
        parts.append("\n</details>")
    parts.extend(_footer(report))
    return "\n".join(parts) + "\n"
