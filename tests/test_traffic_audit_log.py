"""Kubernetes audit logs: run.ai Cluster API calls, one per request, controllers left out."""

from __future__ import annotations

import json
from pathlib import Path

from runai_audit.models import ApiCall, BodyField, InputProblem, Observation, QueryParam, ServerSignal, Usage
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.traffic import TrafficOptions, scan_audit_log
from runai_audit.scanners.traffic.audit_events import RecentIds

FIXTURE = Path(__file__).parent / "fixtures" / "traffic" / "audit.jsonl"
KUBECTL = "kubectl/v1.30.1 (linux/amd64) kubernetes/7c48c2b"


def scan(file: Path, options: TrafficOptions | None = None) -> tuple[list[Observation], StreamStats]:
    stats = StreamStats()
    return list(scan_audit_log(file, "audit.jsonl", stats, options)), stats


def calls(observations: list[Observation]) -> list[tuple[str, str, int, str]]:
    return [(o.method, o.url, o.location.line, o.location.pointer) for o in observations if isinstance(o, ApiCall)]


EXPECTED = [
    ("POST", "/apis/run.ai/v2alpha1/namespaces/runai-team-a/trainingworkloads", 1, ""),
    ("GET", "/apis/run.ai/v1/projects", 6, ""),  # a CI service account is the user's, not a controller
    ("GET", "/apis/run.ai/v2alpha1/namespaces/runai-team-a/interactiveworkloads", 7, ""),  # watch, 2 stages
    ("DELETE", "/apis/run.ai/v2alpha1/namespaces/runai-team-a/trainingworkloads/train-1", 8, ""),  # from objectRef
]


def test_one_call_per_request_and_only_run_ai_group() -> None:
    observations, stats = scan(FIXTURE)
    assert calls(observations) == EXPECTED
    # 7 requests (9 events); batch/v1 job, scheduling.run.ai queue and the Run:ai operator unmatched
    assert (stats.entries, stats.unmatched, stats.problems) == (7, 3, [])


def test_usage_callers_are_user_and_user_agent() -> None:
    observations, _ = scan(FIXTURE)
    create = observations[0]
    assert isinstance(create, ApiCall)
    assert create.usage == Usage(1, "2025-06-02T10:00:00Z", "2025-06-02T10:00:00Z", ("alice@example.com", KUBECTL))
    assert create.query == (QueryParam("fieldManager"),)
    assert create.evidence == "POST /apis/run.ai/v2alpha1/namespaces/runai-team-a/trainingworkloads"
    assert create.body[-2:] == (BodyField("spec.nodePool"), BodyField("spec.nodePool.value", "default"))


def test_deprecated_annotation_on_a_later_stage_becomes_one_signal() -> None:
    observations, _ = scan(FIXTURE)
    found = [(o.kind, o.value, o.method, o.url, o.location.line, o.text) for o in observations if isinstance(o, ServerSignal)]
    assert found == [(
        "deprecation", "true", "POST", "/apis/run.ai/v2alpha1/namespaces/runai-team-a/trainingworkloads", 3,
        "removed in release 2.26",
    )]


def test_controllers_can_be_included_and_more_users_excluded() -> None:
    with_controllers, stats = scan(FIXTURE, TrafficOptions(include_service_accounts=True))
    assert ("PUT", "/apis/run.ai/v2alpha1/namespaces/runai-team-a/trainingworkloads/train-1/status", 4, "") in calls(
        with_controllers
    )
    assert stats.unmatched == 2
    without_bob, _ = scan(FIXTURE, TrafficOptions(exclude_users=("bob@*",)))
    assert calls(without_bob) == EXPECTED[:2]


def _event(audit_id: str, name: str) -> dict[str, object]:
    return {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "auditID": audit_id, "stage": "ResponseComplete",
        "verb": "get", "user": {"username": "carol"}, "userAgent": "k9s/0.32",
        "requestURI": f"/apis/run.ai/v2alpha1/namespaces/runai-x/trainingworkloads/{name}",
        "objectRef": {"apiGroup": "run.ai", "apiVersion": "v2alpha1", "resource": "trainingworkloads",
                      "namespace": "runai-x", "name": name},
        "requestReceivedTimestamp": "2025-06-02T11:00:00.000000Z",
    }


def test_event_list_lines_pretty_documents_and_arrays(tmp_path: Path) -> None:
    event_list = {"kind": "EventList", "apiVersion": "audit.k8s.io/v1", "items": [_event("a", "one"), _event("b", "two")]}
    (tmp_path / "webhook.jsonl").write_text(json.dumps(event_list) + "\n" + json.dumps(_event("c", "three")) + "\n")
    observations, stats = scan(tmp_path / "webhook.jsonl")
    assert [(o.url.rsplit("/", 1)[1], o.location.line, o.location.pointer) for o in observations if isinstance(o, ApiCall)] == [
        ("one", 1, "/items/0"), ("two", 1, "/items/1"), ("three", 2, ""),
    ]
    assert stats.entries == 3
    pretty = json.dumps(event_list, indent=2)
    (tmp_path / "pretty.json").write_text(pretty)
    observations, stats = scan(tmp_path / "pretty.json")
    item_lines = [n for n, text in enumerate(pretty.splitlines(), 1) if text == "    {"]
    assert [(o.location.line, o.location.pointer) for o in observations] == [
        (item_lines[0], "/items/0"), (item_lines[1], "/items/1"),
    ]
    assert item_lines[0] == 5
    assert (stats.entries, stats.problems) == (2, [])
    array = json.dumps([_event("d", "four"), _event("e", "five")], indent=1)
    (tmp_path / "array.json").write_text(array)
    observations, _ = scan(tmp_path / "array.json")
    item_lines = [n for n, text in enumerate(array.splitlines(), 1) if text == " {"]
    assert [(o.location.line, o.location.pointer) for o in observations] == [(item_lines[0], "/0"), (item_lines[1], "/1")]


def test_a_line_longer_than_the_cap_is_streamed_without_its_response(tmp_path: Path) -> None:
    big = _event("f", "six") | {"responseObject": {"items": ["x" * 1000] * 3000}}  # ~3 MB on one line
    (tmp_path / "big.jsonl").write_text(json.dumps(_event("g", "seven")) + "\n" + json.dumps(big) + "\n")
    observations, stats = scan(tmp_path / "big.jsonl", TrafficOptions(max_line_kb=64))
    assert [(o.url.rsplit("/", 1)[1], o.location.line) for o in observations if isinstance(o, ApiCall)] == [
        ("seven", 1), ("six", 2),
    ]
    assert (stats.entries, stats.problems) == (2, [])


def test_lines_that_are_not_events_are_summarised_once(tmp_path: Path) -> None:
    good = json.dumps(_event("h", "eight"))
    (tmp_path / "mixed.jsonl").write_text(f"{good}\nnot json at all\n{{\"kind\": \"Other\"}}\n[1, 2\n")
    observations, stats = scan(tmp_path / "mixed.jsonl")
    assert calls(observations) == [("GET", "/apis/run.ai/v2alpha1/namespaces/runai-x/trainingworkloads/eight", 1, "")]
    assert stats.problems == [InputProblem("audit.jsonl", "3 lines are not JSON audit events (first at line 2)", 2)]


def test_recent_ids_window_forgets_the_oldest() -> None:
    recent = RecentIds(size=2)
    recent.put("a", 1)
    recent.put("b", 1)
    recent.put("c", 1)
    assert (recent.get("a"), recent.get("b"), recent.get("c")) == (None, 1, 1)
