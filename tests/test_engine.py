"""The engine against hand-written rules, the bundled specs and a test release calendar."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from runai_audit.judge.context import EngineContext, SpecLibrary
from runai_audit.judge.engine import aggregate_usage, evaluate
from runai_audit.knowledge.catalog.model import Rule
from runai_audit.knowledge.specs import bundled_versions, load_bundled
from runai_audit.models import (
    ApiCall,
    BodyField,
    Confidence,
    Location,
    QueryParam,
    ServerSignal,
    Severity,
    Status,
    Target,
    Usage,
)
from tests.test_lifecycle import Calendar


def rule(rule_id: str, kind: str, match: dict[str, object], **kw: object) -> Rule:
    return Rule(id=rule_id, title=kw.pop("title", rule_id), match_kind=kind,  # type: ignore[arg-type]
                match=MappingProxyType(match), replacement=str(kw.pop("replacement", "none")),
                sources=("test",), **kw)  # type: ignore[arg-type]


GENERIC = tuple(
    rule(i, "generic", {}, severity=sev)
    for i, sev in [("RA100", None), ("RA190", None), ("RA191", None), ("RA290", None), ("RA291", None),
                   ("RA292", None), ("RA700", "warning"), ("RA701", "warning"), ("RA702", "warning"),
                   ("RA900", "note")]
)
PROJECTS = rule("RA104", "endpoint", {"methods": ["GET", "POST"], "path": "/v1/k8s/clusters/{clusterId}/projects"},
                deprecated_in="2.18", replacement="/api/v1/org-unit/projects")
PROJECT = rule("RA105", "endpoint", {"methods": ["GET"], "path": "/v1/k8s/clusters/{clusterId}/projects/{id}"},
               deprecated_in="2.18", replacement="/api/v1/org-unit/projects/{projectId}")
PROJECT_METRICS = rule("RA106", "endpoint", {"methods": ["GET"], "path": "/v1/k8s/clusters/{clusterUuid}/projects/metrics"},
                       deprecated_in="2.18", replacement="/api/v1/org-unit/projects/telemetry")
APPS = rule("RA501", "endpoint", {"methods": ["DELETE"], "path": "/api/v1/apps/{appId}"},
            deprecated_in="2.24", removed_in="3.0", replacement="/api/v1/service-accounts/{serviceAccountId}")
APP_ID = rule("RA510", "body_field", {"endpoints": ["POST /api/v1/token"], "field": "appID", "case_insensitive": True},
              deprecated_in="2.20", replacement="clientID")
APP_TOKEN = rule("RA511", "enum_value", {"endpoints": ["POST /api/v1/token"], "field": "grantType", "value": "app_token"},
                 deprecated_in="2.20", replacement="client_credentials")
RULES = (*GENERIC, PROJECTS, PROJECT, PROJECT_METRICS, APPS, APP_ID, APP_TOKEN)


def context(target: str = "2.24", deployment: str = "self-hosted", rules: tuple[Rule, ...] = RULES) -> EngineContext:
    cal = Calendar()
    specs = SpecLibrary(load_bundled(target) if target in bundled_versions() else None,
                        bundled_versions(), load_bundled, cal.compare)
    return EngineContext(rules, cal, Target(deployment, target, "2026-11-28"), specs)


def call(url: str, method: str = "GET", line: int = 3, col: int = 5, **kw: object) -> ApiCall:
    return ApiCall(method=method, url=url, location=Location("a.py", line, col), **kw)  # type: ignore[arg-type]


def found(*calls: object, ctx: EngineContext | None = None, mentions: bool = False) -> list[tuple[str, int, int, str]]:
    out = evaluate(calls, ctx or context(), file_mentions_runai=mentions)  # type: ignore[arg-type]
    return sorted((f.rule_id, f.location.line, f.location.column, f.status.value) for f in out)


def test_deprecated_endpoint_behind_unknown_base_with_runai_name() -> None:
    findings = list(evaluate([call("{**}/v1/k8s/clusters/{*}/projects")], context()))
    assert [(f.rule_id, f.location.line, f.location.column) for f in findings] == [("RA104", 3, 5)]
    f = findings[0]
    assert f.subject == "GET /v1/k8s/clusters/{clusterId}/projects"
    assert f.replacement == "/api/v1/org-unit/projects"
    assert (f.status, f.severity, f.breaks_in) == (Status.REMOVED, Severity.ERROR, "2.21")
    assert "/api/v1/org-unit/projects" in f.message


def test_same_call_is_deprecated_at_an_older_target() -> None:
    findings = list(evaluate([call("https://acme.run.ai/v1/k8s/clusters/7/projects")], context("2.20")))
    assert [(f.rule_id, f.status, f.severity) for f in findings] == [("RA104", Status.DEPRECATED, Severity.WARNING)]
    assert findings[0].message.startswith("GET /v1/k8s/clusters/{clusterId}/projects is deprecated since 2.18, supported through 2.20")


def test_concrete_segment_beats_template() -> None:
    assert found(call("https://acme.run.ai/v1/k8s/clusters/c1/projects/metrics")) == [("RA106", 3, 5, "removed")]
    assert found(call("https://acme.run.ai/v1/k8s/clusters/c1/projects/17")) == [("RA105", 3, 5, "removed")]


@pytest.mark.parametrize(
    "url",
    [
        "https://api.example.com/v1/k8s/clusters/1/projects",  # third-party host
        "https://api.blockrun.ai/v1/k8s/clusters/1/projects",  # merely contains run.ai
        "https://acme.run.ai/v1/k8s/setting",  # live /v1/k8s operation
        "{**}/api/v1/namespaces/{*}/pods",  # the Kubernetes API
        "https://acme.run.ai/cluster-api/v1/workloads/x/logs",  # the current per-cluster API
        "https://acme.run.ai/api/v1/org-unit/projects",  # the replacement itself
    ],
)
def test_silent(url: str) -> None:
    assert found(call(url), mentions=True) == []


def test_generic_api_path_on_unknown_host_needs_runai_context() -> None:
    apps = call("{**}/api/v1/apps/{*}", method="DELETE")
    assert found(apps, mentions=False) == []
    assert found(apps, mentions=True) == [("RA501", 3, 5, "deprecated")]
    hinted = call("{**}/api/v1/apps/{*}", method="DELETE", runai_hint=True)
    findings = list(evaluate([hinted], context()))
    assert findings[0].confidence is Confidence.HIGH
    weak = list(evaluate([apps], context(), file_mentions_runai=True))
    assert weak[0].confidence is Confidence.MEDIUM


def test_unsupported_and_removed_from_spec() -> None:
    assert found(call("https://acme.run.ai/api/v1/internal/scheduler-debug")) == [("RA100", 3, 5, "unsupported")]
    # /v1/k8s/users left the spec in 2.23; with no catalog row the spec history says "removed".
    assert found(call("https://acme.run.ai/v1/k8s/users")) == [("RA191", 3, 5, "removed")]
    # A weak, context-only judgement is never enough to call a path unsupported.
    assert found(call("{**}/api/v1/internal/scheduler-debug"), mentions=True) == []


def test_token_body_value_and_fields() -> None:
    body = (
        BodyField("grantType", "app_token", Location("a.py", 4, 9)),
        BodyField("AppId", "x", Location("a.py", 5, 9)),
        BodyField("appSecret", None, Location("a.py", 6, 9)),
    )
    result = found(call("https://acme.run.ai/api/v1/token", method="POST", body=body))
    # RA510 catches AppId case-insensitively; the spec flags appSecret (RA291); RA511 the value.
    # Deprecated in 2.20, so past its sunset (removable from 2.23) at 2.24.
    assert result == [("RA291", 6, 9, "deprecated"), ("RA510", 5, 9, "removed"), ("RA511", 4, 9, "removed")]


def test_spec_flagged_query_parameter() -> None:
    query = (QueryParam("scopeType", Location("a.py", 7, 20)), QueryParam("filterBy", None))
    assert found(call("https://acme.run.ai/api/v1/authorization/access-rules", query=query)) == [
        ("RA290", 7, 20, "deprecated")
    ]


def test_server_signal_and_usage_aggregation() -> None:
    usage1 = Usage(1, "2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z", ("curl/8",))
    usage2 = Usage(1, "2026-02-01T00:00:00Z", "2026-02-01T00:00:00Z", ("python-requests/2",))
    calls = [
        ApiCall("GET", "https://acme.run.ai/v1/k8s/clusters/1/projects", Location("t.har", 0, 0, f"/log/entries/{i}"),
                usage=u)
        for i, u in enumerate([usage1, usage2])
    ]
    sig = ServerSignal("sunset", "GET", "https://acme.run.ai/api/v1/apps", Location("t.har", 0, 0, "/log/entries/0"),
                       value="2026-12-31", usage=usage1)
    merged = aggregate_usage(evaluate([*calls, sig], context()))
    by_rule = {f.rule_id: f for f in merged}
    assert sorted(by_rule) == ["RA104", "RA701"]
    usage = by_rule["RA104"].usage
    assert usage == Usage(2, "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z", ("curl/8", "python-requests/2"))
    assert by_rule["RA104"].location.pointer == "/log/entries/0"
    assert by_rule["RA701"].severity is Severity.WARNING and "2026-12-31" in by_rule["RA701"].message


def test_saas_deployment_uses_dates() -> None:
    result = list(evaluate([call("https://acme.run.ai/api/v1/apps/9", method="DELETE")], context(deployment="saas")))
    # 2.24 (2025-12-15 in the test calendar) + 6 months = 2026-06-15, before the as-of date.
    assert [(f.rule_id, f.status, f.sunset) for f in result] == [("RA501", Status.REMOVED, "2026-06-15")]


@pytest.mark.parametrize("url", ["{**}", "{**}/{*}", "{**}/apps/{*}", "{**}/users"])
def test_vague_urls_with_unknown_base_match_nothing(url: str) -> None:
    assert found(call(url, method="DELETE", runai_hint=True), mentions=True) == []


def test_signals_on_different_ids_group_under_the_operation_template() -> None:
    signals = [
        ServerSignal("sunset", "GET", f"https://acme.run.ai/api/v1/apps/{app}", Location("t.har", 0, 0, f"/log/entries/{i}"),
                     value="2026-12-31T00:00:00Z", usage=Usage(1, None, None, ()))
        for i, app in enumerate(["7", "9"])
    ]
    [finding] = aggregate_usage(evaluate(signals, context()))
    assert (finding.rule_id, finding.subject, finding.usage.count if finding.usage else 0) == (
        "RA701", "GET /api/v1/apps/{appId}", 2)


def test_a_path_that_leaves_the_operation_open_gives_one_low_confidence_finding() -> None:
    findings = list(evaluate([call("{**}/v1/k8s/clusters/{*}/{*}", runai_hint=True)], context()))
    assert [(f.rule_id, f.subject, f.confidence) for f in findings] == [
        ("RA104", "GET /v1/k8s/clusters/{*}/{*}", Confidence.LOW)
    ]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://runai.mycorp.com/v1/k8s/clusters/x/projects", [("RA104", 3, 5, "removed")]),
        ("http://10.1.2.3/v1/k8s/clusters/x/projects", [("RA104", 3, 5, "removed")]),
        ("http://localhost:8080/v1/k8s/clusters/x/projects", [("RA104", 3, 5, "removed")]),
        ("https://api.blockrun.ai/v1/k8s/clusters/x/projects", []),
        ("https://runai.mycorp.com/api/v1/internal/x", []),  # a generic path needs --host
    ],
)
def test_self_hosted_looking_hosts_with_runai_only_paths(url: str, expected: list[tuple[str, int, int, str]]) -> None:
    assert found(call(url)) == expected
