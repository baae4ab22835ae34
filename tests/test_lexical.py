"""The lexical layer: uses written where no structured reader looks, and what must stay silent.

Each case is a file in the shape real estates write (prose, inline code, comments, strings,
argv lists, other languages), scanned through the public entry point; the assertion is the
exact (rule, line, column) of every finding, so a finding in the wrong place fails too.
"""

from __future__ import annotations

import pytest

from runai_audit.api import scan_text
from runai_audit.knowledge.catalog.tokens import REGENERATE, current
from runai_audit.knowledge.resources import rules_dir

AS_OF = "2026-12-05"


def found(text: str, filename: str) -> list[tuple[str, int, int]]:
    findings = scan_text(text, filename, as_of=AS_OF)
    return sorted((f.rule_id, f.location.line, f.location.column) for f in findings if f.rule_id != "RA900")


CASES = {
    "inline_code_in_prose": (
        "guide.md",
        "Configure your default project with `runai config project team-a`, then\n"
        "check the queue with `runai list jobs` and open a shell with `runai bash my-job`.\n",
        [("RA610", 2, 23), ("RA624", 2, 63), ("RA630", 1, 38)],
    ),
    "console_transcript_and_html_comment": (
        "README.md",
        "Then read the logs:\n\n    $ runai logs first-steps\n\n<!-- switch clusters with: runai config cluster lab -->\n",
        [("RA622", 3, 7), ("RA631", 5, 28)],
    ),
    "migration_table_left_column_only": (
        "MIGRATION.md",
        "| v1 | v2 |\n|---|---|\n| `runai describe job` | `runai workload describe` |\n",
        [("RA615", 3, 4)],
    ),
    "powershell_backtick_continuation": (
        "windows.md",
        "```powershell\nrunai submit train1 `\n  --interactive -g 1\n```\n",
        [("RA602", 2, 1)],
    ),
    "rst_inline_literal": (
        "README.rst",
        "Add the volume to any ``runai submit`` command you run.\n",
        [("RA601", 1, 25)],
    ),
    "python_printed_hint_and_docstring": (
        "helpers.py",
        'def hint(name: str) -> None:\n'
        '    """Show how to follow the runai logs of a job."""\n'
        '    print(f"follow it with: runai logs {name} -f")\n',
        [("RA622", 2, 31), ("RA622", 3, 29)],
    ),
    "python_cli_binary_in_a_variable": (
        "launch.py",
        'RUNAI_CLI_PATH = "/usr/local/bin/runai"\n'
        'def command(job: str) -> str:\n'
        '    return f"{RUNAI_CLI_PATH} submit {job} -g 1"\n',
        [("RA601", 3, 14)],
    ),
    "python_argv_list_one_word_a_line": (
        "formatter.py",
        'def argv(task: str) -> list[str]:\n'
        '    return [\n'
        '        "runai",\n'
        '        "submit",\n'
        '        task,\n'
        '        "--interactive",\n'
        '    ]\n',
        [("RA602", 3, 10)],
    ),
    "yaml_comment_showing_a_command": (
        "job.yaml",
        "# submit the same job with the CLI:\n#   runai submit finetune -g 2 \\\n#     --interactive\nkind: ConfigMap\n"
        "apiVersion: v1\nmetadata:\n  name: cfg\n",
        [("RA602", 2, 5)],
    ),
    "shell_echoed_hint": (
        "interactive.sh",
        '#!/usr/bin/env bash\necho "connect with: runai bash $JOB"\n',
        [("RA624", 2, 21)],
    ),
    "go_token_body": (
        "client.go",
        'package runaiclient\n\nfunc body(id, secret string) map[string]string {\n'
        '\treturn map[string]string{\n\t\t"grantType": "app_token",\n\t\t"appId":     id,\n\t\t"appSecret": secret,\n\t}\n}\n',
        [("RA506", 5, 4), ("RA507", 6, 4), ("RA508", 7, 4)],
    ),
    "typescript_token_body": (
        "auth.ts",
        "export const body = (id: string, secret: string) => ({\n"
        "  grantType: 'app_token',\n  appID: id,\n  appSecret: secret,\n});\n",
        [("RA506", 2, 3), ("RA507", 3, 3), ("RA508", 4, 3)],
    ),
    "python_token_body_on_a_vague_url": (
        "executor.py",
        "import requests\n\nclass Executor:\n    def token(self):\n"
        '        url = f"{self.base_url}/token"\n'
        '        payload = {\n            "grantType": "app_token",\n            "appId": self.app_id,\n'
        '            "appSecret": self.app_secret,\n        }\n'
        "        return requests.post(url, json=payload)\n",
        [("RA506", 7, 14), ("RA507", 8, 14), ("RA508", 9, 14)],
    ),
    "commented_curl_with_pieced_url": (
        "install.sh",
        '#!/usr/bin/env bash\n# curl -sk https://runai.apps."${DOMAIN}"/v1/k8s/clusters/${ID}/cluster-install-info\necho done\n',
        [("RA100", 2, 42)],
    ),
    "python_path_constant_named_runai": (
        "settings.py",
        'import os\nQUEUES = os.getenv("RUNAI_QUEUES_PATH", "/api/v1/queues")\n',
        [("RA100", 2, 41)],
    ),
    "kubectl_hint_in_a_python_string": (
        "troubleshoot.py",
        'def advice(ns: str, job: str) -> str:\n'
        '    return f"""To remove it:\n'
        '    kubectl delete -n {ns} interactiveworkload {job}\n'
        '"""\n',
        [("RA331", 3, 28)],
    ),
    "kubectl_on_a_run_ai_kind_in_a_guide": (
        "runbook.md",
        "List what is still running with `kubectl get trainingworkloads.run.ai -A`.\n",
        [("RA330", 1, 46)],
    ),
    "go_group_version_resource": (
        "watch.go",
        'package watch\n\nvar gvr = schema.GroupVersionResource{\n\tGroup:    "run.ai",\n'
        '\tVersion:  "v2alpha1",\n\tResource: "inferenceworkloads",\n}\n',
        [("RA333", 3, 11)],  # the Go reader's finding at the struct; the version line is the same use
    ),
    "python_group_and_version_constants": (
        "sampler.py",
        'CRD_GROUP = "run.ai"\nCRD_VERSION = "v1alpha1"\nPLURAL = "trainingworkloads"\n',
        [("RA330", 2, 16)],
    ),
    "unsupported_path_where_the_reference_has_a_uuid": (
        "probe.py",
        'import requests\nRUNAI_URL = "https://acme.run.ai"\n'
        'requests.get(f"{RUNAI_URL}/api/v1/clusters/minimal")\n',
        [("RA100", 3, 14)],
    ),
    "near_miss_under_a_run_ai_resource_name": (
        "howto.md",
        "Call the Run:ai API:\n\n```python\n"
        'projects = requests.get(f"{base_url}/api/v1/org-unit/project", headers=headers)\n```\n',
        [("RA100", 4, 25)],
    ),
    "client_on_an_unknown_base_named_by_its_resources": (
        "executor.py",
        "import requests\n\n\nclass Executor:\n"
        "    def projects(self, token):\n"
        '        return requests.get(f"{self.base_url}/org-unit/projects", headers={"Authorization": token})\n\n'
        "    def suspend(self, job_id, token):\n"
        '        return requests.get(f"{self.base_url}/workloads/distributed/{job_id}/suspend")\n',
        [("RA100", 9, 29)],  # the reference has POST for suspend; org-unit says whose API this is
    ),
    "python_that_does_not_parse": (
        "broken.py",
        'import subprocess\ndef go(:\n    subprocess.run("runai delete job train1", shell=True)\n',
        [("RA621", 3, 21)],
    ),
}


