"""Cluster API, Metrics API and CLI surfaces: matchers on hand-built observations, the metrics
and Kubernetes-client scanners, and the match-kind checks for their catalog rows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from runai_audit.judge.matchers.cli_command import match_cli
from runai_audit.judge.matchers.crd import k8s_resource, match_crd, match_crd_field, match_k8s_api
from runai_audit.judge.matchers.metric import match_metric
from runai_audit.knowledge.catalog.matchkinds import MATCH_KINDS, check_match
from runai_audit.knowledge.catalog.model import Rule
from runai_audit.models import (
    ApiCall,
    CliCall,
    Confidence,
    FieldRef,
    Location,
    ManifestObject,
    MetricUse,
    Observation,
)
from runai_audit.scanners.k8s_clients import scan_k8s_clients
from runai_audit.scanners.manifest.scanner import scan_manifest
from runai_audit.scanners.metrics import scan_metrics


def rule(kind: str, match: Mapping[str, Any], rule_id: str = "RA399") -> Rule:
    return Rule(id=rule_id, title="t", match_kind=kind, match=match, replacement="r", sources=("s",))


def loc(line: int, column: int, path: str = "f") -> Location:
    return Location(path, line, column)


def hits(matcher: Any, r: Rule, obs: Observation) -> list[tuple[int, int, str]]:
    return [(h.location.line, h.location.column, h.subject) for h in matcher(r, obs)]


# --------------------------------------------------------------------------- crd / crd_field

TRAINING = rule("crd", {"api_version": "run.ai/v2alpha1", "kinds": ("TrainingWorkload",)})
NODE_POOL = rule(
    "crd_field",
    {"api_version": "run.ai/v2alpha1", "kinds": ("InteractiveWorkload", "TrainingWorkload"), "field": "nodePool"},
)
MPI = rule(
    "crd",
    {
        "api_version": "kubeflow.org/v1alpha2",
        "kinds": ("MPIJob",),
        "markers": ({"field": "schedulerName", "equals": "runai-scheduler"}, {"field": "metadata.annotations.runai-cli-command"}),
    },
)


def manifest(api: str, kind: str, *fields: tuple[str, int, int, str | None], raw: str | None = None) -> ManifestObject:
    refs = tuple(FieldRef(path, loc(line, col), value) for path, line, col, value in fields)
    return ManifestObject(api, kind, loc(3, 1), refs, name="n", evidence=f"{api} {kind} n", raw=raw)


def test_crd_hit_at_the_object_with_a_masked_rest_snippet() -> None:
    raw = (
        "apiVersion: run.ai/v2alpha1\nkind: TrainingWorkload\nmetadata:\n  name: t\n  namespace: runai-team\n"
        "spec:\n  image: {value: repo/img:1}\n  environment:\n    items:\n      API_TOKEN: {value: hunter2}\n"
    )
    [hit] = match_crd(TRAINING, manifest("run.ai/v2alpha1", "TrainingWorkload", raw=raw))
    assert (hit.location.line, hit.location.column, hit.subject) == (3, 1, "run.ai/v2alpha1 TrainingWorkload")
    assert hit.snippet is not None
    assert hit.snippet.startswith("POST /api/v1/workloads/trainings\n{")
    assert '"image": "repo/img:1"' in hit.snippet
    assert '"name": "API_TOKEN"' in hit.snippet
    assert "hunter2" not in hit.snippet  # environment values may be secrets
    assert '"projectId": "<id of project team>"' in hit.snippet


def test_crd_without_raw_text_has_no_snippet_and_other_kinds_do_not_match() -> None:
    [hit] = match_crd(TRAINING, manifest("run.ai/v2alpha1", "TrainingWorkload"))
    assert hit.snippet is None
    assert list(match_crd(TRAINING, manifest("run.ai/v2alpha1", "InteractiveWorkload"))) == []
    assert list(match_crd(TRAINING, manifest("run.ai/v1alpha1", "TrainingWorkload"))) == []
    assert list(match_crd(TRAINING, CliCall(("runai", "submit"), loc(1, 1)))) == []


def test_mpijob_only_with_runai_markers() -> None:
    plain = manifest("kubeflow.org/v1alpha2", "MPIJob", ("spec.mpiReplicaSpecs.Worker.template.spec.schedulerName", 9, 11, "volcano"))
    assert list(match_crd(MPI, plain)) == []
    scheduled = manifest(
        "kubeflow.org/v1alpha2", "MPIJob", ("spec.mpiReplicaSpecs.Worker.template.spec.schedulerName", 9, 11, "runai-scheduler")
    )
    assert hits(match_crd, MPI, scheduled) == [(3, 1, "kubeflow.org/v1alpha2 MPIJob")]
    annotated = manifest("kubeflow.org/v1alpha2", "MPIJob", ("metadata.annotations.runai-cli-command", 5, 5, None))
    assert hits(match_crd, MPI, annotated) == [(3, 1, "kubeflow.org/v1alpha2 MPIJob")]


def test_crd_field_hits_the_key_under_spec_only() -> None:
    obj = manifest(
        "run.ai/v2alpha1",
        "InteractiveWorkload",
        ("spec.nodePool", 7, 3, None),
        ("spec.nodePool.value", 8, 5, "a"),
        ("spec.environment.items.nodePool", 12, 7, None),  # an environment variable of that name
        ("metadata.labels.nodePool", 4, 5, "x"),
    )
    assert hits(match_crd_field, NODE_POOL, obj) == [(7, 3, "run.ai/v2alpha1 InteractiveWorkload field spec.nodePool")]
    other_kind = manifest("run.ai/v2alpha1", "InferenceWorkload", ("spec.nodePool", 7, 3, None))
    assert list(match_crd_field(NODE_POOL, other_kind)) == []


def test_batch_job_with_runai_scheduler_is_not_a_crd_hit() -> None:
    text = "apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      schedulerName: runai-scheduler\n"
    [job] = scan_manifest(text, "job.yaml").observations
    for r in (TRAINING, MPI, rule("crd", {"api_version": "run.ai/v1", "kinds": ("RunaiJob",)})):
        assert list(match_crd(r, job)) == []


# --------------------------------------------------------------------------- k8s_api

K8S_TRAINING = rule("k8s_api", {"group": "run.ai", "versions": ("v1alpha1", "v2alpha1"), "plurals": ("trainingworkloads",)})


def call(url: str, method: str = "POST", confidence: Confidence = Confidence.HIGH) -> ApiCall:
    return ApiCall(method=method, url=url, location=loc(4, 6), confidence=confidence)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://k8s:6443/apis/run.ai/v2alpha1/namespaces/runai-a/trainingworkloads", ("run.ai", "v2alpha1", "trainingworkloads", True)),
        ("{**}/apis/run.ai/v2alpha1/namespaces/{*}/trainingworkloads/job-1", ("run.ai", "v2alpha1", "trainingworkloads", True)),
        ("/apis/run.ai/v1/runaijobs?watch=1", ("run.ai", "v1", "runaijobs", False)),
        ("/apis/scheduling.run.ai/v2/queues", ("scheduling.run.ai", "v2", "queues", False)),
        ("/apis/run.ai/v2alpha1", None),
        ("/api/v1/namespaces/runai-a/pods", None),
    ],
)
def test_kubernetes_resource_is_read_from_the_path(url: str, expected: tuple[str, str, str, bool] | None) -> None:
    assert k8s_resource(url) == expected


def test_k8s_api_hits_run_ai_group_paths() -> None:
    found = list(match_k8s_api(K8S_TRAINING, call("https://k8s:6443/apis/run.ai/v2alpha1/namespaces/runai-a/trainingworkloads")))
    assert [(h.location.line, h.location.column, h.subject, h.confidence) for h in found] == [
        (4, 6, "POST /apis/run.ai/v2alpha1/namespaces/{namespace}/trainingworkloads", Confidence.HIGH)
    ]


def test_k8s_api_unresolved_version_matches_with_lower_confidence() -> None:
    [hit] = match_k8s_api(K8S_TRAINING, call("{**}/apis/run.ai/{*}/namespaces/{*}/trainingworkloads", "*"))
    assert hit.confidence is Confidence.MEDIUM
    assert hit.subject == "ANY /apis/run.ai/{*}/namespaces/{namespace}/trainingworkloads"


@pytest.mark.parametrize(
    "url",
    [
        "/apis/scheduling.run.ai/v2/namespaces/runai-a/queues",  # the scheduler's own API
        "/apis/scheduling.run.ai/v1/namespaces/a/trainingworkloads",
        "https://cluster.example.com/cluster-api/v1/workloads",  # per-cluster API, current
        "/apis/run.ai/v2alpha1/namespaces/a/interactiveworkloads",  # another plural
        "/apis/run.ai/v3/namespaces/a/trainingworkloads",  # another version
        "/api/v1/workloads/trainings",
    ],
)
def test_k8s_api_hard_negatives(url: str) -> None:
    assert list(match_k8s_api(K8S_TRAINING, call(url))) == []


# --------------------------------------------------------------------------- metric

OLD_METRICS = rule("metric", {"names": ("runai_job_total_runtime", "runai_job_image")}, "RA431")


def test_metric_matches_exact_names_only() -> None:
    use = MetricUse("runai_job_total_runtime", loc(2, 17), "runai_job_total_runtime", via_grafana_proxy=True)
    [hit] = match_metric(OLD_METRICS, use)
    assert (hit.location.line, hit.location.column, hit.subject) == (2, 17, "metric runai_job_total_runtime")
    assert hit.detail == "metric runai_job_total_runtime through the Grafana datasource proxy"
    longer = MetricUse("runai_job_total_runtime_seconds", loc(1, 1))
    assert list(match_metric(OLD_METRICS, longer)) == []


def test_metrics_scanner_finds_names_in_promql_dashboards_and_rules() -> None:
    text = (
        '{"targets": [{"expr": "sum(runai_gpu_utilization_per_workload{project=\\"a\\"})"}]}\n'
        "- alert: Slow\n  expr: rate(runai_job_total_runtime[5m]) > 0\n"
        'requests.get(f"{G}/api/datasources/proxy/3/api/v1/query?query=avg%28runai_job_cpu_usage%29")\n'
        "my_runai_thing = runai_client.runai_x + $runai_y\n"
    )
    uses = [(u.name, u.location.line, u.location.column, u.via_grafana_proxy) for u in scan_metrics(text, "m.txt").observations]
    assert uses == [
        ("runai_gpu_utilization_per_workload", 1, 28, False),
        ("runai_job_total_runtime", 3, 14, False),
        ("runai_job_cpu_usage", 4, 69, True),
        ("runai_client", 5, 18, False),
    ]


def test_metrics_scanner_prefilter_and_evidence_is_the_name_only() -> None:
    assert scan_metrics("no metrics here: RUNAI_URL", "a.py").observations == []
    [use] = scan_metrics('q = "runai_job_image{secret_label=\\"x\\"}"', "a.py").observations
    assert isinstance(use, MetricUse) and use.evidence == "runai_job_image"


def metric_uses(text: str, path: str) -> list[tuple[str, int, int]]:
    return [(u.name, u.location.line, u.location.column) for u in scan_metrics(text, path).observations
            if isinstance(u, MetricUse)]


def test_metric_names_in_comments_are_prose_not_uses() -> None:
    python = (
        "import requests\n"
        'Q = "avg(runai_gpu_utilization_per_workload) by (workload_name)"  # was runai_job_image\n'
        "# the old runai_job_image metric is gone\n"
        'H = "#runai_job_total_runtime # not a comment inside a string"\n'
    )
    assert metric_uses(python, "m1.py") == [
        ("runai_gpu_utilization_per_workload", 2, 10),
        ("runai_job_total_runtime", 4, 7),
    ]
    shell = (
        'curl -s "$PROM/api/v1/query" --data-urlencode "query=sum(runai_job_total_runtime)"\n'
        "# runai_job_image no longer exists\n"
        "echo ${#jobs[@]} it's runai_job_cpu_usage # runai_x\n"
    )
    assert metric_uses(shell, "m2.sh") == [("runai_job_total_runtime", 1, 58), ("runai_job_cpu_usage", 3, 23)]
    script = 'const q = "runai_job_image"; // formerly runai_job_total_runtime\n'
    assert metric_uses(script, "panel.ts") == [("runai_job_image", 1, 12)]


def test_grafana_text_panels_and_descriptions_are_prose_not_uses() -> None:
    dashboard = (
        '{"panels": [\n'
        '  {"type": "timeseries", "description": "was runai_job_image",\n'
        '   "targets": [{"expr": "sum(runai_job_total_runtime)"}]},\n'
        '  {"type": "text", "options": {"mode": "markdown",\n'
        '   "content": "Formerly runai_job_image was shown here"}}\n'
        "]}\n"
    )
    assert metric_uses(dashboard, "dash.json") == [("runai_job_total_runtime", 3, 30)]
    rules = (
        "groups:\n"
        "  - name: runai\n"
        "    rules:\n"
        "      - alert: IdleGPU  # replaces runai_job_image\n"
        "        expr: runai_gpu_idle_time_per_workload > 3600\n"
        "        annotations:\n"
        "          description: runai_gpu_idle_time_per_workload is high\n"
    )
    assert metric_uses(rules, "rules.yaml") == [("runai_gpu_idle_time_per_workload", 5, 15)]


# --------------------------------------------------------------------------- cli

SUBMIT = rule("cli", {"binary": "runai", "command": ("submit",), "exclude_flags": ("--interactive",),
                      "rewrite": {"to": ("training", "submit")}}, "RA601")
SUBMIT_INTERACTIVE = rule("cli", {"binary": "runai", "command": ("submit",), "requires_flags": ("--interactive",),
                                  "rewrite": {"to": ("workspace", "submit"), "drop_flags": ("--interactive",)}}, "RA602")
DIST = rule("cli", {"binary": "runai", "command": ("submit-dist", "pytorch"),
                    "rewrite": {"to": ("training", "pytorch", "submit")}}, "RA603")
BARE_LIST = rule("cli", {"binary": "runai", "command": ("list",), "except_next": ("jobs", "projects", "clusters", "nodes"),
                         "rewrite": {"to": ("workload", "list")}}, "RA614")
LIST_JOBS = rule("cli", {"binary": "runai", "command": ("list", "jobs"), "rewrite": {"to": ("workload", "list")}}, "RA610")
ADM_LOGS = rule("cli", {"binary": "runai-adm", "command": ("collect-logs",),
                        "rewrite": {"binary": "runai", "to": ("diagnostics", "collect-logs")}}, "RA640")
ADM_OTHER = rule("cli", {"binary": "runai-adm", "command": (), "except_next": ("collect-logs",)}, "RA641")
ALL_CLI = (SUBMIT, SUBMIT_INTERACTIVE, DIST, BARE_LIST, LIST_JOBS, ADM_LOGS, ADM_OTHER)


def cli(*argv: str) -> CliCall:
    return CliCall(tuple(argv), loc(5, 3), evidence=" ".join(argv))


def fired(argv: tuple[str, ...]) -> list[tuple[str, str | None]]:
    out = []
    for r in ALL_CLI:
        for hit in match_cli(r, cli(*argv)):
            assert (hit.location.line, hit.location.column) == (5, 3)
            out.append((r.id, hit.snippet))
    return out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("runai", "submit", "job1", "-i", "img", "-g", "1"), [("RA601", "runai training submit job1 -i img -g 1")]),
        (("runai", "--project", "team", "submit", "--interactive", "-i", "img"),
         [("RA602", "runai --project team workspace submit -i img")]),
        (("runai", "-p", "team", "submit-dist", "pytorch", "d1", "--workers", "2"),
         [("RA603", "runai -p team training pytorch submit d1 --workers 2")]),
        (("/usr/local/bin/runai", "list"), [("RA614", "runai workload list")]),
        (("runai", "list", "-A"), [("RA614", "runai workload list -A")]),
        (("runai", "list", "jobs", "-p", "x"), [("RA610", "runai workload list -p x")]),
        (("runai-adm", "collect-logs"), [("RA640", "runai diagnostics collect-logs")]),
        (("runai-adm", "set", "node-role", "--gpu-worker", "n1"), [("RA641", None)]),
    ],
)
def test_cli_rows_and_their_v2_rewrites(argv: tuple[str, ...], expected: list[tuple[str, str | None]]) -> None:
    assert fired(argv) == expected


@pytest.mark.parametrize(
    "argv",
    [
        ("runai", "training", "submit", "job1", "-i", "img"),
        ("runai", "workspace", "list"),
        ("runai", "project", "set", "team"),
        ("runai", "training", "pytorch", "submit", "d1"),
        ("runai", "login"),
        ("runai", "logout"),
        ("runai", "whoami"),
        ("runai", "version"),
        ("kubectl", "submit"),
        ("runai", "submit-dist", "mpi", "x"),  # another row's command
        ("runai", "training", "submit", "x", "--", "runai", "submit"),  # words after -- are the container's
    ],
)
def test_cli_v2_and_shared_commands_are_not_flagged(argv: tuple[str, ...]) -> None:
    assert fired(argv) == []


def test_cli_rewrite_masks_values_that_could_be_secrets() -> None:
    argv = ("runai", "submit", "j", "-e", "API_KEY=abc123", "--password", "hunter2", "--token=t0k", "--", "python", "x.py", "--api-key", "zzz")
    [(_, snippet)] = fired(argv)
    assert snippet == (
        "runai training submit j -e API_KEY=<value> --password <value> --token=<value> -- python x.py --api-key <value>"
    )
    for secret in ("abc123", "hunter2", "t0k", "zzz"):
        assert secret not in (snippet or "")


def test_interactive_flag_set_false_is_a_training_submit() -> None:
    assert fired(("runai", "submit", "j", "--interactive=false")) == [("RA601", "runai training submit j --interactive=false")]


# --------------------------------------------------------------------------- Kubernetes clients


def test_go_dynamic_client_with_named_gvr_and_verbs() -> None:
    text = (
        "package main\n\n"
        'const group = "run.ai"\n\n'
        'var gvr = schema.GroupVersionResource{Group: group, Version: "v2alpha1", Resource: "trainingworkloads"}\n\n'
        "func run() {\n"
        '\tdyn.Resource(gvr).Namespace("runai-a").Create(ctx, obj, metav1.CreateOptions{})\n'
        "\tdyn.Resource(gvr).Namespace(ns).Delete(ctx, name, metav1.DeleteOptions{})\n"
        '\tq := schema.GroupVersionResource{Group: "scheduling.run.ai", Version: "v2", Resource: "queues"}\n'
        '\t// schema.GroupVersionResource{Group: "run.ai", Version: "v1", Resource: "runaijobs"}\n'
        "}\n"
    )
    calls = [(c.method, c.url, c.location.line, c.location.column, c.confidence) for c in scan_k8s_clients(text, "submit.go").observations]
    assert calls == [
        ("POST", "{**}/apis/run.ai/v2alpha1/namespaces/{*}/trainingworkloads", 5, 11, Confidence.HIGH),
        ("DELETE", "{**}/apis/run.ai/v2alpha1/namespaces/{*}/trainingworkloads/{*}", 5, 11, Confidence.HIGH),
    ]


def test_go_inline_positional_gvr_typed_clientset_and_unknown_verb() -> None:
    text = (
        'list, _ := dyn.Resource(schema.GroupVersionResource{"run.ai", "v2alpha1", "interactiveworkloads"}).List(ctx, o)\n'
        'other := schema.GroupVersion{Group: "run.ai", Version: "v1"}.WithResource("runaijobs")\n'
        "c.RunV2alpha1().InferenceWorkloads(ns).Get(ctx, name, opts)\n"
    )
    calls = [(c.method, c.url, c.location.line, c.location.column, c.confidence) for c in scan_k8s_clients(text, "a.go").observations]
    assert calls == [
        ("GET", "{**}/apis/run.ai/v2alpha1/interactiveworkloads", 1, 25, Confidence.HIGH),
        ("*", "{**}/apis/run.ai/v1/namespaces/{*}/runaijobs", 2, 10, Confidence.MEDIUM),
        ("GET", "{**}/apis/run.ai/v2alpha1/namespaces/{*}/inferenceworkloads/{*}", 3, 3, Confidence.HIGH),
    ]


def test_typescript_client_node_positional_and_object_parameters() -> None:
    text = (
        "const GROUP = 'run.ai';\n"
        "await api.createNamespacedCustomObject(GROUP, 'v2alpha1', ns, 'trainingworkloads', body);\n"
        "await api.deleteNamespacedCustomObject({ group: 'run.ai', version: 'v2alpha1', namespace: ns, plural: 'interactiveworkloads', name });\n"
        "await api.listClusterCustomObject('run.ai', version, 'trainingworkloads');\n"
        "await api.createNamespacedCustomObject('kubeflow.org', 'v1', ns, 'mpijobs', body);\n"
    )
    calls = [(c.method, c.url, c.location.line, c.location.column, c.confidence) for c in scan_k8s_clients(text, "submit.ts").observations]
    assert calls == [
        ("POST", "{**}/apis/run.ai/v2alpha1/namespaces/{*}/trainingworkloads", 2, 11, Confidence.HIGH),
        ("DELETE", "{**}/apis/run.ai/v2alpha1/namespaces/{*}/interactiveworkloads/{*}", 3, 11, Confidence.HIGH),
        ("GET", "{**}/apis/run.ai/{*}/trainingworkloads", 4, 11, Confidence.MEDIUM),
    ]


def test_k8s_client_scan_prefilter() -> None:
    assert scan_k8s_clients("package main\nfunc main() {}\n", "m.go").observations == []


# --------------------------------------------------------------------------- match-kind checks


@pytest.mark.parametrize(
    ("kind", "match", "problem"),
    [
        ("crd", {"api_version": "run.ai/v2alpha1", "kinds": []}, "match.kinds: must be a non-empty list of strings, not a list"),
        ("crd", {"api_version": "run.ai/v2alpha1", "kinds": ["A"], "markers": [{"fild": "x"}]},
         "match.markers: every marker must be a mapping with field and optionally equals"),
        ("crd_field", {"api_version": "run.ai/v2alpha1", "kinds": ["A"]}, "missing key match.field"),
        ("k8s_api", {"group": "run.ai", "versions": ["v1", "v1"]}, "match.versions: lists an entry twice"),
        ("metric", {"names": ["runai_x"], "prefix": "runai_"}, "unknown key match.prefix (allowed: names)"),
        ("cli", {"binary": "kubectl", "command": []}, "match.binary: 'kubectl' must be runai or runai-adm"),
        ("cli", {"binary": "runai", "command": ["list jobs"]}, "match.command: every entry must be one word without spaces"),
        ("cli", {"binary": "runai", "command": ["x"], "rewrite": {"too": ["y"]}},
         "match.rewrite: must be a mapping with to and optionally drop_flags, binary"),
    ],
)
def test_bad_rows_of_these_kinds_are_rejected_with_the_key_named(kind: str, match: dict[str, Any], problem: str) -> None:
    assert problem in [text for _, text in check_match(MATCH_KINDS[kind], match)]


def test_good_rows_of_these_kinds_pass() -> None:
    good = {
        "crd": {"api_version": "kubeflow.org/v1alpha2", "kinds": ["MPIJob"], "markers": [{"field": "schedulerName", "equals": "runai-scheduler"}]},
        "crd_field": {"api_version": "run.ai/v2alpha1", "kinds": ["TrainingWorkload"], "field": "nodePool"},
        "k8s_api": {"group": "run.ai", "versions": ["v2alpha1"], "plurals": ["trainingworkloads"]},
        "metric": {"names": ["runai_job_image"]},
        "cli": {"binary": "runai-adm", "command": [], "except_next": ["collect-logs"], "rewrite": {"to": ["x"], "binary": "runai"}},
    }
    for kind, match in good.items():
        assert check_match(MATCH_KINDS[kind], match) == [], kind
