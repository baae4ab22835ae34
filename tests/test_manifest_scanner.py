"""The manifest scanner: objects and field keys at exact positions, in every container format.

Covers plain and multi-document YAML, `kind: List`, JSON, Helm and Jinja templates, Kustomize
inline patches, here-documents in shell scripts and CI run steps, and bad input (broken YAML,
alias bombs, huge or deeply nested documents, unreadable templates), which must become input
problems quickly and never a crash.
"""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from runai_audit.models import ApiCall, CliCall, Confidence, Location, ManifestObject
from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.manifest import scan_ci_yaml, scan_manifest, scan_shell_heredocs
from runai_audit.scanners.manifest.templates import mask_templates
from runai_audit.scanners.manifest.yaml import MAX_DOCUMENT_CHARS

FIXTURES = Path(__file__).parent / "fixtures" / "manifests"


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def objects(result: ScanResult) -> list[tuple[str, str, int, int]]:
    return [
        (o.api_version, o.kind, o.location.line, o.location.column)
        for o in result.observations
        if isinstance(o, ManifestObject)
    ]


def only_object(result: ScanResult, kind: str) -> ManifestObject:
    found = [o for o in result.observations if isinstance(o, ManifestObject) and o.kind == kind]
    assert len(found) == 1, objects(result)
    return found[0]


def field_at(obj: ManifestObject, path: str) -> tuple[int, int]:
    matches = [f for f in obj.fields if f.path == path]
    assert matches, f"{path} not among {[f.path for f in obj.fields]}"
    return matches[0].location.line, matches[0].location.column


def field_value(obj: ManifestObject, path: str) -> str | None:
    return next(f.value for f in obj.fields if f.path == path)


# --------------------------------------------------------------------------- plain YAML


def test_multi_document_objects_and_field_keys_at_exact_positions() -> None:
    text = dedent(
        """
        # a leading comment
        apiVersion: run.ai/v2alpha1
        kind: TrainingWorkload
        metadata:
          name: train-1
        spec:
          nodePool:
            value: pool-a
          environment:
            items:
              FOO:
                value: bar
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: settings}
        """
    )
    result = scan_manifest(text, "deploy/train.yaml")
    assert result.problems == []
    assert objects(result) == [
        ("run.ai/v2alpha1", "TrainingWorkload", 2, 1),
        ("v1", "ConfigMap", 14, 1),
    ]
    train = only_object(result, "TrainingWorkload")
    assert train.name == "train-1"
    assert train.location.path == "deploy/train.yaml"
    assert field_at(train, "spec.nodePool") == (7, 3)
    assert field_at(train, "spec.nodePool.value") == (8, 5)
    assert field_value(train, "spec.nodePool.value") == "pool-a"
    assert field_at(train, "spec.environment.items.FOO.value") == (12, 9)
    # document order, each key before what is below it
    paths = [f.path for f in train.fields]
    assert paths.index("metadata.name") < paths.index("spec") < paths.index("spec.nodePool.value")
    assert train.raw is not None and train.raw.startswith("# a leading comment\napiVersion: run.ai/v2alpha1")
    assert only_object(result, "ConfigMap").name == "settings"


def test_list_items_are_objects_with_their_own_positions_and_raw_text() -> None:
    text = dedent(
        """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: run.ai/v2alpha1
          kind: InteractiveWorkload
          metadata:
            name: nb
          spec: {gpu: {value: "1"}, nodePool: {value: x}}
        - apiVersion: scheduling.run.ai/v2
          kind: Queue
        """
    )
    result = scan_manifest(text, "list.yaml")
    assert objects(result) == [
        ("v1", "List", 1, 1),
        ("run.ai/v2alpha1", "InteractiveWorkload", 4, 3),
        ("scheduling.run.ai/v2", "Queue", 9, 3),
    ]
    item = only_object(result, "InteractiveWorkload")
    assert field_at(item, "spec.nodePool") == (8, 29)
    assert field_value(item, "spec.gpu.value") == "1"
    assert item.raw is not None and item.raw.lstrip().startswith("apiVersion: run.ai/v2alpha1")
    assert "Queue" not in item.raw


