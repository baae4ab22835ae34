"""runapy SDK calls map to operations through the spec's operationIds; JSON key reads are tied
to the operations a file calls; every catalog match kind has a matcher."""

from __future__ import annotations

import textwrap

from runai_audit.api import scan_text
from runai_audit.judge.context import snake_case
from runai_audit.models import SdkCall
from runai_audit.scanners.python.scanner import scan_python

SOURCE = textwrap.dedent("""\
    from runai.configuration import Configuration
    from runai.api_client import ApiClient
    from runai.runai_client import RunaiClient

    client = RunaiClient(ApiClient(Configuration(client_id=cid, client_secret=sec, runai_base_url=url)))
    projects = client.organizations.projects.get_projects()
    apps = client.authentication_and_authorization.applications.get_applications()
    client.organizations.node_pools.update_node_pool_labels(cluster_id, pool_id, body)
    names = ", ".join(p["name"] for p in projects)
    """)


def test_scanner_emits_sdk_calls_only_in_modules_that_import_runapy() -> None:
    calls = [o for o in scan_python(SOURCE, "sdk.py").observations if isinstance(o, SdkCall)]
    assert [(c.method, c.receiver, c.location.line, c.location.column) for c in calls] == [
        ("get_projects", "client.organizations.projects", 6, 42),
        ("get_applications", "client.authentication_and_authorization.applications", 7, 61),
        ("update_node_pool_labels", "client.organizations.node_pools", 8, 33),
    ]
    without_import = SOURCE.replace("from runai.", "from other.")
    assert not [o for o in scan_python(without_import, "sdk.py").observations if isinstance(o, SdkCall)]


def test_deprecated_sdk_methods_are_reported_with_their_replacement() -> None:
    findings = scan_text(SOURCE, "sdk.py", as_of="2026-11-28")
    assert [(f.rule_id, f.location.line, f.location.column, f.subject, f.replacement) for f in findings] == [
        ("RA509", 7, 61, "GET /api/v1/apps", "/api/v1/service-accounts"),
        ("RA119", 8, 33, "PUT /v1/k8s/clusters/{clusterId}/node-pools/{id}/labels", "PATCH /api/v1/node-pools/{nodepoolId}"),
    ]


def test_snake_case_follows_the_generator() -> None:
    assert snake_case("getProjects") == "get_projects"
    assert snake_case("v1GetStorageClasses") == "v1_get_storage_classes"
    assert snake_case("grant_token") == "grant_token"


def test_json_key_reads_are_observed_with_their_key_position() -> None:
    from runai_audit.models import FieldRead

    source = textwrap.dedent("""\
        for wl in resp.json()["workloads"]:
            links = wl.get("urls", [])
            idle = wl["idleGpus"]
            wl["name"] = "x"
            cfg.get(key)
        """)
    reads = [o for o in scan_python(source, "r.py").observations if isinstance(o, FieldRead)]
    assert [(r.name, r.location.line, r.location.column) for r in reads] == [
        ("workloads", 1, 23), ("urls", 2, 20), ("idleGpus", 3, 15),
    ]


def test_every_catalog_match_kind_has_a_matcher() -> None:
    from runai_audit.judge.matchers.registry import ENGINE_KINDS, matchers_by_kind
    from runai_audit.knowledge.catalog.matchkinds import MATCH_KINDS

    assert set(MATCH_KINDS) <= set(matchers_by_kind()) | ENGINE_KINDS
