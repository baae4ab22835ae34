"""The ready-made CI integrations: parsed for structure, and their shell steps run for real
against a stand-in `runai-audit` that records its arguments and exits with a chosen code."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml

from runai_audit.gate.config import REPORT_FORMATS, Config

ROOT = Path(__file__).resolve().parent.parent
# Until a release is on PyPI, every template installs the repository at this commit, as the
# archive GitHub serves for it (no git needed in the job's image); see tests/test_pinned_source.py.
PINNED_COMMIT = "28a10b9a8a9236e7cc0ba658f463c726935947d8"
PINNED = f"runai-audit @ https://github.com/runai-audit/runai-audit/archive/{PINNED_COMMIT}.tar.gz"
EXPR = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")

needs_bash = pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
needs_sh = pytest.mark.skipif(shutil.which("sh") is None, reason="sh is not installed")


def load(relative: str) -> Any:
    return yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))


def fake_tool(folder: Path, name: str) -> Path:
    """An executable that writes its arguments, one per line, to $ARGV_FILE and exits $FAKE_EXIT."""
    folder.mkdir(parents=True, exist_ok=True)
    tool = folder / name
    tool.write_text(
        '#!/bin/sh\nfor a in "$@"; do printf \'%s\\n\' "$a"; done > "$ARGV_FILE"\nexit "${FAKE_EXIT:-0}"\n',
        encoding="utf-8",
    )
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    return tool


def run_script(shell: str, script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full_env = {"PATH": os.environ["PATH"], "HOME": str(cwd), **env}
    return subprocess.run([shell, "-e", "-c", script], cwd=cwd, env=full_env, capture_output=True, text=True, check=False)


def argv(env: dict[str, str]) -> list[str]:
    return Path(env["ARGV_FILE"]).read_text(encoding="utf-8").splitlines()


# --------------------------------------------------------------------------- pre-commit


def test_pre_commit_hook() -> None:
    hooks = load(".pre-commit-hooks.yaml")
    assert isinstance(hooks, list)
    assert len(hooks) == 1
    hook = hooks[0]
    assert hook["id"] == "runai-audit"
    assert hook["entry"] == "runai-audit scan"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    assert hook["types"] == ["file"]  # runai-audit decides; see tests/test_pre_commit.py
    assert hook["minimum_pre_commit_version"] == "2.9.0"
    allowed = {
        "id", "name", "description", "entry", "language", "types", "pass_filenames",
        "require_serial", "minimum_pre_commit_version", "args", "files", "exclude",
    }
    assert set(hook) <= allowed


def test_pre_commit_entry_is_the_installed_console_script() -> None:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    entry = load(".pre-commit-hooks.yaml")[0]["entry"].split()
    assert scripts[entry[0]] == "runai_audit.cli:main"
    from runai_audit.cli import main

    assert entry[1] in main.commands  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- GitHub Action


ACTION_INPUTS = {
    "paths": ".",
    "target": "",
    "deployment": "self-hosted",
    "hosts": "",
    "args": "",
    "fail-on": "error",
    "baseline": "",
    "sarif-file": "runai-audit.sarif",
    "upload-sarif": "true",
    "sarif-category": "runai-audit",
    "version": "",
    "python-version": "3.12",
}


def test_action_inputs_and_outputs() -> None:
    action = load("action.yml")
    assert {name: spec["default"] for name, spec in action["inputs"].items()} == ACTION_INPUTS
    assert all(spec["description"] and spec["required"] is False for spec in action["inputs"].values())
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.scan.outputs.exit-code }}"
    assert action["runs"]["using"] == "composite"


def test_action_steps_in_order() -> None:
    steps = load("action.yml")["runs"]["steps"]
    assert [s.get("uses", s.get("id", s["name"])) for s in steps] == [
        "actions/setup-python@v5",
        "Install runai-audit",
        "scan",
        "github/codeql-action/upload-sarif@v3",
        "Add the summary to the job page",
        "Apply the gate",
    ]
    assert steps[0]["with"]["python-version"] == "${{ inputs.python-version }}"
    upload = steps[3]
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    assert upload["with"]["category"] == "${{ inputs.sarif-category }}"
    assert upload["if"].startswith("always()")
    assert steps[4]["if"] == "always()"
    assert "$GITHUB_STEP_SUMMARY" in steps[4]["run"]
    assert "if" not in steps[5]  # the gate runs last and only then
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            assert "${{" not in step["run"], f"step {step['name']!r} pastes an expression into shell code"


def step_env(step: dict[str, Any], context: dict[str, str]) -> dict[str, str]:
    """The step's env with ${{ ... }} expressions looked up in context (a missing one fails)."""
    return {name: EXPR.sub(lambda m: context[m.group(1)], str(value)) for name, value in step.get("env", {}).items()}


