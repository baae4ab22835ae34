"""Plain text, the default CLI output, for a person at a terminal and for a CI log.

One concise line per finding that counts (`path:line:col: RA101 error GET /v1/... removed at
2.24 → /api/v1/...`, cut to about 120 columns), or with `full` the whole message, the evidence
and, for Cluster API objects, the equivalent REST request. Then the suppressed ones apart (so
editor problem matchers skip them), a grouped summary (by status, by rule, the first sunset
ahead, skipped files), the hint about Run:ai-shaped calls to hosts nobody named, and the
summary line last, where a CI log tail shows it. Colour only when the caller asks for it.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from dataclasses import dataclass

import click

from runai_audit.models import Finding, Report, Severity, Status
from runai_audit.reporters.common import (
    active,
    one_line,
    plural,
    related_suffix,
    summary_line,
    suppressed,
    suppression_label,
    unknown_hosts_hint,
)

WIDTH = 120
ARROW = "→"
_PARAM = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_ASIDE = re.compile(r"\s*\([^()]*\)")
SEVERITY_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.NOTE: "blue"}


@dataclass(frozen=True)
class TextStyle:
    """How to lay the text out. The defaults are what a file or a pipe gets."""

    colour: bool = False
    full: bool = False  # the whole message, evidence and REST equivalent
    quiet: bool = False  # findings and the summary line only
    show_skipped: bool = False
    width: int = WIDTH


def _paint(text: str, style: TextStyle, fg: str | None = None, bold: bool | None = None) -> str:
    return click.style(text, fg=fg, bold=bold) if style.colour else text


def _where(finding: Finding) -> str:
    return one_line(str(finding.location))


def _calls(finding: Finding) -> str:
    if finding.usage is None:
        return ""
    count = finding.usage.count
    return f" ({count} call{'s' if count != 1 else ''})"


def status_phrase(finding: Finding, target: str) -> str:
    """A few words for what the status means at the target: "removed at 2.24"."""
    if finding.status is Status.REMOVED:
        return f"removed at {target}"
    if finding.status is Status.DEPRECATED:
        if not (finding.deprecated_in or finding.removed_in or finding.breaks_in or finding.sunset):
            return "superseded"
        when = f", breaks in {finding.breaks_in}" if finding.breaks_in else ""
        if not when and finding.sunset:
            when = f", sunset {finding.sunset}"
        return f"deprecated{when}"
    if finding.status is Status.UNSUPPORTED:
        return f"in no published spec up to {target}"
    return ""


def short_params(text: str) -> str:
    """`/clusters/{clusterId}/projects/{projectId}` -> `/clusters/{id}/projects/{id}`: the
    names add width, not meaning, on a line that already says which operation it is."""
    return _PARAM.sub("{id}", text)


def concise_text(finding: Finding, target: str) -> str:
    """What the concise line says after the rule and severity."""
    if finding.status in (Status.SIGNAL, Status.TOOL):
        return one_line(finding.message)
    text = f"{short_params(one_line(finding.subject))} {status_phrase(finding, target)}"
    if finding.replacement and finding.replacement != "none":
        # The asides in parentheses stay in the full message; the line keeps the name.
        replacement = _ASIDE.sub("", one_line(finding.replacement)).strip() or one_line(finding.replacement)
        text += f" {ARROW} {short_params(replacement)}"
    return text


MIN_BODY = 80  # a deep path may push a line past WIDTH rather than cut what to use instead


def _fit(head_width: int, text: str, width: int) -> str:
    """Cut `text` so the line stays within `width` columns, but never below MIN_BODY; the
    location is never cut."""
    room = max(width - head_width, MIN_BODY)
    return text if len(text) <= room else text[: room - 1].rstrip() + "…"


def finding_line(finding: Finding, target: str = "", style: TextStyle = TextStyle()) -> str:
    """One line per finding: concise by default, the whole message with style.full."""
    where, rule, severity = _where(finding), finding.rule_id, finding.severity.value
    head = f"{where}: "  # `path:line:col: ` as compilers write it, which editors and CI matchers parse
    # Never cut: the call count is what a traffic line is about, the related places where to look.
    extra = _calls(finding) + one_line(related_suffix(finding))
    if style.full:
        body = f"{one_line(finding.message)}{extra}"
    else:
        body = _fit(len(head) + len(rule) + len(severity) + 2 + len(extra), concise_text(finding, target),
                    style.width) + extra
    painted_where = _paint(where, style, bold=True)
    painted_rule = _paint(rule, style, fg="cyan")
    painted_severity = _paint(severity, style, fg=SEVERITY_COLOURS[finding.severity], bold=True)
    return f"{painted_where}{head[len(where):]}{painted_rule} {painted_severity} {body}"


def _details(finding: Finding) -> list[str]:
    """Under a full line: the evidence and, for a Cluster API object, the REST request."""
    lines = []
    if finding.evidence:
        lines.append(f"    evidence: {one_line(finding.evidence)}")
    if finding.snippet:
        rest = finding.snippet.split(" ", 1)[0] in ("GET", "POST", "PUT", "PATCH", "DELETE")
        lines.append("    equivalent REST request:" if rest else "    instead:")
        lines.extend(f"      {one_line(line)}" for line in finding.snippet.splitlines())
    return lines


def _wrapped(label: str, items: list[str], width: int) -> list[str]:
    text = "  ".join(items)
    indent = " " * (len(label) + 2)
    return textwrap.wrap(text, width=width, initial_indent=f"  {label}", subsequent_indent=indent,
                         break_on_hyphens=False) or [f"  {label}"]


def first_sunset_ahead(report: Report) -> Finding | None:
    """The active finding whose sunset comes first on or after the report's date."""
    ahead = [f for f in active(report) if f.sunset and f.sunset >= report.target.as_of]
    return min(ahead, key=lambda f: (f.sunset or "", f.sort_key), default=None)


