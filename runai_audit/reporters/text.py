"""Plain text, the default CLI output: one `path:line:col: RAxxx severity message` line per
finding that counts, the suppressed ones listed apart (so editor problem matchers skip them),
and a summary line last, where a CI log tail shows it."""

from __future__ import annotations

from runai_audit.models import Finding, Report
from runai_audit.reporters.common import (
    active,
    one_line,
    related_suffix,
    summary_line,
    suppressed,
    suppression_label,
)


def _where(finding: Finding) -> str:
    return one_line(str(finding.location))


def _calls(finding: Finding) -> str:
    if finding.usage is None:
        return ""
    count = finding.usage.count
    return f" ({count} call{'s' if count != 1 else ''})"


def finding_line(finding: Finding) -> str:
    message = one_line(finding.message)
    return f"{_where(finding)}: {finding.rule_id} {finding.severity.value} {message}{_calls(finding)}{one_line(related_suffix(finding))}"


def render(report: Report) -> str:
    lines = [finding_line(f) for f in active(report)]
    quiet = suppressed(report)
    if quiet:
        lines.append(f"suppressed ({len(quiet)}):")
        lines.extend(
            f"  {f.rule_id} at {_where(f)} [{one_line(suppression_label(f.suppression))}]"
            for f in quiet
            if f.suppression is not None
        )
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"
