"""Judging Run:ai hosts in one pass: names, user hosts, inference from paths, the bounded look-back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runai_audit.knowledge.paths import is_runai_host
from runai_audit.models import ApiCall, Confidence, InputProblem
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.traffic import scan_har
from runai_audit.scanners.traffic.hosts import MAX_PENDING_PER_HOST, HostJudge, Kind, host_names_runai


def _write_har(file: Path, urls: list[str]) -> None:
    entries = [
        {"startedDateTime": "2025-06-02T08:00:00Z", "request": {"method": "GET", "url": u}, "response": {}}
        for u in urls
    ]
    file.write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}, indent=2))


def _scan(file: Path) -> tuple[list[ApiCall], StreamStats]:
    stats = StreamStats()
    found = [o for o in scan_har(file, "t.har", stats) if isinstance(o, ApiCall)]
    return found, stats


@pytest.mark.parametrize(
    ("host", "expected"),
    [("run.ai", True), ("acme.run.ai", True), ("ACME.Run.AI:443", True), ("blockrun.ai", False),
     ("run.ai.evil.example", False), ("", False)],
)
def test_runai_domain(host: str, expected: bool) -> None:
    assert is_runai_host(host) is expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [("runai.acme.com", True), ("acme-runai.internal:8443", True), ("run-ai.corp", True),
     ("brunai.example", False), ("runaiway.example", False)],
)
def test_host_names_that_say_runai(host: str, expected: bool) -> None:
    assert host_names_runai(host) is expected


def test_a_host_serving_runai_paths_is_inferred_and_its_earlier_requests_released(tmp_path: Path) -> None:
    file = tmp_path / "t.har"
    _write_har(file, [
        "https://gpu.corp.example/api/v1/users",  # not Run:ai-shaped on its own
        "https://cdn.example.com/app.js",
        "https://gpu.corp.example/v1/k8s/clusters/c1/projects",  # only Run:ai serves /v1/k8s/
        "https://gpu.corp.example/api/v1/users/me",
    ])
    found, stats = _scan(file)
    assert [(c.url, c.location.pointer, c.confidence, c.runai_hint) for c in found] == [
        ("https://gpu.corp.example/api/v1/users", "/log/entries/0", Confidence.MEDIUM, True),
        ("https://gpu.corp.example/v1/k8s/clusters/c1/projects", "/log/entries/2", Confidence.MEDIUM, True),
        ("https://gpu.corp.example/api/v1/users/me", "/log/entries/3", Confidence.MEDIUM, True),
    ]
    assert (stats.entries, stats.unmatched, stats.problems) == (4, 1, [])


def test_requests_beyond_the_look_back_are_reported_when_the_host_is_inferred(tmp_path: Path) -> None:
    early = [f"https://gpu.corp.example/api/v1/users/{n}" for n in range(MAX_PENDING_PER_HOST + 5)]
    file = tmp_path / "t.har"
    _write_har(file, [*early, "https://gpu.corp.example/api/v1/org-unit/projects"])
    found, stats = _scan(file)
    assert [c.location.pointer for c in found] == [f"/log/entries/{n}" for n in range(MAX_PENDING_PER_HOST)] + [
        f"/log/entries/{MAX_PENDING_PER_HOST + 5}"
    ]
    assert (stats.entries, stats.unmatched) == (MAX_PENDING_PER_HOST + 6, 5)
    assert stats.problems == [InputProblem(
        "t.har",
        "5 earlier requests to hosts recognised as Run:ai only later in the file were not audited: "
        "gpu.corp.example (5); name these hosts with --host to include them",
    )]


def test_judge_classifies_and_caches() -> None:
    judge = HostJudge(("*.gpu.example",))
    assert judge.classify("a.gpu.example") is Kind.NAMED
    assert judge.classify("runai.corp") is Kind.HINTED
    assert judge.classify("www.example.org") is Kind.UNKNOWN
    assert judge.judge("www.example.org", "/api/v1/workloads").kind is Kind.INFERRED
    assert judge.classify("www.example.org") is Kind.INFERRED