def grouped_summary(report: Report, style: TextStyle) -> list[str]:
    """Counts by status and by rule, the first sunset ahead, the skipped files."""
    findings = active(report)
    lines: list[str] = []
    if findings:
        statuses = Counter(f.status.value for f in findings)
        by_status = [f"{s.value} {statuses[s.value]}" for s in Status if statuses[s.value]]
        rules = Counter(f.rule_id for f in findings)
        by_rule = [f"{rid} {count}" for rid, count in sorted(rules.items(), key=lambda item: (-item[1], item[0]))]
        lines.append(_paint("Summary", style, bold=True))
        lines += _wrapped("by status: ", by_status, style.width)
        lines += _wrapped("by rule:   ", by_rule, style.width)
    soonest = first_sunset_ahead(report)
    if soonest is not None:
        uses = sum(1 for f in findings if f.subject == soonest.subject and f.sunset == soonest.sunset)
        lines.append(f"  first sunset ahead: {soonest.sunset} {one_line(soonest.subject)} "
                     f"({soonest.rule_id}, {plural(uses, 'use')})")
    skipped = report.coverage.files_skipped
    if skipped and style.show_skipped:
        lines.append(f"  skipped ({len(skipped)}):")
        lines += [f"    {one_line(s.path)}: {one_line(s.reason)}" for s in skipped]
    elif skipped:
        lines.append(f"  {plural(len(skipped), 'file')} skipped (--show-skipped lists them)")
    return lines


def render(report: Report, style: TextStyle = TextStyle()) -> str:
    target = report.target.version
    lines: list[str] = []
    for finding in active(report):
        lines.append(finding_line(finding, target, style))
        if style.full:
            lines += _details(finding)
    quiet = suppressed(report)
    if quiet and not style.quiet:
        lines.append(f"suppressed ({len(quiet)}):")
        lines.extend(
            f"  {f.rule_id} at {_where(f)} [{one_line(suppression_label(f.suppression))}]"
            for f in quiet
            if f.suppression is not None
        )
    if not style.quiet:
        lines += grouped_summary(report, style)
    hint = unknown_hosts_hint(report)
    if hint:  # even with -q: a self-hosted estate must never look clean without a word
        lines.append(_paint("hint: ", style, fg="yellow", bold=True) + hint)
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
