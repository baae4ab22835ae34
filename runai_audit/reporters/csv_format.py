"""CSV: one row per finding for spreadsheets and ad-hoc analysis.

A spreadsheet runs a cell that starts with = + - @ (or a tab / carriage return) as a formula,
and scanned input reaches these cells (paths, evidence), so such cells get a leading quote.
"""

from __future__ import annotations

import csv
import io
import re

from runai_audit.models import Finding, Report
from runai_audit.reporters.common import ordered
from runai_audit.safetext import neutralise

COLUMNS = (
    "rule_id",
    "severity",
    "status",
    "path",
    "line",
    "column",
    "pointer",
    "subject",
    "replacement",
    "message",
    "deprecated_in",
    "removed_in",
    "breaks_in",
    "sunset",
    "suppressed",
    "suppression_kind",
    "suppression_reason",
    "suppression_owner",
    "suppression_expires",
    "usage_count",
    "first_seen",
    "last_seen",
    "confidence",
    "evidence",
    "docs_url",
    "fingerprint",
)

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_LINE_BREAKS = re.compile(r"\r\n?")


def guard(cell: str) -> str:
    """Neutralise a cell a spreadsheet would evaluate. Line breaks become LF, which the writer
    quotes: a bare CR is not quoted by the csv module and would start a new row (whose first
    cell could be a formula). Other control and bidi characters become visible escapes."""
    cell = neutralise(_LINE_BREAKS.sub("\n", cell), keep="\n\t")
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _row(f: Finding) -> list[str]:
    loc, sup, use = f.location, f.suppression, f.usage
    values: list[str | int | None] = [
        f.rule_id,
        f.severity.value,
        f.status.value,
        loc.path,
        loc.line,
        loc.column,
        loc.pointer,
        f.subject,
        f.replacement,
        f.message,
        f.deprecated_in,
        f.removed_in,
        f.breaks_in,
        f.sunset,
        "true" if f.suppressed else "false",
        sup.kind if sup else None,
        sup.reason if sup else None,
        sup.owner if sup else None,
        sup.expires if sup else None,
        use.count if use else None,
        use.first_seen if use else None,
        use.last_seen if use else None,
        f.confidence.value,
        f.evidence,
        f.docs_url,
        f.fingerprint,
    ]
    # Numbers are ours and never negative; only text can carry a planted formula.
    return [str(v) if isinstance(v, int) else guard(v or "") for v in values]


def render(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(_row(f) for f in ordered(report.findings))
    return out.getvalue()