def action_context(tmp_path: Path, **inputs: str) -> dict[str, str]:
    merged = {**ACTION_INPUTS, **inputs}
    return {**{f"inputs.{k}": v for k, v in merged.items()}, "runner.temp": str(tmp_path / "runner-temp")}


@needs_bash
@pytest.mark.parametrize("scan_exit", [0, 1, 3])
def test_action_scan_step_runs_runai_audit_and_records_its_exit_code(tmp_path: Path, scan_exit: int) -> None:
    step = next(s for s in load("action.yml")["runs"]["steps"] if s.get("id") == "scan")
    bin_dir = tmp_path / "bin"
    fake_tool(bin_dir, "runai-audit")
    work = tmp_path / "work"
    work.mkdir()
    (work / "a.yaml").write_text("x", encoding="utf-8")  # a glob below must not expand to it
    context = action_context(tmp_path, paths="src  *.yaml\nnotebooks", target="2.22", baseline="ci/base.json")
    env = {
        **step_env(step, context),
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(tmp_path / "github-output"),
        "ARGV_FILE": str(tmp_path / "argv"),
        "FAKE_EXIT": str(scan_exit),
    }
    done = run_script("bash", step["run"], work, env)
    assert done.returncode == 0, done.stderr  # the verdict waits for the last step
    assert argv(env) == [
        "scan", "src", "*.yaml", "notebooks",
        "--deployment", "self-hosted", "--fail-on", "error",
        "--target", "2.22", "--baseline", "ci/base.json",
        "--report", "sarif=runai-audit.sarif",
        "--report", f"markdown={tmp_path / 'runner-temp' / 'runai-audit-summary.md'}",
    ]
    assert (tmp_path / "github-output").read_text(encoding="utf-8") == f"exit-code={scan_exit}\n"


@needs_bash
def test_action_scan_step_passes_hosts_and_args(tmp_path: Path) -> None:
    step = next(s for s in load("action.yml")["runs"]["steps"] if s.get("id") == "scan")
    fake_tool(tmp_path / "bin", "runai-audit")
    context = action_context(tmp_path, hosts="gpu-platform.corp.internal\n*.gpu.corp", target="v2.20",
                             args="--exclude vendor  --sunset-within 90")
    env = {
        **step_env(step, context),
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "ARGV_FILE": str(tmp_path / "argv"),
    }
    (tmp_path / "x.gpu.corp").write_text("", encoding="utf-8")  # the glob must reach runai-audit unexpanded
    assert run_script("bash", step["run"], tmp_path, env).returncode == 0
    assert argv(env)[:14] == [
        "scan", ".", "--deployment", "self-hosted", "--fail-on", "error",
        "--host", "gpu-platform.corp.internal", "--host", "*.gpu.corp",
        "--target", "v2.20", "--exclude", "vendor",
    ]
    assert argv(env)[14:16] == ["--sunset-within", "90"]


@needs_bash
def test_action_scan_step_leaves_out_empty_options(tmp_path: Path) -> None:
    step = next(s for s in load("action.yml")["runs"]["steps"] if s.get("id") == "scan")
    fake_tool(tmp_path / "bin", "runai-audit")
    env = {
        **step_env(step, action_context(tmp_path, **{"fail-on": "warning", "deployment": "saas"})),
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(tmp_path / "out"),
        "ARGV_FILE": str(tmp_path / "argv"),
    }
    assert run_script("bash", step["run"], tmp_path, env).returncode == 0
    assert argv(env)[:6] == ["scan", ".", "--deployment", "saas", "--fail-on", "warning"]
    assert "--target" not in argv(env) and "--baseline" not in argv(env)


@needs_bash
@pytest.mark.parametrize("version", ["", "0.3.1"])
def test_action_install_step(tmp_path: Path, version: str) -> None:
    step = next(s for s in load("action.yml")["runs"]["steps"] if s["name"] == "Install runai-audit")
    fake_tool(tmp_path / "bin", "python")
    env = {
        **step_env(step, action_context(tmp_path, version=version)),
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        "GITHUB_ACTION_PATH": "/actions/runai-audit",
        "ARGV_FILE": str(tmp_path / "argv"),
    }
    assert run_script("bash", step["run"], tmp_path, env).returncode == 0
    wanted = f"runai-audit=={version}" if version else "/actions/runai-audit"
    assert argv(env) == ["-m", "pip", "install", "--disable-pip-version-check", wanted]


