"""Migration help: Cluster API workload manifests -> REST workload requests.

Every generated body is validated against the request-body schema of its operation in the
bundled 2.24 spec (OpenAPI 3.0 rules, $refs resolved, formats checked), and every key it
holds must be a property that schema declares: the schemas allow unknown properties, so
validation alone would not catch a misspelt field.
"""

from __future__ import annotations

import gzip
import json
import textwrap
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openapi_schema_validator import OAS30Validator, oas30_format_checker

from runai_audit.cli import main
from runai_audit.migrate.convert import MigrationError, migrate_all, migrate_manifest, redacted
from runai_audit.migrate.fields import ENDPOINTS


@cache
def spec_2_24() -> dict[str, Any]:
    data = (resources.files("runai_audit.knowledge.specs") / "data" / "runai-openapi-2.24.json.gz").read_bytes()
    doc = json.loads(gzip.decompress(data))
    assert isinstance(doc, dict)
    return doc


def request_schema(path: str) -> dict[str, Any]:
    op = spec_2_24()["paths"][path]["post"]
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return {"$ref": ref, "components": spec_2_24()["components"]}


def _deref(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = spec_2_24()["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _properties(node: dict[str, Any]) -> dict[str, Any]:
    node = _deref(node)
    found: dict[str, Any] = {}
    for part in node.get("allOf", []):
        found.update(_properties(part))
    found.update(node.get("properties", {}))
    return found


def undeclared_keys(value: Any, schema: dict[str, Any], where: str = "") -> list[str]:
    """Body paths whose key the schema does not declare."""
    schema = _deref(schema)
    if isinstance(value, dict):
        props = _properties(schema)
        out = []
        for key, inner in value.items():
            if key not in props:
                out.append(f"{where}{key}")
            else:
                out.extend(undeclared_keys(inner, props[key], f"{where}{key}."))
        return out
    if isinstance(value, list):
        return [p for item in value for p in undeclared_keys(item, schema.get("items", {}), where.rstrip(".") + "[].")]
    return []


def assert_valid_request(path: str, body: dict[str, Any]) -> None:
    schema = request_schema(path)
    errors = sorted(OAS30Validator(schema, format_checker=oas30_format_checker).iter_errors(body), key=str)
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors]
    assert undeclared_keys(body, schema) == []


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


COMMON = """
  image: {value: registry.example.com/ml/train:2.1}
  imagePullPolicy: {value: ifNotPresent}
  command: {value: python}
  arguments: {value: train.py --epochs 3}
  workingDir: {value: /workspace}
  cpu: {value: "500m"}
  cpuLimit: {value: 2}
  memory: {value: 4G}
  memoryLimit: {value: 8G}
  largeShm: {value: true}
  nodePools: {value: "a100, h100"}
  nodeType: {value: dgx}
  createHomeDir: {value: true}
  runAsUser: {value: true}
  runAsUid: {value: 1000}
  runAsGid: {value: 100}
  supplementalGroups: {value: "2000;3000"}
  environment:
    items:
      HOME: {value: /home/me}
      EPOCHS: {value: 3}
  labels:
    items:
      team: {value: vision}
  annotations:
    items:
      billing: {value: cc-17}
  tolerations:
    items:
      gpu:
        value: {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
  extendedResources:
    items:
      hardware-vendor.example/foo: {value: 2}
  pvcs:
    items:
      pvc--0:
        value: {claimName: datasets, path: /data, existingPvc: true, readOnly: true}
  gitSync:
    items:
      code:
        value: {repository: "https://git.example.com/ml.git", branch: main, path: /code}
  exposedUrls:
    items:
      tb:
        value: {container: 6006}
  migProfile: {value: 1g.5gb}
"""

MANIFESTS: dict[str, str] = {
    "TrainingWorkload": """
apiVersion: run.ai/v2alpha1
kind: TrainingWorkload
metadata:
  name: train-1
  namespace: runai-team-a
spec:
  name: {value: train-1}
  gpu: {value: "2"}
  completions: {value: 4}
  parallelism: {value: 2}
  backoffLimit: {value: 3}
  ttlAfterFinish: {value: 2h}
  s3:
    items:
      bucket:
        value: {bucket: ml-data, path: /s3, url: "https://s3.example.com"}
  ports:
    items:
      web: {value: {container: 8080, external: 30080}}
  serviceType: {value: nodeport}
  hostIpc: {value: false}
  allowPrivilegeEscalation: {value: false}
  capabilities: {value: [NET_ADMIN, SYS_PTRACE]}
""" + COMMON,
    "InteractiveWorkload": """
apiVersion: run.ai/v2alpha1
kind: InteractiveWorkload
metadata:
  name: nb
  namespace: runai-team-a
spec:
  namePrefix: {value: nb}
  gpu: {value: "0.5"}
  gpuLimit: {value: "0.75"}
  preemptible: {value: true}
  jupyter: {value: true}
  stdin: {value: true}
  tty: {value: true}
  ports:
    items:
      lab: {value: {container: 8888, serviceType: ClusterIP}}
""" + COMMON,
    "DistributedWorkload": """
apiVersion: run.ai/v2alpha1
kind: DistributedWorkload
metadata:
  name: dist
  namespace: runai-team-a
spec:
  name: {value: dist}
  jobType: PyTorchJob
  workers: {value: 3}
  gpuMemory: {value: 10G}
  nonPreemptible: {value: true}
  nodePool: {value: a100}
""" + COMMON,
    "InferenceWorkload": """
apiVersion: run.ai/v2alpha1
kind: InferenceWorkload
metadata:
  name: serve
  namespace: runai-team-a
spec:
  name: {value: serve}
  gpu: {value: "1"}
  minScale: {value: 1}
  maxScale: {value: 4}
  metric: {value: concurrency}
  target: {value: 80}
  ports:
    items:
      http: {value: {container: 8000}}
  stdin: {value: true}
""" + COMMON,
}


@pytest.mark.parametrize("kind", sorted(ENDPOINTS))
def test_generated_body_validates_against_the_2_24_request_schema(kind: str) -> None:
    migration = migrate_manifest(MANIFESTS[kind])
    path, operation_id = ENDPOINTS[kind]
    assert (migration.kind, migration.method, migration.path) == (kind, "POST", path)
    assert spec_2_24()["paths"][path]["post"]["operationId"] == operation_id
    assert_valid_request(path, migration.body)
    # and the redacted form shown in reports is just as valid
    assert_valid_request(path, redacted(migration.body))


def test_training_body_fields() -> None:
    m = migrate_manifest(MANIFESTS["TrainingWorkload"])
    body, spec = m.body, m.body["spec"]
    assert (body["name"], body["projectId"]) == ("train-1", "<id of project team-a>")
    assert body["clusterId"] == "00000000-0000-0000-0000-000000000000"
    assert spec["compute"] == {
        "gpuDevicesRequest": 2, "cpuCoreRequest": 0.5, "cpuCoreLimit": 2, "cpuMemoryRequest": "4G",
        "cpuMemoryLimit": "8G", "largeShmRequest": True,
        "extendedResources": [{"resource": "hardware-vendor.example/foo", "quantity": "2"}],
    }  # fmt: skip
    assert spec["image"] == "registry.example.com/ml/train:2.1"
    assert spec["imagePullPolicy"] == "IfNotPresent"
    assert (spec["command"], spec["args"], spec["workingDir"]) == ("python", "train.py --epochs 3", "/workspace")
    assert spec["environmentVariables"] == [{"name": "HOME", "value": "/home/me"}, {"name": "EPOCHS", "value": "3"}]
    assert spec["nodePools"] == ["a100", "h100"]
    assert spec["ports"] == [{"container": 8080, "external": 30080, "serviceType": "NodePort"}]
    assert spec["security"] == {
        "uidGidSource": "custom", "runAsUid": 1000, "runAsGid": 100, "supplementalGroups": "2000;3000",
        "hostIpc": False, "allowPrivilegeEscalation": False, "capabilities": ["NET_ADMIN", "SYS_PTRACE"],
    }  # fmt: skip
    assert spec["storage"]["pvc"] == [{"claimName": "datasets", "path": "/data", "existingPvc": True, "readOnly": True}]
    assert spec["storage"]["git"] == [{"repository": "https://git.example.com/ml.git", "branch": "main", "path": "/code"}]
    assert spec["storage"]["s3"] == [{"bucket": "ml-data", "path": "/s3", "url": "https://s3.example.com"}]
    assert spec["tolerations"] == [{"name": "gpu", "key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    assert (spec["completions"], spec["parallelism"], spec["backoffLimit"]) == (4, 2, 3)
    assert spec["autoDeletionTimeAfterCompletionSeconds"] == 7200
    assert m.unmapped == ("spec.migProfile",)


def test_workspace_portion_prefix_and_unmapped_jupyter() -> None:
    m = migrate_manifest(MANIFESTS["InteractiveWorkload"])
    assert (m.body["name"], m.body["useGivenNameAsPrefix"]) == ("nb", True)
    compute = m.body["spec"]["compute"]
    assert (compute["gpuDevicesRequest"], compute["gpuRequestType"]) == (1, "portion")
    assert (compute["gpuPortionRequest"], compute["gpuPortionLimit"]) == (0.5, 0.75)
    assert m.body["spec"]["preemptibility"] == "preemptible"
    assert m.body["spec"]["ports"] == [{"container": 8888, "serviceType": "ClusterIP"}]
    assert m.unmapped == ("spec.jupyter", "spec.migProfile")


def test_distributed_framework_memory_and_superseded_node_pool() -> None:
    m = migrate_manifest(MANIFESTS["DistributedWorkload"])
    spec = m.body["spec"]
    assert m.body["masterSpecSameAsWorker"] is True
    assert (spec["distributedFramework"], spec["numWorkers"], spec["preemptibility"]) == ("PyTorch", 3, "non-preemptible")
    assert spec["compute"]["gpuRequestType"] == "memory"
    assert (spec["compute"]["gpuMemoryRequest"], spec["compute"]["gpuDevicesRequest"]) == ("10G", 1)
    assert spec["nodePools"] == ["a100", "h100"]  # nodePools wins over the deprecated nodePool
    assert m.unmapped == ("spec.nodePool", "spec.migProfile")


def test_inference_autoscaling_serving_port_and_kind_specific_gaps() -> None:
    m = migrate_manifest(MANIFESTS["InferenceWorkload"])
    spec = m.body["spec"]
    assert spec["autoscaling"] == {"minReplicas": 1, "maxReplicas": 4, "metric": "concurrency", "metricThreshold": 80}
    assert spec["servingPort"] == {"container": 8000}
    assert "ports" not in spec and "stdin" not in spec
    assert m.unmapped == ("spec.stdin", "spec.migProfile")


def test_deprecated_single_node_pool_alone_becomes_node_pools() -> None:
    text = "apiVersion: run.ai/v2alpha1\nkind: InteractiveWorkload\nmetadata: {name: x}\nspec:\n  nodePool: {value: a100}\n"
    m = migrate_manifest(text)
    assert m.body["spec"] == {"nodePools": ["a100"]}
    assert (m.body["name"], m.body["projectId"]) == ("x", "<project id>")
    assert_valid_request("/api/v1/workloads/workspaces", m.body)


def test_unconvertible_values_are_unmapped_not_guessed() -> None:
    text = dedent(
        """
        apiVersion: run.ai/v2alpha1
        kind: TrainingWorkload
        metadata: {name: odd}
        spec:
          gpu: {value: "1.5"}
          cpu: {value: lots}
          imagePullPolicy: {value: sometimes}
          environment: {value: not-a-map}
          pvcs:
            items:
              p: {value: {claimName: c, path: /p, mystery: 1}}
          capabilities: {value: [NOT_A_CAP]}
        """
    )
    m = migrate_manifest(text)
    assert m.unmapped == (
        "spec.gpu", "spec.cpu", "spec.imagePullPolicy", "spec.environment",
        "spec.pvcs.items.p.value.mystery", "spec.capabilities",
    )  # fmt: skip
    assert m.body["spec"] == {"storage": {"pvc": [{"claimName": "c", "path": "/p"}]}}
    assert_valid_request("/api/v1/workloads/trainings", m.body)


def test_templated_values_keep_their_template_text() -> None:
    text = dedent(
        """
        apiVersion: run.ai/v2alpha1
        kind: TrainingWorkload
        metadata:
          name: {{ .Release.Name }}
        spec:
          image:
            value: "{{ .Values.image }}"
          gpu:
            value: {{ .Values.gpu }}
        """
    )
    m = migrate_manifest(text)
    assert (m.body["name"], m.body["spec"]["image"]) == ("{{ .Release.Name }}", "{{ .Values.image }}")
    assert m.unmapped == ("spec.gpu",)


def test_helm_template_with_a_leading_comment_line_migrates_its_own_values() -> None:
    # The `{{- /* ... */ -}}` line is blanked by masking; values must still come from their
    # own place in the file, not from a few characters further on.
    path = Path(__file__).parent / "fixtures" / "manifests" / "chart" / "templates" / "inference.yaml"
    [m] = migrate_all(path.read_text(encoding="utf-8"))
    assert (m.method, m.path, m.kind, m.unmapped) == ("POST", "/api/v1/workloads/inferences", "InferenceWorkload", ())
    assert m.body == {
        "name": "{{ .Release.Name }}-serve",
        "projectId": '<id of project {{ .Values.project | default "vision" }}>',
        "clusterId": "00000000-0000-0000-0000-000000000000",
        "spec": {
            "compute": {"gpuDevicesRequest": 1},
            "servingPort": {"container": 8000},
            "image": "{{ .Values.image }}:{{ .Values.tag }}",
            "nodePools": ["{{ .Values.pool }}"],  # one templated name, not split at its blanks
            "autoscaling": {"minReplicas": 1, "maxReplicas": 3},
        },
    }


def test_template_if_else_migrates_the_run_ai_branch() -> None:
    text = dedent(
        """
        {{- if .Values.legacy }}
        apiVersion: run.ai/v2alpha1
        kind: TrainingWorkload
        metadata:
          name: legacy
        spec:
          image:
            value: busybox
        {{- else }}
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: modern
        {{- end }}
        """
    )
    [m] = migrate_all(text)
    assert (m.kind, m.body["name"], m.body["spec"]) == ("TrainingWorkload", "legacy", {"image": "busybox"})


def test_v1alpha1_shape_and_list_items_migrate_too() -> None:
    text = dedent(
        """
        apiVersion: v1
        kind: List
        items:
          - apiVersion: run.ai/v1alpha1
            kind: TrainingWorkload
            metadata: {name: old}
            spec: {gpu: {value: "1"}}
          - apiVersion: v1
            kind: ConfigMap
          - apiVersion: run.ai/v2alpha1
            kind: InferenceWorkload
            metadata: {name: srv}
            spec: {image: {value: x}}
        """
    )
    found = migrate_all(text)
    assert [(m.kind, m.body["name"]) for m in found] == [("TrainingWorkload", "old"), ("InferenceWorkload", "srv")]


def test_render_and_redaction() -> None:
    m = migrate_manifest(MANIFESTS["TrainingWorkload"])
    shown = m.render(redact=True)
    assert shown.startswith("POST /api/v1/workloads/trainings\n{\n")
    assert shown.endswith("\n# not mapped: spec.migProfile")
    assert "/home/me" not in shown and "train.py" not in shown and "git.example.com" not in shown
    assert '"image": "registry.example.com/ml/train:2.1"' in shown
    assert json.loads(shown.split("\n", 1)[1].rsplit("\n#", 1)[0])["spec"]["environmentVariables"][0] == {
        "name": "HOME", "value": "<value from the manifest>"
    }  # fmt: skip


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("apiVersion: batch/v1\nkind: Job\n", "no run.ai/v2alpha1 or run.ai/v1alpha1 workload"),
        ("apiVersion: run.ai/v2alpha1\nkind: TrainingPolicy\n", "no run.ai/v2alpha1 or run.ai/v1alpha1 workload"),
        ("key: [unclosed\n", "line 2: not valid YAML"),
        ("a: &a [*a]\napiVersion: run.ai/v2alpha1\nkind: TrainingWorkload\n", "YAML nests deeper than 100 levels"),
        (
            "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
            "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
            "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\napiVersion: run.ai/v2alpha1\nkind: TrainingWorkload\n",
            "possible alias bomb",
        ),
    ],
)
def test_what_cannot_be_migrated_says_why(text: str, message: str) -> None:
    with pytest.raises(MigrationError, match=message.replace("(", r"\(")):
        migrate_manifest(text)


# --------------------------------------------------------------------------- the command


def write(tmp_path: Path, name: str, text: str) -> str:
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return str(target)


def test_migrate_command_text_output(tmp_path: Path) -> None:
    path = write(tmp_path, "train.yaml", MANIFESTS["TrainingWorkload"])
    result = CliRunner().invoke(main, ["migrate", path])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# TrainingWorkload train-1\nPOST /api/v1/workloads/trainings\n{")
    assert '"value": "/home/me"' in result.output  # the user's own file, shown in full
    assert "# not mapped: spec.migProfile" in result.output
    assert result.output.rstrip().endswith("need a manual decision.")


def test_migrate_command_json_and_redact(tmp_path: Path) -> None:
    path = write(tmp_path, "all.yaml", MANIFESTS["InferenceWorkload"] + "---\n" + MANIFESTS["DistributedWorkload"])
    result = CliRunner().invoke(main, ["migrate", path, "--format", "json", "--redact"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(r["kind"], r["path"]) for r in rows] == [
        ("InferenceWorkload", "/api/v1/workloads/inferences"),
        ("DistributedWorkload", "/api/v1/workloads/distributed"),
    ]
    assert rows[1]["unmapped"] == ["spec.nodePool", "spec.migProfile"]
    assert "/home/me" not in result.output


def test_migrate_command_without_workloads_exits_3(tmp_path: Path) -> None:
    path = write(tmp_path, "job.yaml", "apiVersion: batch/v1\nkind: Job\n")
    result = CliRunner().invoke(main, ["migrate", path])
    assert result.exit_code == 3
    assert "no run.ai/v2alpha1 or v1alpha1 workload to migrate" in result.output


def test_migrate_command_unreadable_yaml_exits_3_with_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "a: [\n")
    result = CliRunner().invoke(main, ["migrate", path])
    assert result.exit_code == 3
    assert "bad.yaml: line 2: not valid YAML" in result.output
    assert "Traceback" not in result.output


def test_migrate_command_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["migrate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