def test_sequence_paths_use_brackets() -> None:
    text = dedent(
        """
        apiVersion: batch/v1
        kind: Job
        spec:
          template:
            spec:
              schedulerName: runai-scheduler
              containers:
                - name: main
                  image: busybox
        """
    )
    job = only_object(scan_manifest(text, "job.yaml"), "Job")
    assert field_at(job, "spec.template.spec.containers[].image") == (9, 11)
    assert field_value(job, "spec.template.spec.schedulerName") == "runai-scheduler"


def test_merge_keys_and_small_aliases_are_expanded() -> None:
    text = dedent(
        """
        apiVersion: run.ai/v2alpha1
        kind: TrainingWorkload
        common: &common
          nodePool: {value: a}
        spec:
          <<: *common
          image: {value: x}
        """
    )
    train = only_object(scan_manifest(text, "a.yaml"), "TrainingWorkload")
    assert field_at(train, "spec.nodePool") == (4, 3)  # where the merged key is written
    assert field_at(train, "spec.image") == (7, 3)


def test_embedded_offsets_shift_lines_and_columns() -> None:
    result = scan_manifest("apiVersion: run.ai/v1\nkind: RunaiJob\n", "x.sh", line_offset=10, col_offset=4)
    assert objects(result) == [("run.ai/v1", "RunaiJob", 11, 5)]


# --------------------------------------------------------------------------- JSON


def test_json_manifest_with_tabs_points_at_key_names() -> None:
    text = '{\n\t"apiVersion": "run.ai/v2alpha1",\n\t"kind": "DistributedWorkload",\n\t"spec": {"nodePool": {"value": "p"}}\n}\n'
    result = scan_manifest(text, "w.json")
    assert result.problems == []
    assert objects(result) == [("run.ai/v2alpha1", "DistributedWorkload", 2, 3)]
    assert field_at(only_object(result, "DistributedWorkload"), "spec.nodePool") == (4, 12)


def test_json_array_of_objects_and_escaped_surrogates() -> None:
    text = '[{"apiVersion": "run.ai/v1", "kind": "RunaiJob", "metadata": {"name": "\\ud83d\\ude00"}}]'
    result = scan_manifest(text, "jobs.json")
    assert objects(result) == [("run.ai/v1", "RunaiJob", 1, 4)]
    assert only_object(result, "RunaiJob").name == "\U0001f600"


def test_grafana_dashboard_json_has_no_objects_and_no_problems() -> None:
    result = scan_manifest('{"panels": [{"targets": [{"expr": "up"}]}]}', "dash.json")
    assert result.observations == [] and result.problems == []


# --------------------------------------------------------------------------- templates


def test_helm_chart_template_keeps_lines_and_columns() -> None:
    path = "chart/templates/training.yaml"
    result = scan_manifest((FIXTURES / path).read_text(encoding="utf-8"), path)
    assert result.problems == []
    assert objects(result) == [
        ("run.ai/v2alpha1", "TrainingWorkload", 4, 1),
        ("apps/v1", "Deployment", 32, 1),
    ]
    train = only_object(result, "TrainingWorkload")
    assert field_at(train, "spec.nodePool") == (19, 3)
    assert field_at(train, "spec.environment.items.LOG_LEVEL.value") == (29, 9)
    assert field_at(train, "spec.environment.items.{*}") == (25, 7)  # a templated key
    assert field_value(train, "spec.image.value") is None  # templated: unknown
    assert field_value(train, "spec.gpu.value") == "0.5"
    assert field_value(train, "metadata.namespace") is None
    assert train.name is None
    assert train.raw is not None and "{{ $job.image }}" in train.raw
    deployment = only_object(result, "Deployment")
    assert field_value(deployment, "spec.template.spec.schedulerName") == "runai-scheduler"


