"""GitHub Actions workflow commands: each finding becomes an annotation on the PR diff.

`::error file=...,line=...,col=...,title=...::message`, escaped the way the Actions runner
unescapes (data: % CR LF; property values additionally : and ,). Suppressed findings become
notices whose title says so; the summary closes the output as a plain log line.
"""

from __future__ import annotations

from runai_audit.models import Finding, Report
from runai_audit.reporters.common import (
    ordered,
    related_suffix,
    summary_line,
    suppression_label,
    unknown_hosts_hint,
)
from runai_audit.reporters.levels import github_command
from runai_audit.safetext import neutralise


def escape_data(text: str) -> str:
    """CR and LF are percent-encoded (the runner decodes them inside the annotation); any other
    control character (ESC, BEL) or bidi override is shown as an escape, never passed to the log."""
    return neutralise(text, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(f: Finding) -> str:
    loc = f.location
    props = [f"file={escape_property(loc.path)}"]
    if loc.line:
        props.append(f"line={loc.line}")
        if loc.column:
            props.append(f"col={loc.column}")
    title = f"{f.rule_id} {f.subject}"
    message = f.message
    if loc.pointer:
        message += f" (at {loc.pointer})"
    if f.usage is not None:
        message += f" ({f.usage.count} calls)"
    message += related_suffix(f)
    if f.replacement and f.replacement != "none" and f.replacement not in f.message:
        message += f"\nUse instead: {f.replacement}"
    name = github_command(f.severity)
    if f.suppression is not None:
        name = "notice"
        title = f"{title} (suppressed)"
        message += f"\nSuppressed: {suppression_label(f.suppression)}"
    props.append(f"title={escape_property(title)}")
    return f"::{name} {','.join(props)}::{escape_data(message)}"


def render(report: Report) -> str:
    lines = [command(f) for f in ordered(report.findings)]
    hint = unknown_hosts_hint(report)
    if hint:  # a warning on the run, so a self-hosted estate never passes unremarked
        title = escape_property("runai-audit: hosts not known as Run:ai's")
        lines.append(f"::warning title={title}::{escape_data(hint)}")
    # A plain line: the runner shows it in the log; escaping keeps it from reading as a command.
    lines.append(f"runai-audit: {escape_data(summary_line(report))}")
    return "\n".join(lines) + "\n"