@pytest.mark.parametrize(("filename", "text", "expected"), list(CASES.values()), ids=list(CASES))
def test_written_forms_are_found_where_they_are_written(filename: str, text: str, expected: list[tuple[str, int, int]]) -> None:
    assert found(text, filename) == sorted(expected)


SILENT = {
    "namespace_called_runai": ("ops.sh", "#!/bin/sh\nkubectl -n runai delete pod stuck\nhelm upgrade runai runai/runai-cluster\n"),
    "package_and_module_names": ("setup.md", "pip install runai\n\n```python\nimport runai\nfrom runai import client\n```\n"),
    "cli_v2_noun_verb_forms": ("v2.md", "Use `runai training submit x` and `runai workspace list`, then `runai project set a`.\n"),
    "this_tool_is_not_the_cli": ("ci.md", "Run `runai-audit scan . --format sarif` in CI.\n"),
    "kubernetes_core_and_other_vendors": (
        "calls.py",
        'import requests\nrequests.get("https://k8s.local/api/v1/namespaces/default/pods")\n'
        'requests.get("https://api.blockrun.ai/v1/k8s/clusters")\n',
    ),
    "token_body_to_another_host": (
        "token.sh",
        "#!/bin/sh\ncurl -X POST https://login.corp-idp.net/api/v1/token -d '{\"grantType\": \"app_token\"}'\n",
    ),
    "path_in_prose_with_no_operation": ("notes.txt", "The old API lived under /v1/k8s/ on every control plane.\n"),
    "scheduler_group_is_not_the_cluster_api": (
        "queues.py",
        'GROUP = "scheduling.run.ai"\nVERSION = "v2alpha1"\nPLURAL = "queues"\n',
    ),
    "version_constant_without_the_run_ai_group": ("crds.py", 'API_VERSION = "v1alpha1"\nGROUP = "example.com"\n'),
    "kubectl_on_core_kinds": ("ops.md", "Use `kubectl delete pod trainer-0` and `kubectl get workloads.kueue.x-k8s.io`.\n"),
    "uuid_parameter_written_as_a_word": (
        "fixtures.py",
        'RUNAI_URL = "https://acme.run.ai"\nPATHS = [f"{RUNAI_URL}/api/v1/workloads/id", f"{RUNAI_URL}/api/v1/clusters/CLUSTER_ID"]\n',
    ),
    "wrong_method_on_an_unknown_base_without_run_ai_signals": (
        "jobs.py",
        'import requests\ndef stop(base, job):\n    return requests.get(f"{base}/workloads/distributed/{job}/suspend")\n',
    ),
    "binary_moved_into_place": ("install.md", "```bash\nchmod +x runai-adm && mv runai-adm /usr/local/bin/runai-adm\n```\n"),
}


