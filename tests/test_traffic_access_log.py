"""Access logs: nginx combined, ingress-nginx upstreaminfo and custom --log-format."""

from __future__ import annotations

from pathlib import Path

import pytest

from runai_audit.models import ApiCall, Confidence, InputProblem, Observation, QueryParam, Usage
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.traffic import TrafficOptions, scan_access_log
from runai_audit.scanners.traffic.log_formats import LogFormatError, compile_format

FIXTURES = Path(__file__).parent / "fixtures" / "traffic"
CUSTOM = 'time=$time_iso8601 host=$host method=$request_method uri=$uri args=$args status=$status ua="$http_user_agent"'


def scan(file: Path, options: TrafficOptions | None = None) -> tuple[list[Observation], StreamStats]:
    stats = StreamStats()
    return list(scan_access_log(file, file.name, stats, options)), stats


def summary(observations: list[Observation]) -> list[tuple[str, str, int, tuple[QueryParam, ...], Usage | None]]:
    return [(o.method, o.url, o.location.line, o.query, o.usage) for o in observations if isinstance(o, ApiCall)]


def test_ingress_nginx_upstreaminfo_judged_by_upstream_name() -> None:
    observations, stats = scan(FIXTURES / "ingress.log")
    assert summary(observations) == [
        ("GET", "/api/v1/workloads", 1, (QueryParam("filterBy"), QueryParam("token")),
         Usage(1, "2025-06-02T10:00:00Z", "2025-06-02T10:00:00Z", ("python-requests/2.32.3",))),
        ("POST", "/v1/k8s/auth/oauth/apptoken", 4, (),
         Usage(1, "2025-06-02T10:00:02Z", "2025-06-02T10:00:02Z", ("curl/8.5.0",))),  # +0200 -> UTC
    ]
    assert all(o.runai_hint and o.confidence is Confidence.MEDIUM for o in observations if isinstance(o, ApiCall))
    assert (stats.entries, stats.unmatched) == (3, 1)  # the grafana upstream is not Run:ai's
    assert stats.problems == [InputProblem(
        "ingress.log",
        "2 lines did not match the upstreaminfo or combined access log format (first at line 3); "
        "pass --log-format to describe yours",
        3,
    )]


def test_combined_without_hosts_is_judged_by_the_paths_served() -> None:
    observations, stats = scan(FIXTURES / "combined.log")
    assert [(o.method, o.url, o.location.line) for o in observations if isinstance(o, ApiCall)] == [
        ("GET", "/index.html", 1),  # held, released once /v1/k8s/ shows the log is Run:ai's
        ("GET", "/v1/k8s/clusters/c0ffee/projects", 2),  # trailing "$http_x_forwarded_for" tolerated
    ]
    assert (stats.entries, stats.unmatched, stats.problems) == (3, 1, [])  # the "-" request line


def test_custom_log_format_with_host() -> None:
    observations, stats = scan(FIXTURES / "custom.log", TrafficOptions(log_format=CUSTOM))
    assert summary(observations) == [
        ("PATCH", "https://runai.corp.example/api/v1/org-unit/projects/7", 1, (QueryParam("dryRun"),),
         Usage(1, "2025-06-02T10:00:00Z", "2025-06-02T10:00:00Z", ("runai-cli/2.20",))),
    ]
    assert (stats.entries, stats.unmatched, stats.problems) == (2, 1, [])


def test_custom_format_as_written_in_nginx_conf(tmp_path: Path) -> None:
    conf = "'$remote_addr [$time_local] '\n    '\"$request\" $status \"$http_user_agent\" $host';"
    (tmp_path / "a.log").write_text(
        '10.0.0.1 [02/Jun/2025:10:00:00 +0000] "DELETE /api/v1/apps/7 HTTP/2.0" 204 "runai-cli" acme.run.ai\n'
    )
    observations, _ = scan(tmp_path / "a.log", TrafficOptions(log_format=conf))
    assert [(o.method, o.url, o.confidence) for o in observations if isinstance(o, ApiCall)] == [
        ("DELETE", "https://acme.run.ai/api/v1/apps/7", Confidence.HIGH),
    ]


def test_container_runtime_prefixes_are_stripped(tmp_path: Path) -> None:
    line = (FIXTURES / "ingress.log").read_text().splitlines()[0]
    (tmp_path / "c.log").write_text(f"2025-06-02T10:00:00.123456789Z stdout F {line}\n")
    observations, stats = scan(tmp_path / "c.log")
    assert [(o.url, o.location.line) for o in observations if isinstance(o, ApiCall)] == [("/api/v1/workloads", 1)]
    assert stats.problems == []


def test_a_format_without_a_request_variable_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "x.log").write_text("anything\n")
    with pytest.raises(LogFormatError):
        compile_format("$remote_addr $status")
    observations, stats = scan(tmp_path / "x.log", TrafficOptions(log_format="$remote_addr $status"))
    assert observations == []
    assert stats.problems == [InputProblem("x.log", "the log format has no $request, $request_uri or $uri")]


def test_over_long_lines_are_skipped_and_reported(tmp_path: Path) -> None:
    good = (FIXTURES / "ingress.log").read_text().splitlines()[0]
    (tmp_path / "long.log").write_text(f'{good}\n10.0.0.1 - - [x] "GET /{"a" * 3_000_000} HTTP/1.1"\n{good}\n')
    observations, stats = scan(tmp_path / "long.log")
    assert [o.location.line for o in observations] == [1, 3]
    assert stats.problems == [InputProblem("long.log", "1 line longer than 1024 KB skipped (first at line 2)", 2)]
