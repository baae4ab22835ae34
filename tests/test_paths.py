from __future__ import annotations

import pytest

from runai_audit.knowledge.paths import (
    MatchScore,
    ParsedUrl,
    PathTemplate,
    best_match,
    is_runai_host,
    normalise_path,
    parse_url,
    split_path,
)
from runai_audit.knowledge.specs import load_bundled
from runai_audit.knowledge.specs.template_set import TemplateSet

# --------------------------------------------------------------------------- parse_url

PARSE_CASES = [
    ("full_url", "https://app.run.ai/api/v1/projects", ParsedUrl("app.run.ai", "/api/v1/projects")),
    ("port_and_case", "HTTPS://Tenant.Run.AI:443/api/v1/x", ParsedUrl("tenant.run.ai", "/api/v1/x")),
    ("credentials_dropped", "https://user:pw@app.run.ai/api", ParsedUrl("app.run.ai", "/api")),
    ("ipv6", "http://[::1]:8080/api/v1/x", ParsedUrl("::1", "/api/v1/x")),
    ("bare_path", "/api/v1/projects", ParsedUrl(None, "/api/v1/projects")),
    ("relative_path", "api/v1/users", ParsedUrl(None, "/api/v1/users")),
    ("host_and_path", "app.run.ai/api/v1/token", ParsedUrl("app.run.ai", "/api/v1/token")),
    ("localhost_port", "localhost:8080/api/v1/x", ParsedUrl("localhost", "/api/v1/x")),
    ("trailing_slash", "/api/v1/projects/", ParsedUrl(None, "/api/v1/projects")),
    ("root_kept", "https://app.run.ai/", ParsedUrl("app.run.ai", "/")),
    ("host_only", "https://app.run.ai", ParsedUrl("app.run.ai", "/")),
    ("double_slashes", "https://app.run.ai//api///v1//x", ParsedUrl("app.run.ai", "/api/v1/x")),
    (
        "query_names_only",
        "/api/v1/nodes?nodeName=secret-node&limit=5&nodeName=again",
        ParsedUrl(None, "/api/v1/nodes", ("nodeName", "limit")),
    ),
    ("fragment_dropped", "/api/v1/x?a=1#frag", ParsedUrl(None, "/api/v1/x", ("a",))),
    ("percent_decoded", "/api/v1/org-unit/projects/my%20proj", ParsedUrl(None, "/api/v1/org-unit/projects/my proj")),
    ("percent_query_name", "/x?filter%5Bname%5D=1", ParsedUrl(None, "/x", ("filter[name]",))),
    (
        "unknown_base",
        "{**}/v1/k8s/clusters/{*}/projects",
        ParsedUrl(None, "{**}/v1/k8s/clusters/{*}/projects", (), True),
    ),
    ("unknown_host", "https://{*}/api/v1/apps/{*}", ParsedUrl(None, "/api/v1/apps/{*}")),
    ("unknown_base_query", "{**}/api/v1/apps/{*}?x={*}", ParsedUrl(None, "{**}/api/v1/apps/{*}", ("x",), True)),
    ("partial_segment", "/api/v1/org-unit/projects/proj-{*}", ParsedUrl(None, "/api/v1/org-unit/projects/{*}")),
    ("doc_placeholder", "/api/v1/org-unit/projects/{projectId}", ParsedUrl(None, "/api/v1/org-unit/projects/{*}")),
    ("encoded_wildcard", "/api/v1/apps/%7B*%7D", ParsedUrl(None, "/api/v1/apps/{*}")),
    ("unknown_base_alone", "{**}", ParsedUrl(None, "{**}/", (), True)),
    ("scheme_with_unknown_netloc", "https://{**}/api/v1/x", ParsedUrl(None, "{**}/api/v1/x", (), True)),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in PARSE_CASES], ids=[c[0] for c in PARSE_CASES])
def test_parse_url(text: str, expected: ParsedUrl) -> None:
    assert parse_url(text) == expected


def test_parsed_url_segments_skip_the_unknown_base() -> None:
    assert parse_url("{**}/v1/k8s/clusters/{*}").segments == ("v1", "k8s", "clusters", "{*}")
    assert parse_url("/").segments == ()


def test_query_values_never_survive_parsing() -> None:
    parsed = parse_url("https://app.run.ai/api/v1/token?clientSecret=hunter2&code=abc")
    assert "hunter2" not in repr(parsed)
    assert "abc" not in repr(parsed)
    assert parsed.query_names == ("clientSecret", "code")


def test_normalise_and_split() -> None:
    assert normalise_path("{**}//x/") == "{**}/x"
    assert split_path("{**}/a/b") == (("a", "b"), True)
    assert split_path("/") == ((), False)


# --------------------------------------------------------------------------- templates


def test_concrete_segment_scores_above_parameter() -> None:
    literal = PathTemplate("/api/v1/org-unit/projects/telemetry")
    param = PathTemplate("/api/v1/org-unit/projects/{projectId}")
    assert literal.match("/api/v1/org-unit/projects/telemetry") == MatchScore(5, 0, 0, 0, 0)
    assert param.match("/api/v1/org-unit/projects/telemetry") == MatchScore(4, 1, 0, 0, 0)
    assert literal.match("/api/v1/org-unit/projects/42") is None


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api/v1/org-unit/projects/telemetry", "/api/v1/org-unit/projects/telemetry"),
        ("/api/v1/org-unit/projects/8f1c", "/api/v1/org-unit/projects/{projectId}"),
        # An unresolved id is far likelier an id than the one literal word.
        ("/api/v1/org-unit/projects/{*}", "/api/v1/org-unit/projects/{projectId}"),
        ("{**}/projects/telemetry", "/api/v1/org-unit/projects/telemetry"),
    ],
)
def test_best_match_picks_most_specific(path: str, expected: str) -> None:
    templates = ["/api/v1/org-unit/projects/{projectId}", "/api/v1/org-unit/projects/telemetry", "/api/v1/projects"]
    found = best_match(templates, path)
    assert found is not None
    assert found.template == expected