@pytest.mark.parametrize(("filename", "text"), list(SILENT.values()), ids=list(SILENT))
def test_hard_negatives_stay_silent(filename: str, text: str) -> None:
    assert found(text, filename) == []


def test_a_file_about_another_runai_program_reports_no_command() -> None:
    readme = "\n".join([
        "# runai: a skills manager",
        "```bash",
        "runai install web-search",
        "runai list                    # installed skills",
        "runai trash old-skill",
        "runai enable web-search",
        "runai backup ~/skills",
        "runai discover",
        "```",
    ]) + "\n"
    assert found(readme, "README.md") == []


def test_a_run_ai_readme_with_some_prose_words_keeps_its_commands() -> None:
    readme = "The runai CLI talks to the cluster; the runai tool needs a kubeconfig.\n\n```bash\nrunai list jobs\nrunai logs a\n```\n"
    assert found(readme, "README.md") == [("RA610", 4, 1), ("RA622", 5, 1)]


def test_structured_and_lexical_readings_of_one_use_give_one_finding() -> None:
    script = '#!/usr/bin/env bash\nrunai submit train1 -g 1  # the same command, read twice\n'
    assert found(script, "run.sh") == [("RA601", 2, 1)]


def test_token_tables_are_generated_from_the_current_catalog() -> None:
    generated = (rules_dir().parent / "runai_audit" / "scanners" / "lexical" / "tokens.py")
    if not generated.is_file():  # an installed wheel: the module sits in the package
        from runai_audit.scanners.lexical import tokens
        generated = type(generated)(tokens.__file__)
    assert generated.read_text(encoding="utf-8") == current(), f"tokens.py is out of date; regenerate: {REGENERATE}"


def _context_and_severity(text: str, filename: str, **levels: str) -> list[tuple[str, int, str, str]]:
    from runai_audit.api import ScanOptions, run_scan

    contexts = tuple(sorted({"docs": "warning", "comment": "warning", **levels}.items()))
    options = ScanOptions(stdin_text=text, stdin_name=filename, as_of=AS_OF, contexts=contexts)
    return [(f.rule_id, f.location.line, f.context, f.severity.value) for f in run_scan(options).findings]


def test_where_a_use_is_written_decides_its_context_and_caps_its_severity() -> None:
    script = '#!/usr/bin/env bash\n# before: runai delete job old\nrunai delete job train1\n'
    assert _context_and_severity(script, "clean.sh") == [
        ("RA621", 2, "comment", "warning"),
        ("RA621", 3, "code", "error"),
    ]
    readme = "Remove it with `runai delete job train1`.\n"
    assert _context_and_severity(readme, "README.md") == [("RA621", 1, "docs", "warning")]
    assert _context_and_severity(readme, "README.md", docs="note") == [("RA621", 1, "docs", "note")]
    assert _context_and_severity(readme, "README.md", docs="off") == []


def test_python_docstrings_and_comments_are_comments_but_strings_are_code() -> None:
    source = ('def run():\n    """Wraps runai delete job."""\n    # runai logs x\n'
              '    return "runai bash x"\n')
    assert _context_and_severity(source, "wrap.py") == [
        ("RA621", 2, "comment", "warning"),
        ("RA622", 3, "comment", "warning"),
        ("RA624", 4, "code", "error"),
    ]


def test_command_lines_never_carry_secret_values_in_evidence() -> None:
    source = ('import subprocess\nsubprocess.run(["runai", "submit", "t", "-e", "API_KEY=s3cr3t-value", "--password", "hunter22"])\n'
              'HINT = "runai submit t -e API_KEY=s3cr3t-value --token=hunter22"\n')
    findings = scan_text(source, "submit.py", as_of=AS_OF)
    assert sorted((f.rule_id, f.location.line) for f in findings) == [("RA601", 2), ("RA601", 3)]
    for finding in findings:
        assert "s3cr3t" not in finding.evidence and "hunter22" not in finding.evidence
        assert "s3cr3t" not in (finding.snippet or "") and "hunter22" not in (finding.snippet or "")


def test_a_wrong_method_names_what_the_reference_has() -> None:
    text = (
        'import requests\nRUNAI_URL = "https://acme.run.ai/api/v1"\n'
        'requests.get(f"{RUNAI_URL}/workloads/distributed/{job}/suspend")\n'
    )
    [finding] = scan_text(text, "stop.py", as_of=AS_OF)
    assert (finding.rule_id, finding.location.line, finding.location.column) == ("RA100", 3, 14)
    assert finding.message == (
        "GET /api/v1/workloads/distributed/{*}/suspend is not in the 2.24 Run:ai API reference "
        "(the reference has POST /api/v1/workloads/distributed/{workloadId}/suspend); only published endpoints are supported."
    )