@needs_bash
def test_action_summary_and_gate_steps(tmp_path: Path) -> None:
    steps = load("action.yml")["runs"]["steps"]
    context = {**action_context(tmp_path), "steps.scan.outputs.exit-code": "1"}
    summary_file = tmp_path / "runner-temp" / "runai-audit-summary.md"
    summary_file.parent.mkdir()
    summary_file.write_text("## runai-audit\n\n2 errors\n", encoding="utf-8")
    page = tmp_path / "step-summary.md"
    page.write_text("earlier\n", encoding="utf-8")
    env = {**step_env(steps[4], context), "GITHUB_STEP_SUMMARY": str(page)}
    assert run_script("bash", steps[4]["run"], tmp_path, env).returncode == 0
    assert page.read_text(encoding="utf-8") == "earlier\n## runai-audit\n\n2 errors\n"
    for code in ("0", "1", "3"):
        gate_env = step_env(steps[5], {**context, "steps.scan.outputs.exit-code": code})
        assert run_script("bash", steps[5]["run"], tmp_path, gate_env).returncode == int(code)
    # If the scan never reported a code, the job must not pass.
    assert run_script("bash", steps[5]["run"], tmp_path, {"SCAN_EXIT_CODE": ""}).returncode == 3


# --------------------------------------------------------------------------- GitLab


def gitlab_variables(**overrides: str) -> dict[str, str]:
    variables = {k: str(v) for k, v in load("ci/gitlab/runai-audit.gitlab-ci.yml")["variables"].items()}
    return {**variables, **overrides}


def test_gitlab_template_structure() -> None:
    doc = load("ci/gitlab/runai-audit.gitlab-ci.yml")
    assert doc["runai-audit"]["extends"] == ".runai-audit"
    job = doc[".runai-audit"]
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always"
    assert artifacts["reports"] == {"codequality": "gl-code-quality-report.json", "junit": "runai-audit-junit.xml"}
    assert "runai-audit.html" in artifacts["paths"]
    script = "\n".join(job["script"])
    assert "--report gitlab=gl-code-quality-report.json" in script
    assert "--report junit=runai-audit-junit.xml" in script
    assert "--report html=runai-audit.html" in script
    assert set(doc["variables"]) == {
        "RUNAI_AUDIT_PACKAGE", "RUNAI_AUDIT_PATHS", "RUNAI_AUDIT_TARGET", "RUNAI_AUDIT_DEPLOYMENT",
        "RUNAI_AUDIT_FAIL_ON", "RUNAI_AUDIT_BASELINE", "RUNAI_AUDIT_ARGS",
    }


@needs_sh
@pytest.mark.parametrize("scan_exit", [0, 1])
def test_gitlab_script_runs_runai_audit_and_fails_the_job_on_findings(tmp_path: Path, scan_exit: int) -> None:
    job = load("ci/gitlab/runai-audit.gitlab-ci.yml")[".runai-audit"]
    fake_tool(tmp_path / "bin", "runai-audit")
    env = {
        **gitlab_variables(
            RUNAI_AUDIT_PATHS="jobs k8s/*.yaml", RUNAI_AUDIT_TARGET="2.24", RUNAI_AUDIT_ARGS="--sunset-within 90"
        ),
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        "ARGV_FILE": str(tmp_path / "argv"),
        "FAKE_EXIT": str(scan_exit),
    }
    done = run_script("sh", "\n".join(job["script"]), tmp_path, env)
    assert done.returncode == scan_exit
    assert argv(env) == [
        "scan", "jobs", "k8s/*.yaml", "--deployment", "self-hosted", "--fail-on", "error",
        "--target", "2.24", "--sunset-within", "90",
        "--report", "gitlab=gl-code-quality-report.json",
        "--report", "junit=runai-audit-junit.xml",
        "--report", "html=runai-audit.html",
    ]


@needs_sh
@pytest.mark.parametrize(("package", "requirement"), [(None, PINNED), ("runai-audit==0.3.1", "runai-audit==0.3.1")])
def test_gitlab_install_pins_the_source(tmp_path: Path, package: str | None, requirement: str) -> None:
    job = load("ci/gitlab/runai-audit.gitlab-ci.yml")[".runai-audit"]
    fake_tool(tmp_path / "bin", "python")
    env = {
        **gitlab_variables(**({"RUNAI_AUDIT_PACKAGE": package} if package else {})),
        "PATH": f"{tmp_path / 'bin'}:{os.environ['PATH']}",
        "ARGV_FILE": str(tmp_path / "argv"),
    }
    assert run_script("sh", "\n".join(job["before_script"]), tmp_path, env).returncode == 0
    assert argv(env) == ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", requirement]


# --------------------------------------------------------------------------- Jenkins


