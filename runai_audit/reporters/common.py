"""Small helpers shared by the reporters: ordering, safe one-line text, labels."""

from __future__ import annotations

import re
from collections.abc import Iterable

from runai_audit.models import Finding, Report, Suppression
from runai_audit.safetext import neutralise

_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in their deterministic order: path, line, column, pointer, rule, subject."""
    return sorted(findings, key=lambda f: f.sort_key)


def active(report: Report) -> list[Finding]:
    return ordered(f for f in report.findings if not f.suppressed)


def suppressed(report: Report) -> list[Finding]:
    return ordered(f for f in report.findings if f.suppressed)


def one_line(text: str) -> str:
    """Text safe to print on one terminal line: line breaks become spaces and other control
    characters (an ANSI escape planted in a scanned file, say) and bidi controls (U+202E)
    become visible \\xNN / \\uNNNN escapes."""
    return neutralise(_LINE_BREAKS.sub(" ", text))


def suppression_label(suppression: Suppression) -> str:
    """ "inline: reason" / "baseline" / "exemption: reason (owner, until date)"."""
    label = suppression.kind
    if suppression.reason:
        label += f": {suppression.reason}"
    extra = [
        part
        for part in (suppression.owner, f"until {suppression.expires}" if suppression.expires else "")
        if part
    ]
    if extra:
        label += f" ({', '.join(extra)})"
    return label


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural_word or word + 's')}"


def summary_line(report: Report) -> str:
    """ "2 errors, 3 warnings, 1 note; 42 files scanned; 3 suppressed" - shared by text-like
    outputs so they always agree."""
    counts = report.counts()
    parts = [
        plural(counts["error"], "error"),
        plural(counts["warning"], "warning"),
        plural(counts["note"], "note"),
    ]
    text = ", ".join(parts)
    text += f"; {plural(report.coverage.files_scanned, 'file')} scanned"
    text += f"; {len(report.findings) - sum(counts.values())} suppressed"
    if report.coverage.files_skipped:
        text += f"; {len(report.coverage.files_skipped)} skipped"
    if report.coverage.errors:
        text += f"; {plural(len(report.coverage.errors), 'input')} could not be read"
    return text


def with_replacement(message: str, replacement: str) -> str:
    """The message, plus "Use instead: X." unless it already names the replacement."""
    if not replacement or replacement == "none" or replacement in message:
        return message
    stop = "" if message.rstrip().endswith((".", "!", "?")) else "."
    return f"{message.rstrip()}{stop} Use instead: {replacement}."


MAX_HOSTS_IN_HINT = 3


def unknown_hosts_hint(report: Report) -> str:
    """One sentence for calls that look like Run:ai's but go to hosts nobody named, with the
    flag that turns them into findings; "" when there are none."""
    hosts = report.coverage.unknown_hosts
    if not hosts:
        return ""
    calls = sum(h.calls for h in hosts)
    busiest = sorted(hosts, key=lambda h: (-h.calls, h.host))
    flags = " ".join(f"--host {h.host}" for h in busiest[:MAX_HOSTS_IN_HINT])
    if len(hosts) > MAX_HOSTS_IN_HINT:
        flags += f" (and {plural(len(hosts) - MAX_HOSTS_IN_HINT, 'more host')}, listed in the report's coverage)"
    if calls == 1:
        lead = "1 call to a host not known as Run:ai's looks like a Run:ai API call"
    else:
        lead = f"{calls} calls to hosts not known as Run:ai's look like Run:ai API calls"
    return f"{lead}: pass {flags} or set hosts: in .runai-audit.yaml"


def related_text(role: str) -> str:
    """What a related location is, for SARIF's relatedLocations ("sent here")."""
    return f"{role} here"


def related_suffix(f: Finding) -> str:
    """" (sent at line 9)", " (called at lines 4, 12)": where else the use shows, for one-line
    outputs; a place in another file keeps its path."""
    by_role: dict[str, list[str]] = {}
    for r in f.related:
        where = str(r.location.line) if r.location.path == f.location.path else f"{r.location.path}:{r.location.line}"
        by_role.setdefault(r.role, []).append(where)
    parts = [
        f"{role} at {'line' if len(places) == 1 else 'lines'} {', '.join(places)}"
        for role, places in by_role.items()
    ]
    return f" ({'; '.join(parts)})" if parts else ""
