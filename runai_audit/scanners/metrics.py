"""Run:ai metric names (`runai_*`) wherever PromQL lives: code, URLs, dashboards, rule files.

A Grafana dashboard keeps its queries in `targets[].expr`, a Prometheus rule file in `expr:`,
a script in a string or a URL's `query=` parameter. In all of them the metric name is a plain
token of the file's text (JSON and YAML never escape the characters of a metric name), so one
lexical pass finds every name at its exact position whatever the container format, and a
file that does not even contain "runai_" costs one substring test.

Names in prose are not uses: comments and dashboard text panels are left out
(`metrics_prose`).

Only the name is kept as evidence: the rest of a query may hold label values.
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


def _starts_token(text: str, start: int) -> bool:
    """A name must not continue another identifier (my_runai_x, $runai_x, obj.runai_x).

    A percent-escape before it is a URL-encoded PromQL separator (`sum%28runai_x%29`).
    """
    if start == 0 or not _IDENT.match(text[start - 1]):
        return True
    return bool(_PERCENT_ESCAPE.search(text[max(0, start - 3) : start]))


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
            at = start + found.start()
            if not _starts_token(line, found.start()) or inside(prose, at):
                continue
            result.observations.append(
                MetricUse(
                    name=name,
                    location=Location(path, number + 1, found.start() + 1),
                    evidence=name,
                    via_grafana_proxy=proxied,
                )
            )
    return result