def test_jinja_template_blocks_and_comments_are_masked() -> None:
    text = dedent(
        """
        {# rendered by our deploy tool #}
        {% for job in jobs %}
        ---
        apiVersion: run.ai/v2alpha1
        kind: InferenceWorkload
        metadata:
          name: {{ job.name }}
        spec:
          {% if job.pool %}nodePool: {value: "{{ job.pool }}"}{% endif %}
        {% endfor %}
        """
    )
    result = scan_manifest(text, "serve.yaml.j2")
    assert result.problems == []
    assert objects(result) == [("run.ai/v2alpha1", "InferenceWorkload", 4, 1)]


def test_masking_preserves_length_and_blanks_tag_only_lines() -> None:
    masked = mask_templates('a: {{ .x }}\n  {{- if .y }}\nb: c\r\n  {% if p %}k: {v: "{{ q }}"}{% endif %}\n')
    assert masked.text == 'a: ________\n\nb: c\r\n            k: {v: "_______"}           \n'
    assert masked.spans == {0: [(3, 11)], 3: [(20, 27)]}  # printing tags only; control tags are spaces


def test_template_that_stays_unreadable_is_an_input_problem() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  a: [{{ .Values.x }}\n  b: 1\n"
    result = scan_manifest(text, "templates/cm.yaml")
    assert result.observations == []
    [problem] = result.problems
    assert problem.path == "templates/cm.yaml"
    assert problem.reason.startswith("template is still not valid YAML after masking its tags")
    assert problem.line == 5


def test_unclosed_template_tag_is_an_input_problem_with_its_line() -> None:
    result = scan_manifest("apiVersion: v1\nkind: X\nname: {{ .Release.Name\n", "t.yaml")
    [problem] = result.problems
    assert (problem.line, problem.reason) == (3, "template could not be read: template tag {{ opened here is never closed")


# --------------------------------------------------------------------------- Kustomize


def test_kustomization_inline_patches_are_scanned_at_their_lines() -> None:
    path = "kustomize/kustomization.yaml"
    result = scan_manifest((FIXTURES / path).read_text(encoding="utf-8"), path)
    assert result.problems == []
    assert objects(result) == [
        ("kustomize.config.k8s.io/v1beta1", "Kustomization", 1, 1),
        ("run.ai/v2alpha1", "InteractiveWorkload", 11, 7),
        ("run.ai/v2alpha1", "TrainingWorkload", 20, 5),
    ]
    assert field_at(only_object(result, "InteractiveWorkload"), "spec.nodePool") == (16, 9)
    assert field_at(only_object(result, "TrainingWorkload"), "spec.migProfile") == (25, 7)


def test_kustomize_patch_files_are_plain_manifests() -> None:
    path = "kustomize/pool-patch.yaml"
    result = scan_manifest((FIXTURES / path).read_text(encoding="utf-8"), path)
    assert field_at(only_object(result, "TrainingWorkload"), "spec.nodePools") == (6, 3)


# --------------------------------------------------------------------------- shell here-documents


def test_heredoc_manifests_in_shell_scripts_keep_file_lines() -> None:
    script = dedent(
        """
        #!/usr/bin/env bash
        set -e
        cat <<EOF | kubectl apply -f -
        apiVersion: run.ai/v2alpha1
        kind: TrainingWorkload
        metadata:
          name: ${JOB_NAME}
        spec:
          nodePool:
            value: ${POOL}
        EOF
        cat <<'NOTES'
        kind: not a manifest, no apiVersion here
        NOTES
        deploy() {
        \tkubectl apply -f - <<-YAML
        \t\tapiVersion: run.ai/v2alpha1
        \t\tkind: InteractiveWorkload
        \t\tspec:
        \t\t  nodePool: {value: a}
        \tYAML
        }
        """
    ).replace("\\t", "\t")
    result = scan_shell_heredocs(script, "submit.sh")
    assert result.problems == []
    assert objects(result) == [
        ("run.ai/v2alpha1", "TrainingWorkload", 4, 1),
        ("run.ai/v2alpha1", "InteractiveWorkload", 17, 3),
    ]
    assert field_at(only_object(result, "TrainingWorkload"), "spec.nodePool") == (9, 3)
    assert only_object(result, "TrainingWorkload").name == "${JOB_NAME}"
    assert field_at(only_object(result, "InteractiveWorkload"), "spec.nodePool") == (20, 5)


def test_heredoc_scan_ignores_scripts_without_manifests() -> None:
    assert scan_shell_heredocs("cat <<EOF\nhello\nEOF\n", "a.sh").observations == []
    assert scan_shell_heredocs("echo apiVersion: x <<< kind:\n", "a.sh").observations == []
    shifted = "n=$((1 << x))\ncat <<EOF\napiVersion: v1\nkind: ConfigMap\nEOF\nx\n"
    assert objects(scan_shell_heredocs(shifted, "a.sh")) == [("v1", "ConfigMap", 3, 1)]


# --------------------------------------------------------------------------- CI files


def cli_calls(result: ScanResult) -> list[tuple[str, int, int]]:
    return [(" ".join(o.argv[:3]), o.location.line, o.location.column) for o in result.observations if isinstance(o, CliCall)]


def test_github_actions_run_steps_go_through_the_shell_scanner_in_place() -> None:
    workflow = dedent(
        """
        name: train
        on: [push]
        jobs:
          submit:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - name: one line
                run: runai submit nightly -i ${{ vars.IMAGE }} -g 1
              - name: block
                run: |
                  echo "submitting"
                  runai list jobs
              - name: python step
                shell: python
                run: print("runai list jobs")
              - run: "runai logs nightly"
        """
    )
    result = scan_ci_yaml(workflow, ".github/workflows/train.yml")
    assert result.problems == []
    assert cli_calls(result) == [
        ("runai submit nightly", 9, 14),
        ("runai list jobs", 13, 11),
        ("runai logs nightly", 17, 15),
    ]


def test_gitlab_scripts_in_lists_and_blocks() -> None:
    pipeline = dedent(
        """
        stages: [train]
        default:
          before_script:
            - runai config project team-a
        train:
          stage: train
          script:
            - echo start
            - |
              runai submit-dist pytorch job1 \\
                --workers 2
          after_script: runai delete job job1
        """
    )
    result = scan_ci_yaml(pipeline, ".gitlab-ci.yml")
    assert cli_calls(result) == [
        ("runai config project", 4, 7),
        ("runai submit-dist pytorch", 10, 7),
        ("runai delete job", 12, 17),
    ]


def test_ci_scan_also_finds_curl_calls_in_steps() -> None:
    workflow = 'jobs:\n  a:\n    steps:\n      - run: curl -X POST "$RUNAI_URL/apis/run.ai/v2alpha1/namespaces/ns/trainingworkloads"\n'
    result = scan_ci_yaml(workflow, ".github/workflows/a.yaml")
    calls = [o for o in result.observations if isinstance(o, ApiCall)]
    assert [(c.method, c.location.line, c.location.column) for c in calls] == [("POST", 4, 27)]


def test_ci_scan_leaves_other_yaml_alone() -> None:
    manifest = "apiVersion: v1\nkind: ConfigMap\ndata:\n  script: runai list jobs\n"
    assert scan_ci_yaml(manifest, "k8s/cm.yaml").observations == []


# --------------------------------------------------------------------------- bad input


def test_invalid_yaml_document_is_a_problem_and_the_others_still_count() -> None:
    text = "apiVersion: run.ai/v1\nkind: RunaiJob\n---\nkey: [unclosed\n---\napiVersion: v1\nkind: Secret\n"
    result = scan_manifest(text, "mixed.yaml")
    assert objects(result) == [("run.ai/v1", "RunaiJob", 1, 1), ("v1", "Secret", 6, 1)]
    [problem] = result.problems
    assert problem.line == 5 and problem.reason.startswith("not valid YAML")


def test_billion_laughs_is_refused_quickly() -> None:
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    text = "apiVersion: v1\nkind: ConfigMap\n" + "\n".join(levels) + "\n"
    started = time.perf_counter()
    result = scan_manifest(text, "bomb.yaml")
    assert time.perf_counter() - started < 1.0
    assert result.observations == []
    [problem] = result.problems
    assert "possible alias bomb" in problem.reason and problem.path == "bomb.yaml"


def test_recursive_alias_is_refused() -> None:
    result = scan_manifest("apiVersion: v1\nkind: X\nloop: &l [*l]\n", "loop.yaml")
    assert [p.reason for p in result.problems] == [
        "YAML aliases expand to more than 10000 nodes; refused (possible alias bomb)"
    ]


def test_deep_flow_nesting_is_refused_without_recursion() -> None:
    depth = 200_000
    started = time.perf_counter()
    result = scan_manifest("a: " + "[" * depth + "]" * depth + "\n", "deep.yaml")
    assert time.perf_counter() - started < 2.0
    [problem] = result.problems
    # Our own depth guard, or libyaml's when the C extension is built with one (it then trips
    # first, while scanning): either way a clear reason, and no hang or crash.
    assert problem.reason in (
        "YAML nests deeper than 100 levels; not parsed",
        "not valid YAML: while increasing flow level: exceeded maximum nesting depth at column 1003",
    )


def test_huge_document_is_refused_by_size() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  blob: " + "x" * (MAX_DOCUMENT_CHARS + 1) + "\n"
    result = scan_manifest(text, "huge.yaml")
    assert result.observations == []
    [problem] = result.problems
    assert problem.reason == f"YAML document is larger than {MAX_DOCUMENT_CHARS} characters; not parsed"


def test_problem_messages_never_echo_document_values() -> None:
    result = scan_manifest('apiVersion: v1\nkind: Secret\ndata:\n  token: "s3cr3t-value\n', "secret.yaml")
    [problem] = result.problems
    assert "s3cr3t" not in problem.reason


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n...\n", "just a string\n", "- 1\n- 2\n"])
def test_documents_without_objects_give_nothing(text: str) -> None:
    result = scan_manifest(text, "empty.yaml")
    assert result.observations == [] and result.problems == []


def test_objects_inside_objects_and_manifest_strings_but_not_references() -> None:
    text = dedent(
        """
        apiVersion: template.openshift.io/v1
        kind: Template
        objects:
          - apiVersion: run.ai/v2alpha1
            kind: TrainingWorkload
            metadata:
              name: from-template
        ---
        apiVersion: v1
        kind: Pod
        metadata:
          name: train-1-0
          ownerReferences:
            - apiVersion: run.ai/v2alpha1
              kind: TrainingWorkload
              name: train-1
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: Workflow
        spec:
          templates:
            - name: submit
              resource:
                action: create
                manifest: |
                  apiVersion: run.ai/v2alpha1
                  kind: InteractiveWorkload
                  spec:
                    nodePool: {value: a}
        """
    )
    result = scan_manifest(text, "mixed.yaml")
    assert result.problems == []
    assert objects(result) == [
        ("template.openshift.io/v1", "Template", 1, 1),
        ("run.ai/v2alpha1", "TrainingWorkload", 4, 5),
        ("v1", "Pod", 9, 1),
        ("argoproj.io/v1alpha1", "Workflow", 18, 1),
        ("run.ai/v2alpha1", "InteractiveWorkload", 26, 11),
    ]
    assert field_at(only_object(result, "InteractiveWorkload"), "spec.nodePool") == (29, 13)


# --------------------------------------------------------------------------- template branches


def test_helm_if_else_reads_each_branch_as_its_own_document() -> None:
    text = dedent(
        """
        {{- if .Values.legacy }}
        apiVersion: run.ai/v2alpha1
        kind: TrainingWorkload
        metadata:
          name: a
        {{- else }}
        apiVersion: batch/v1
        kind: Job
        metadata:
          name: b
        {{- end }}
        """
    )
    result = scan_manifest(text, "templates/t3.yaml")
    assert result.problems == []
    assert objects(result) == [("run.ai/v2alpha1", "TrainingWorkload", 2, 1), ("batch/v1", "Job", 7, 1)]
    train = only_object(result, "TrainingWorkload")
    assert [(f.path, f.location.line, f.location.column, f.value) for f in train.fields] == [
        ("apiVersion", 2, 1, "run.ai/v2alpha1"),
        ("kind", 3, 1, "TrainingWorkload"),
        ("metadata", 4, 1, None),
        ("metadata.name", 5, 3, "a"),
    ]
    assert train.name == "a" and train.raw == text  # the whole template, for migration help


def test_inline_if_else_values_are_read_per_branch() -> None:
    text = dedent(
        """
        {{- $legacy := .Values.legacy -}}
        apiVersion: {{ if $legacy }}run.ai/v2alpha1{{ else }}batch/v1{{ end }}
        kind: {{ if $legacy }}TrainingWorkload{{ else }}Job{{ end }}
        metadata:
          name: x
        """
    )
    result = scan_manifest(text, "templates/b.yaml")
    assert result.problems == []
    assert objects(result) == [("run.ai/v2alpha1", "TrainingWorkload", 2, 1), ("batch/v1", "Job", 2, 1)]


def test_branches_setting_the_same_key_give_one_object_with_both() -> None:
    text = dedent(
        """
        apiVersion: run.ai/v2alpha1
        kind: TrainingWorkload
        metadata:
          name: w
        spec:
          {{- if .Values.pool }}
          nodePool:
            value: {{ .Values.pool }}
          {{- else }}
          nodePool:
            value: default
          migProfile:
            value: 1g.5gb
          {{- end }}
        """
    )
    result = scan_manifest(text, "templates/w.yaml")
    assert objects(result) == [("run.ai/v2alpha1", "TrainingWorkload", 1, 1)]
    train = only_object(result, "TrainingWorkload")
    pools = [(f.location.line, f.location.column, f.value) for f in train.fields if f.path == "spec.nodePool.value"]
    assert pools == [(8, 5, None), (11, 5, "default")]
    assert field_at(train, "spec.migProfile") == (12, 3)


def test_jinja_if_elif_else_has_three_readings() -> None:
    text = dedent(
        """
        {% if old %}
        apiVersion: run.ai/v2alpha1
        kind: InteractiveWorkload
        {% elif older %}
        apiVersion: run.ai/v1alpha1
        kind: InteractiveWorkload
        {% else %}
        apiVersion: v1
        kind: Pod
        {% endif %}
        metadata:
          name: ws
        """
    )
    assert objects(scan_manifest(text, "ws.yaml.j2")) == [
        ("run.ai/v2alpha1", "InteractiveWorkload", 2, 1),
        ("run.ai/v1alpha1", "InteractiveWorkload", 5, 1),
        ("v1", "Pod", 8, 1),
    ]


# --------------------------------------------------------------------------- folded CI scripts


def api_calls(result: ScanResult) -> list[tuple[str, str, int, int]]:
    return [(o.method, o.url, o.location.line, o.location.column) for o in result.observations if isinstance(o, ApiCall)]


def test_folded_gitlab_script_keeps_each_line_where_it_is() -> None:
    pipeline = dedent(
        """
        stages: [report]
        report:
          script:
            - >
              curl -s -H "Authorization: Bearer $TOKEN"
              $RUNAI_URL/v1/k8s/clusters/$CLUSTER/jobs
          after_script:
            - runai list jobs
        """
    )
    result = scan_ci_yaml(pipeline, ".gitlab-ci.yml")
    assert api_calls(result) == [("GET", "{**}/v1/k8s/clusters/{*}/jobs", 6, 7)]
    assert cli_calls(result) == [("runai list jobs", 8, 7)]


def test_folded_github_run_step_with_blank_and_indented_lines() -> None:
    workflow = dedent(
        """
        jobs:
          a:
            steps:
              - name: projects
                run: >-
                  curl -s -H "Authorization: Bearer $TOKEN"
                  "$RUNAI_URL/v1/k8s/clusters/${{ vars.CLUSTER }}/projects"

                  runai list jobs
                    --project team-a
                  curl -X DELETE "$RUNAI_URL/v1/k8s/clusters/$C/jobs/j1"
        """
    )
    result = scan_ci_yaml(workflow, ".github/workflows/a.yml")
    assert api_calls(result) == [
        ("GET", "{**}/v1/k8s/clusters/{*}/projects", 7, 11),
        ("DELETE", "{**}/v1/k8s/clusters/{*}/jobs/j1", 11, 26),
    ]
    # a blank line and a more-indented line keep their line breaks, as YAML folding does
    assert cli_calls(result) == [("runai list jobs", 9, 11)]


# --------------------------------------------------------------------------- URLs in values


def test_runai_urls_in_config_values_are_low_confidence_calls() -> None:
    text = dedent(
        """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: cfg
        data:
          PROJECTS_URL: https://acme.run.ai/v1/k8s/clusters/abc/projects
          TOKEN_URL: "https://acme.run.ai/v1/k8s/auth/oauth/apptoken?scope=x"
          NOTE: see https://acme.run.ai/v1/k8s/users for details
          HOME: https://acme.run.ai/
        """
    )
    result = scan_manifest(text, "k8s/cm.yaml")
    calls = [o for o in result.observations if isinstance(o, ApiCall)]
    assert api_calls(result) == [
        ("*", "https://acme.run.ai/v1/k8s/clusters/abc/projects", 6, 17),
        ("*", "https://acme.run.ai/v1/k8s/auth/oauth/apptoken", 7, 15),
    ]
    assert {c.confidence for c in calls} == {Confidence.LOW}
    assert [(q.name, q.location) for q in calls[1].query] == [("scope", Location("k8s/cm.yaml", 7, 62))]
    assert calls[0].evidence == "PROJECTS_URL: https://acme.run.ai/v1/k8s/clusters/abc/projects"


def test_runai_url_in_json_settings() -> None:
    result = scan_manifest('{"projects_url": "https://acme.run.ai/v1/k8s/clusters/abc/projects"}', "settings.json")
    assert api_calls(result) == [("*", "https://acme.run.ai/v1/k8s/clusters/abc/projects", 1, 19)]


def test_ansible_uri_task_url_takes_its_sibling_method() -> None:
    text = dedent(
        """
        - hosts: localhost
          tasks:
            - ansible.builtin.uri:
                url: "{{ runai_url }}/api/v1/token"
                method: post
            - ansible.builtin.uri:
                url: "{{ runai_url }}/v1/k8s/clusters/{{ cluster }}/projects"
            - kubernetes.core.k8s:
                definition:
                  apiVersion: run.ai/v2alpha1
                  kind: TrainingWorkload
                  metadata: {name: ans}
        """
    )
    result = scan_manifest(text, "ansible/site.yml")
    assert api_calls(result) == [
        ("POST", "{**}/api/v1/token", 4, 15),
        ("*", "{**}/v1/k8s/clusters/{*}/projects", 7, 15),
    ]
    assert all(o.runai_hint for o in result.observations if isinstance(o, ApiCall))
    assert objects(result) == [("run.ai/v2alpha1", "TrainingWorkload", 10, 11)]


def test_ci_run_steps_are_left_to_the_shell_scanner() -> None:
    workflow = dedent(
        """
        env:
          USERS_URL: https://acme.run.ai/v1/k8s/users
        jobs:
          a:
            steps:
              - run: https://acme.run.ai/v1/k8s/clusters/c/projects
              - run: curl https://acme.run.ai/v1/k8s/clusters/c/jobs
        """
    )
    path = ".github/workflows/a.yml"
    assert api_calls(scan_manifest(workflow, path)) == [("*", "https://acme.run.ai/v1/k8s/users", 2, 14)]
    assert api_calls(scan_ci_yaml(workflow, path)) == [("GET", "https://acme.run.ai/v1/k8s/clusters/c/jobs", 7, 19)]


def test_endpoint_descriptions_are_not_calls() -> None:
    # A rule catalog row and a spec diff entry name endpoints to say they are deprecated.
    text = dedent(
        """
        - id: RA101
          match: {kind: endpoint, path: "/v1/k8s/clusters/{clusterId}/projects"}
          replacement: /api/v1/org-unit/projects
        - method: DELETE
          path: /v1/k8s/clusters/{clusterId}/departments/{department-id}
          deprecated: true
        - method: DELETE
          path: /v1/k8s/clusters/c1/departments/d1
        """
    )
    assert api_calls(scan_manifest(text, "inventory.yaml")) == [("DELETE", "{**}/v1/k8s/clusters/c1/departments/d1", 8, 9)]
