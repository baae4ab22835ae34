"""Postman collections: nested folders, saved examples, {{variables}} and bodies."""

from __future__ import annotations

import json
from pathlib import Path

from runai_audit.models import ApiCall, BodyField, InputProblem, Observation, QueryParam, ServerSignal
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.traffic import scan_postman
from runai_audit.scanners.traffic.postman_requests import resolve_url

FIXTURE = Path(__file__).parent / "fixtures" / "traffic" / "runai.postman_collection.json"


def scan(file: Path) -> tuple[list[Observation], StreamStats]:
    stats = StreamStats()
    return list(scan_postman(file, "c.json", stats)), stats


def test_requests_in_nested_folders_and_saved_examples() -> None:
    observations, stats = scan(FIXTURE)
    assert [
        (o.method, o.url, o.location.line, o.location.pointer, o.runai_hint)
        for o in observations
        if isinstance(o, ApiCall)
    ] == [  # each at the line its URL is written ("url" or the URL object's "raw")
        ("POST", "https://runai.corp.example/api/v1/token", 35, "/item/0/item/0/request", True),
        ("POST", "https://runai.corp.example/api/v1/token", 53, "/item/0/item/0/response/0/originalRequest", True),
        ("POST", "https://runai.corp.example/api/v2/token", 109, "/item/0/item/1/request", True),
        ("GET", "https://runai.corp.example/v1/k8s/clusters/{*}/projects", 126, "/item/1/item/0/item/0/request", True),
        ("POST", "https://{*}.run.ai/api/v1/org-unit/projects", 183, "/item/1/item/1/request", True),
        ("DELETE", "{**}/api/v1/workloads/{*}", 190, "/item/1/item/2/request", True),  # {{runai_url}} hint
    ]
    assert (stats.entries, stats.unmatched, stats.problems) == (6, 0, [])


def test_saved_example_headers_become_signals() -> None:
    observations, _ = scan(FIXTURE)
    assert [(o.kind, o.value, o.url, o.location.line) for o in observations if isinstance(o, ServerSignal)] == [
        ("deprecation", "2024-12-31T23:59:59Z", "https://runai.corp.example/api/v1/token", 53),
    ]


def test_bodies_and_query_names() -> None:
    observations, _ = scan(FIXTURE)
    by_pointer = {o.location.pointer: o for o in observations if isinstance(o, ApiCall)}
    raw_json = by_pointer["/item/0/item/0/request"]
    # {{appId}} is quoted (a string, not enum-like); the bare {{ttl}} is read as null
    assert raw_json.body == (
        BodyField("grantType", "app_token"), BodyField("AppId"), BodyField("AppSecret"), BodyField("expires"),
    )
    urlencoded = by_pointer["/item/0/item/1/request"]  # the disabled "scope" was not sent
    assert urlencoded.body == (
        BodyField("grant_type", "client_credentials"), BodyField("client_id", "svc"), BodyField("client_secret"),
    )
    formdata = by_pointer["/item/1/item/1/request"]  # the file part has no field value
    assert formdata.body == (BodyField("name", "team-c"),)
    listing = by_pointer["/item/1/item/0/item/0/request"]  # "debug" is disabled
    assert listing.query == (QueryParam("api_key"), QueryParam("expand"))
    assert listing.evidence == "GET /v1/k8s/clusters/{*}/projects"


def test_base_variables() -> None:
    assert resolve_url("{{baseUrl}}/api/v1/nodes", {}).url == "{**}/api/v1/nodes"
    assert resolve_url("{{baseUrl}}/api/v1/nodes", {"baseUrl": "https://x.run.ai/"}).url == "https://x.run.ai/api/v1/nodes"
    assert resolve_url("{{ base }}/api/{{v}}/nodes", {"base": "{{other}}"}).url == "{**}/api/{*}/nodes"
    hinted = resolve_url("{{RUNAI_BASE_URL}}/api/v1/nodes", {})
    assert (hinted.url, hinted.host, hinted.runai_hint) == ("{**}/api/v1/nodes", "", True)
    parts = {"protocol": "https", "host": ["acme", "run", "ai"], "path": ["api", "v1", ":id"], "query": []}
    assert resolve_url(parts, {}).url == "https://acme.run.ai/api/v1/{*}"


def test_unknown_base_is_judged_by_paths(tmp_path: Path) -> None:
    items = [
        {"name": "a", "request": {"method": "GET", "url": "{{base}}/health"}},
        {"name": "b", "request": {"method": "GET", "url": "{{base}}/api/v1/org-unit/projects"}},
        {"name": "c", "request": "https://www.example.org/page"},
    ]
    (tmp_path / "c.json").write_text(json.dumps({"info": {"name": "x"}, "item": items}, indent=2))
    observations, stats = scan(tmp_path / "c.json")
    assert [(o.url, o.location.pointer) for o in observations if isinstance(o, ApiCall)] == [
        ("{**}/health", "/item/0/request"), ("{**}/api/v1/org-unit/projects", "/item/1/request"),
    ]
    assert (stats.entries, stats.unmatched) == (3, 1)


def test_a_json_file_without_items_is_reported(tmp_path: Path) -> None:
    (tmp_path / "c.json").write_text('{"info": {"name": "not a collection"}}')
    observations, stats = scan(tmp_path / "c.json")
    assert observations == []
    assert stats.problems == [InputProblem("c.json", "not a Postman collection: no item array")]


def test_a_request_points_at_the_column_of_its_url_key() -> None:
    observations, _ = scan(FIXTURE)
    places = {o.location.pointer: (o.location.line, o.location.column) for o in observations if isinstance(o, ApiCall)}
    assert places["/item/0/item/0/request"] == (35, 8)  # "raw": "{{baseUrl}}/api/v1/token"
    assert places["/item/0/item/1/request"] == (109, 7)  # "url": "{{baseUrl}}/api/v2/token"