def test_observed_wildcard_matches_one_segment_with_lower_score() -> None:
    template = PathTemplate("/v1/k8s/clusters/{clusterId}/projects")
    assert template.match("/v1/k8s/clusters/abc/projects") == MatchScore(4, 1, 0, 0, 0)
    assert template.match("/v1/k8s/clusters/{*}/projects") == MatchScore(4, 0, 1, 0, 0)
    assert template.match("/v1/k8s/{*}/{*}/projects") == MatchScore(3, 0, 2, 1, 0)
    assert template.match("/v1/k8s/clusters/projects") is None


def test_unknown_base_lets_template_match_the_tail() -> None:
    template = PathTemplate("/v1/k8s/clusters/{clusterId}/projects")
    assert template.match("{**}/clusters/{*}/projects") == MatchScore(2, 0, 1, 0, 2)
    assert template.match("{**}/v1/k8s/clusters/{*}/projects") == MatchScore(4, 0, 1, 0, 0)
    assert template.match("/clusters/{*}/projects") is None  # no unknown base: the head must match


def test_allow_prefix_skips_proxy_base_path() -> None:
    template = PathTemplate("/api/v1/workloads")
    assert template.match("/runai/api/v1/workloads") is None
    assert template.match("/runai/api/v1/workloads", allow_prefix=True) == MatchScore(3, 0, 0, 0, 1)
    assert template.match("/grafana/x/api/v1/workloads", allow_prefix=True) == MatchScore(3, 0, 0, 0, 2)


def test_rank_prefers_no_skip_when_all_else_ties() -> None:
    found = best_match(["/api/v1/workloads", "/runai/api/v1/workloads"], "/runai/api/v1/workloads", allow_prefix=True)
    assert found is not None
    assert found.template == "/runai/api/v1/workloads"


def test_partial_template_segment() -> None:
    template = PathTemplate("/api/v1/files/{name}.json")
    assert template.match("/api/v1/files/report.json") == MatchScore(3, 1, 0, 0, 0)
    assert template.match("/api/v1/files/report.yaml") is None


def test_exact_property() -> None:
    assert MatchScore(3, 1, 0, 0, 0).exact
    assert not MatchScore(3, 0, 1, 0, 0).exact
    assert not MatchScore(3, 0, 0, 0, 1).exact


def test_best_match_none_when_nothing_fits() -> None:
    assert best_match(["/api/v1/a"], "/api/v1/b") is None


# --------------------------------------------------------------------------- TemplateSet


def _observed_variants(template: str) -> list[tuple[str, bool]]:
    concrete = "/".join("x1" if s.startswith("{") else s for s in template.split("/"))
    wild = "/".join("{*}" if s.startswith("{") else s for s in template.split("/"))
    segments = [s for s in template.split("/") if s]
    tail = "{**}/" + "/".join(segments[-2:])
    return [
        (concrete, False),
        (wild, False),
        (tail, False),
        ("/proxy" + concrete, True),
        ("/proxy" + wild, True),
        (concrete.rsplit("/", 1)[0] + "/{*}", False),
        (tail, True),
    ]


def test_template_set_agrees_with_pairwise_matching_on_a_real_spec() -> None:
    templates = sorted({op.path for op in load_bundled("2.24").operations})
    compiled = [PathTemplate(t) for t in templates]
    trie = TemplateSet(compiled)
    checked = 0
    for template in templates[::3]:
        for path, allow_prefix in _observed_variants(template):
            observed, unknown_base = split_path(normalise_path(path))
            pairwise = sorted(
                ((score, t.template) for t in compiled if (score := t.match_segments(observed, unknown_base, allow_prefix))),
                key=lambda pair: (tuple(-r for r in pair[0].rank), pair[1]),
            )
            assert [(s, t.template) for s, t in trie.matches(path, allow_prefix)] == pairwise, (path, allow_prefix)
            checked += 1
    assert checked == 7 * len(templates[::3])


def test_template_set_root_and_empty() -> None:
    trie = TemplateSet(["/", "/api"])
    assert [t.template for _, t in trie.matches("/")] == ["/"]
    assert trie.matches("{**}") == []
    assert trie.best("/nothing") is None


# --------------------------------------------------------------------------- hosts


@pytest.mark.parametrize(
    "host",
    ["run.ai", "app.run.ai", "acme.run.ai", "ACME.Run.AI", "acme.run.ai.", "acme.run.ai:443"],
)
def test_runai_hosts(host: str) -> None:
    assert is_runai_host(host, ())


@pytest.mark.parametrize(
    "host",
    ["blockrun.ai", "notrun.ai", "run.ai.evil.com", "run.aix", "xrun.ai", "evil.com", "", None],
)
def test_not_runai_hosts(host: str | None) -> None:
    assert not is_runai_host(host, ())


def test_extra_hosts_exact_and_glob() -> None:
    extra = ["runai.corp.example", "*.gpu.example.org"]
    assert is_runai_host("runai.corp.example", extra)
    assert is_runai_host("RUNAI.corp.example:8443", extra)
    assert is_runai_host("eu.gpu.example.org", extra)
    assert not is_runai_host("gpu.example.org", extra)
    assert not is_runai_host("runai.corp.example.attacker.net", extra)
