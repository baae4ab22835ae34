"""runai_* names written as PromQL, and the pattern row RA441 that covers the ones no other
metric row names."""

from __future__ import annotations

import textwrap

import pytest

from runai_audit.api import scan_text
from runai_audit.models import MetricUse
from runai_audit.scanners.metrics import in_promql, scan_metrics

AS_OF = "2026-11-28"


def findings(code: str, name: str) -> list[tuple[str, int, int]]:
    found = scan_text(textwrap.dedent(code).lstrip("\n"), name, target="2.24", as_of=AS_OF)
    return sorted((f.rule_id, f.location.line, f.location.column) for f in found if f.rule_id.startswith("RA4"))


def test_hourly_recording_rules_in_fstring_promql_are_flagged() -> None:
    code = """
    def panel_queries(cluster, window):
        return {
            "gpu": f'sum(increase((runai_gpu_alloc_per_team:hourly{{clusterId="{cluster}"}})[{window}:1h]))',
            "cpu": f'avg_over_time(runai_cpu_seconds_per_team:daily{{clusterId="{cluster}"}}[{window}])',
        }
    """
    assert findings(code, "queries.py") == [("RA441", 3, 32), ("RA441", 4, 32)]


def test_python_identifiers_starting_with_runai_stay_silent() -> None:
    code = """
    import os

    runai_client_id = os.environ["RUNAI_CLIENT_ID"]
    runai_url = "https://acme.run.ai"
    runai_projects = []
    first = runai_projects[0] if runai_projects else None
    total = sum(runai_projects)
    report = f"runai_usage_{runai_client_id}.csv"
    """
    assert findings(code, "settings.py") == []


def test_a_name_a_specific_row_covers_gives_only_that_row() -> None:
    code = """
    QUERY = 'max_over_time(runai_job_image{project="a"}[1h])'
    """
    assert findings(code, "q.py") == [("RA440", 1, 24)]


def test_dashboard_expr_with_an_unlisted_metric() -> None:
    code = """
    {"panels": [{"targets": [{"expr": "sum by (queue) (runai_queue_gpu_quota_share)"}]}]}
    """
    assert findings(code, "dash.json") == [("RA441", 1, 52)]


@pytest.mark.parametrize(("line", "expected"), [
    ('q = "runai_x{job=\\"a\\"}"', True),               # label selector
    ("q = f'runai_x{{pod=~\"{p}\"}}'", True),           # f-string escaped selector
    ('q = "rate(runai_x[5m])"', True),                  # range and function
    ('q = "runai_x[$__rate_interval]"', True),          # Grafana interval
    ('q = "sum by (pod) (runai_x)"', True),             # grouped aggregation
    ('q = "runai_x:hourly"', True),                     # recording-rule name
    ('q = "sum(runai_x)"', True),                       # sum inside a string
    ("n = sum(runai_x)", False),                        # Python's sum
    ("v = runai_x[0]", False),                          # an index
    ('f = "runai_x_{date}.csv"', False),                # a format placeholder
    ("print(runai_x)", False),                          # a Python call
])
def test_in_promql(line: str, expected: bool) -> None:
    start = line.index("runai_x")
    end = start + len("runai_x:hourly" if "runai_x:hourly" in line else "runai_x")
    assert in_promql(line, start, end) is expected


def test_scanner_marks_each_use() -> None:
    uses = [o for o in scan_metrics('a = "rate(runai_a[5m])"\nrunai_b = 1\n', "m.py").observations
            if isinstance(o, MetricUse)]
    assert [(u.name, u.location.line, u.location.column, u.in_promql) for u in uses] == [
        ("runai_a", 1, 11, True), ("runai_b", 2, 1, False)]
