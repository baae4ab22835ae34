"""Run:ai metric names (`runai_*`) wherever PromQL lives: code, URLs, dashboards, rule files.

A Grafana dashboard keeps its queries in `targets[].expr`, a Prometheus rule file in `expr:`,
a script in a string or a URL's `query=` parameter. In all of them the metric name is a plain
token of the file's text (JSON and YAML never escape the characters of a metric name), so one
lexical pass finds every name at its exact position whatever the container format, and a
file that does not even contain "runai_" costs one substring test.

Names in prose are not uses: comments and dashboard text panels are left out
(`metrics_prose`).

Only the name is kept as evidence: the rest of a query may hold label values.

Each use says whether it is written as PromQL (`in_promql`): a recording-rule name
(`runai_x:hourly`, no programming language allows the colon), a name followed by a label
selector (`{job="x"}`, `{{clusterId=~"{c}"}}` in an f-string) or a range (`[5m]`), or the
argument of a PromQL function (`sum(`, `rate(`, `sum by (pod) (`). A Python or shell identifier
that happens to start with runai_ (`runai_url = ...`, `runai_client_id`) is none of these.
"""

from __future__ import annotations

import re

from runai_audit.models import Location, MetricUse
from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.metrics_prose import comment_start, inside, prose_spans

PREFIX = "runai_"
_NAME = re.compile(r"runai_[A-Za-z0-9_:]+")
_IDENT = re.compile(r"[A-Za-z0-9_:.$@-]")
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}$")
GRAFANA_PROXY = "/api/datasources/proxy/"
# PromQL's aggregation operators and the functions that take an instant or range vector.
PROMQL_FUNCTIONS = frozenset({
    "sum", "avg", "min", "max", "count", "group", "stddev", "stdvar", "topk", "bottomk", "quantile",
    "count_values", "rate", "irate", "increase", "delta", "idelta", "deriv", "predict_linear",
    "changes", "resets", "absent", "absent_over_time", "present_over_time", "abs", "ceil", "floor",
    "round", "clamp", "clamp_min", "clamp_max", "sort", "sort_desc", "label_replace", "label_join",
    "histogram_quantile", "scalar", "timestamp", "sum_over_time", "avg_over_time", "min_over_time",
    "max_over_time", "count_over_time", "last_over_time", "quantile_over_time", "stddev_over_time",
    "stdvar_over_time",
})
# Python builtins of the same name: `sum(runai_counts)` is Python unless it sits in a string.
_ALSO_BUILTINS = frozenset({"sum", "min", "max", "abs", "round", "sorted"})
# `{` that opens a label matcher (`{name=`, `=~`, `!=`, `!~`), not a format placeholder
# (`runai_report_{date}.csv`, `{}`); a doubled `{{` is an f-string's escaped brace.
_SELECTOR_AFTER = re.compile(r"\s*\{\{?\s*[A-Za-z_][A-Za-z0-9_]*\s*(?:=~|!~|!=|=)")
# `[5m]`, `[$__rate_interval]`, `[{window}]`: a range; `[0]` is an index.
_RANGE_AFTER = re.compile(r"\s*\[\s*(?:\d+(?:ms|[smhdwy])|\$|\{)")
_OPEN = r"(?:\(|%28)"
_FUNCTION_BEFORE = re.compile(rf"([A-Za-z_]+)\s*{_OPEN}(?:\s*{_OPEN})*\s*$")
_GROUPED_BEFORE = re.compile(rf"\b(?:by|without)\s*{_OPEN}[^()]*(?:\)|%29)\s*{_OPEN}(?:\s*{_OPEN})*\s*$")


def _starts_token(text: str, start: int) -> bool:
    """A name must not continue another identifier (my_runai_x, $runai_x, obj.runai_x).

    A percent-escape before it is a URL-encoded PromQL separator (`sum%28runai_x%29`).
    """
    if start == 0 or not _IDENT.match(text[start - 1]):
        return True
    return bool(_PERCENT_ESCAPE.search(text[max(0, start - 3) : start]))


def in_promql(line: str, start: int, end: int) -> bool:
    """Whether the name at line[start:end] is written as PromQL (see the module docstring)."""
    if ":" in line[start:end]:
        return True  # a recording rule's name
    if _SELECTOR_AFTER.match(line, end) or _RANGE_AFTER.match(line, end):
        return True
    before = line[:start]
    if _GROUPED_BEFORE.search(before):
        return True
    call = _FUNCTION_BEFORE.search(before)
    if call is None or call.group(1) not in PROMQL_FUNCTIONS:
        return False
    return call.group(1) not in _ALSO_BUILTINS or _in_quotes(before)


def _in_quotes(before: str) -> bool:
    """An odd number of quotes before a position: it is inside a string on that line."""
    return before.count('"') % 2 == 1 or before.count("'") % 2 == 1


def scan_metrics(text: str, path: str) -> ScanResult:
    """A MetricUse for every `runai_*` name, at the line and column of its first character."""
    result = ScanResult()
    if PREFIX not in text:
        return result
    prose = prose_spans(text, path)
    line_start = 0
    for number, line in enumerate(text.split("\n")):
        start, line_start = line_start, line_start + len(line) + 1
        if PREFIX not in line:
            continue
        proxied = GRAFANA_PROXY in line
        for found in _NAME.finditer(line, 0, comment_start(line)):
            name = found.group().rstrip(":")  # `runai_x:` as a YAML key ends before the colon
            end = found.start() + len(name)
            at = start + found.start()
            if not _starts_token(line, found.start()) or inside(prose, at):
                continue
            result.observations.append(
                MetricUse(
                    name=name,
                    location=Location(path, number + 1, found.start() + 1),
                    evidence=name,
                    via_grafana_proxy=proxied,
                    in_promql=in_promql(line, found.start(), end),
                )
            )
    return result
