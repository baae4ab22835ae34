"""What the HTML report shows, computed in Python so the templates only lay it out.

Everything here is plain data. Values from scanned input stay plain strings: the template
engine escapes them (autoescape), and links are only ever made from http(s) URLs.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from runai_audit.models import Finding, Report, Severity, Status
from runai_audit.reporters import extras_view, timeline
from runai_audit.reporters.common import ordered, related_suffix, suppression_label, unknown_hosts_hint
from runai_audit.reporters.grouping import SubjectGroup, by_subject
from runai_audit.reporters.summary import breaks_sentence, status_counts
from runai_audit.safetext import neutralise

# The page stays light whatever the report's size: each group shows its first rows, each
# section its first groups, each table its first rows. The rest of the findings ride along in a
# JSON data block that the page's script turns into rows on demand ("Show more").
ROWS_PER_GROUP = 25
GROUPS_PER_SECTION = 100
TABLE_ROWS = 500


def safe_href(url: str | None) -> str | None:
    """A link target only for web URLs: never javascript:, data: or a relative path."""
    if url and url.startswith(("https://", "http://")) and not any(c.isspace() for c in url):
        return url
    return None


@dataclass(frozen=True)
class Source:
    text: str
    href: str | None


@dataclass(frozen=True)
class FileGroup:
    path: str
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Shown:
    """One group as the page renders it: its first rows, and how many it leaves to the script."""

    group: Any  # SubjectGroup or FileGroup
    index: int  # the group's place in its section (the data block's list)
    rows: tuple[Finding, ...]
    more: int


@dataclass(frozen=True)
class FilterOptions:
    severities: tuple[str, ...]
    statuses: tuple[str, ...]
    rules: tuple[tuple[str, str], ...]  # (id, title)


def _sources(group: SubjectGroup) -> tuple[Source, ...]:
    return tuple(Source(s, safe_href(s)) for s in group.sources)


def _by_file(findings: tuple[Finding, ...]) -> tuple[FileGroup, ...]:
    buckets: dict[str, list[Finding]] = defaultdict(list)
    for f in ordered(findings):
        buckets[f.location.path].append(f)
    return tuple(FileGroup(path, tuple(found)) for path, found in sorted(buckets.items()))


def where(f: Finding) -> str:
    """ "line 14, col 12" / "entry /log/entries/17" / "" - the place within a file."""
    loc = f.location
    if loc.line:
        return f"{loc.line}:{loc.column or 1}"
    return loc.pointer


def short_time(timestamp: str) -> str:
    """ "2026-01-03T08:15:00Z" -> "2026-01-03 08:15 UTC"; anything else unchanged."""
    if len(timestamp) >= 16 and timestamp[10] == "T":
        zone = " UTC" if timestamp.endswith(("Z", "+00:00")) else ""
        return f"{timestamp[:10]} {timestamp[11:16]}{zone}"
    return timestamp


def _shown(groups: Any) -> tuple[Shown, ...]:
    return tuple(
        Shown(g, i, tuple(g.findings[:ROWS_PER_GROUP]), max(0, len(g.findings) - ROWS_PER_GROUP))
        for i, g in enumerate(groups[:GROUPS_PER_SECTION])
    )


def _row(f: Finding, strings: dict[str, int], rule_titles: dict[str, str]) -> list[Any]:
    """One finding for the data block: text as indexes into a shared string table (messages,
    rules and paths repeat a lot), numbers as numbers."""
    loc = f.location
    pos = f"{':' if loc.line else '#'}{where(f)}" if where(f) else ""
    texts = (f.severity.value, f.status.value, f.rule_id, loc.path, pos, f.subject, f.message, f.evidence,
             rule_titles.get(f.rule_id, ""), suppression_label(f.suppression) if f.suppression else "",
             f.fingerprint)
    return [strings.setdefault(neutralise(t), len(strings)) for t in texts] + [
        int(f.suppressed), f.usage.count if f.usage else 0, loc.line]


def data_block(findings: list[Finding], plan: Any, files: Any, rule_titles: dict[str, str]) -> Markup:
    """Every finding as JSON for the page's script, safe inside <script type="application/json">:
    no "<", ">" or "&" survives, so input cannot close the element."""
    strings: dict[str, int] = {}
    index = {id(f): i for i, f in enumerate(findings)}
    doc = {
        "findings": [_row(f, strings, rule_titles) for f in findings],
        "plan": [[index[id(f)] for f in g.findings] for g in plan],
        "files": [[index[id(f)] for f in g.findings] for g in files],
        "groups": {"plan": [g.subject for g in plan], "files": [g.path for g in files]},
        "rows": ROWS_PER_GROUP,
    }
    doc["strings"] = list(strings)
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # escaped just above, for this one place


FIX_LABELS = ("auto-fixable", "fixable with --unsafe", "manual")


def fix_label(f: Finding) -> str | None:
    """How `runai-audit fix` handles a finding; None on reports that did not plan fixes."""
    if f.fix is None:
        return None
    if f.fix.status == "migration" or (f.fix.status == "fixed" and f.fix.safety == "safe"):
        return FIX_LABELS[0]
    if f.fix.status == "unsafe" or (f.fix.status == "fixed" and f.fix.safety == "unsafe"):
        return FIX_LABELS[1]
    return FIX_LABELS[2]


def group_fix_labels(groups: tuple[SubjectGroup, ...] | list[SubjectGroup]) -> dict[str, str]:
    """Per API (subject): the label of its hardest use, so "auto-fixable" means every use is."""
    out: dict[str, str] = {}
    for group in groups:
        labels = [label for f in group.counted if (label := fix_label(f)) is not None]
        if labels:
            out[group.subject] = max(labels, key=FIX_LABELS.index)
    return out


def build_context(report: Report) -> dict[str, Any]:
    findings = report.findings
    groups = by_subject(findings)
    rule_titles = {r.id: r.title for r in report.rules}
    quiet = [f for f in ordered(findings) if f.suppressed]
    with_usage = sorted(
        (f for f in findings if f.usage is not None),
        key=lambda f: (-(f.usage.count if f.usage else 0), f.sort_key),
    )
    files = _by_file(findings)
    longest = max((len(g.findings) for g in groups), default=0), max((len(g.findings) for g in files), default=0)
    truncated = max(longest) > ROWS_PER_GROUP or max(len(groups), len(files)) > GROUPS_PER_SECTION
    used_statuses = {f.status for f in findings}
    used_severities = {f.severity for f in findings}
    counts = report.counts()
    fixes = group_fix_labels([g for g in groups if not g.all_suppressed])
    return {
        "group_fix": fixes,
        "fix_counts": {label: sum(1 for v in fixes.values() if v == label) for label in FIX_LABELS} if fixes else {},
        "report": report,
        "target": report.target,
        "provenance": report.provenance,
        "coverage": report.coverage,
        "counts": counts,
        "status_counts": {k: v for k, v in status_counts(report).items() if v},
        "total_active": sum(counts.values()),
        "suppressed_count": len(quiet),
        "files_affected": len({f.location.path for f in findings if not f.suppressed}),
        "headline": breaks_sentence(report),
        "unknown_hosts_hint": unknown_hosts_hint(report),
        "timeline": timeline.build(
            report.releases,
            [g for g in groups if not g.all_suppressed],
            report.target.version,
            report.target.as_of,
        ),
        "groups": groups,
        "group_sources": {g.subject: _sources(g) for g in groups},
        "group_docs": {g.subject: safe_href(g.docs_url) for g in groups},
        "files": files,
        "plan_shown": _shown(groups),
        "files_shown": _shown(files),
        "truncated": truncated,
        "data": data_block(ordered(findings), groups, files, rule_titles) if truncated else None,
        "table_rows": TABLE_ROWS,
        "usage": with_usage,
        "total_calls": _distinct_calls(with_usage),
        "max_calls": max((f.usage.count for f in with_usage if f.usage is not None), default=1) or 1,
        "short_time": short_time,
        "suppressed": quiet,
        "suppression_label": suppression_label,
        "related_suffix": related_suffix,
        "where": where,
        "rule_titles": rule_titles,
        "filters": FilterOptions(
            severities=tuple(s.value for s in sorted(used_severities, key=lambda s: -s.rank)),
            statuses=tuple(s.value for s in Status if s in used_statuses),
            rules=tuple((rid, rule_titles.get(rid, "")) for rid in sorted({f.rule_id for f in findings})),
        ),
        "severity_order": [s.value for s in sorted(Severity, key=lambda s: -s.rank)],
        # Optional sections (upgrade plan, trend, repositories); None when the report lacks them.
        **extras_view.build(report),
    }


def _distinct_calls(findings: list[Finding]) -> int:
    """Calls behind the traffic findings, each counted once: one recorded request can give
    several findings (a deprecated endpoint, its body fields, a Sunset header), and those
    share the entry they were first seen at."""
    by_entry: dict[tuple[str, str], int] = {}
    for f in findings:
        if f.usage is not None:
            key = (f.location.path, f.location.pointer)
            by_entry[key] = max(by_entry.get(key, 0), f.usage.count)
    return sum(by_entry.values())