JENKINSFILE = (ROOT / "ci" / "jenkins" / "Jenkinsfile").read_text(encoding="utf-8")


def test_jenkinsfile_publishes_junit_and_archives_html() -> None:
    assert re.search(r"junit testResults: 'runai-audit-junit\.xml'", JENKINSFILE)
    assert re.search(r"archiveArtifacts artifacts: 'runai-audit\.html'", JENKINSFILE)
    post_always = JENKINSFILE[JENKINSFILE.index("post {") :]
    assert "always {" in post_always and "junit" in post_always
    assert "sh(returnStatus: true" in JENKINSFILE
    assert re.search(r"if \(code == 1\) \{\s*error\(", JENKINSFILE)
    assert re.search(r"else if \(code != 0\) \{\s*error\(", JENKINSFILE)
    assert JENKINSFILE.count("{") == JENKINSFILE.count("}")


@needs_sh
def test_jenkins_shell_step_runs_runai_audit(tmp_path: Path) -> None:
    script = re.search(r"script: '''(.*?)'''", JENKINSFILE, re.S)
    assert script is not None
    environment = dict(re.findall(r"^\s+(RUNAI_AUDIT_\w+) = '([^']*)'", JENKINSFILE, re.M))
    assert set(environment) == {
        "RUNAI_AUDIT_PACKAGE", "RUNAI_AUDIT_PATHS", "RUNAI_AUDIT_TARGET", "RUNAI_AUDIT_DEPLOYMENT", "RUNAI_AUDIT_FAIL_ON",
        "RUNAI_AUDIT_BASELINE",
    }
    assert environment["RUNAI_AUDIT_PACKAGE"] == PINNED
    fake_tool(tmp_path / ".runai-audit-venv" / "bin", "runai-audit")
    env = {**environment, "RUNAI_AUDIT_BASELINE": "base.json", "ARGV_FILE": str(tmp_path / "argv"), "FAKE_EXIT": "1"}
    done = run_script("sh", script.group(1), tmp_path, env)
    assert done.returncode == 1
    assert argv(env) == [
        "scan", ".", "--deployment", "self-hosted", "--fail-on", "error", "--baseline", "base.json",
        "--exclude", ".runai-audit-venv", "--report", "junit=runai-audit-junit.xml", "--report", "html=runai-audit.html",
    ]


@needs_sh
def test_jenkins_install_step_installs_the_pinned_source_into_its_venv(tmp_path: Path) -> None:
    install = re.search(r"^\s+sh '(python -m venv .*)'$", JENKINSFILE, re.M)
    assert install is not None
    # A stand-in python whose `-m venv DIR` makes DIR/bin/pip record its arguments.
    fake_pip = "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$ARGV_FILE\"\n"
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.write_text(
        '#!/bin/sh\n[ "$1 $2" = "-m venv" ] || exit 9\nmkdir -p "$3/bin"\n'
        f"cat > \"$3/bin/pip\" <<'EOF'\n{fake_pip}EOF\nchmod +x \"$3/bin/pip\"\n",
        encoding="utf-8",
    )
    python.chmod(0o755)
    environment = dict(re.findall(r"^\s+(RUNAI_AUDIT_\w+) = '([^']*)'", JENKINSFILE, re.M))
    env = {**environment, "PATH": f"{python.parent}:{os.environ['PATH']}", "ARGV_FILE": str(tmp_path / "argv")}
    done = run_script("sh", install.group(1), tmp_path, env)
    assert done.returncode == 0, done.stderr
    assert argv(env) == ["install", "--quiet", PINNED]


# --------------------------------------------------------------------------- the docs


DOCS = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")


def test_every_yaml_example_in_the_docs_parses() -> None:
    blocks = re.findall(r"```ya?ml\n(.*?)```", DOCS, re.S)
    assert len(blocks) >= 6
    for block in blocks:
        assert yaml.safe_load(block) is not None


def test_docs_config_reference_names_every_key() -> None:
    reference = DOCS[DOCS.index("## Config reference") :]
    for setting in (f.name for f in fields(Config) if f.name != "source"):
        assert f"| `{setting}` |" in reference, setting


def test_docs_and_integrations_use_real_report_formats() -> None:
    texts = [DOCS, JENKINSFILE] + [
        (ROOT / p).read_text(encoding="utf-8") for p in ("action.yml", "ci/gitlab/runai-audit.gitlab-ci.yml")
    ]
    used = {m for text in texts for m in re.findall(r"--report\s+\"?([a-z]+)=", text)}
    assert used >= {"sarif", "markdown", "gitlab", "junit", "html"}
    assert used <= set(REPORT_FORMATS)
