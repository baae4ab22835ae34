"""The pre-commit hook through the real pre-commit: `pre-commit try-repo` installs this repository
as a hook (a pip install into pre-commit's own environment) and runs it on a temporary git
repository's staged files. A deprecated call fails the commit; a clean file passes. The hook's
file filter, as pre-commit itself applies it, passes every kind of file the scanner reads."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from runai_audit.collect import discovery, filekinds

REPO = Path(__file__).resolve().parent.parent
GIT = ["git", "-c", "user.name=runai-audit tests", "-c", "user.email=tests@example.invalid", "-c", "commit.gpgsign=false"]

needs_git_checkout = pytest.mark.skipif(
    shutil.which("git") is None or not (REPO / ".git").exists(), reason="needs git and a git checkout"
)

# A deprecated call in each kind of file a narrower filter used to drop, and where it is found.
HAR = {"log": {"version": "1.2", "creator": {"name": "browser", "version": "1"}, "entries": [{
    "startedDateTime": "2026-11-01T10:00:00Z", "time": 1,
    "request": {"method": "GET", "url": "https://acme.run.ai/v1/k8s/clusters/c1/projects", "httpVersion": "HTTP/1.1",
                "headers": [], "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
    "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
                 "content": {"size": 0, "mimeType": "application/json"}, "redirectURL": "", "headersSize": -1,
                 "bodySize": 0},
    "cache": {}, "timings": {"send": 0, "wait": 1, "receive": 0},
}]}}
DEPRECATED = {
    "Makefile": 'projects:\n\tcurl -s "$(RUNAI_URL)/v1/k8s/clusters/$(CID)/projects"\n',
    "Jenkinsfile": "pipeline {\n  stages {\n    stage('sync') {\n      steps {\n"
                   "        sh 'curl -s \"$RUNAI_URL/v1/k8s/clusters/$CID/projects\"'\n      }\n    }\n  }\n}\n",
    "calls.har": json.dumps(HAR),
    "chart/templates/_helpers.tpl": '{{- define "projectsUrl" -}}\n'
                                    "{{ .Values.runai.url }}/v1/k8s/clusters/{{ .Values.cluster }}/projects\n{{- end -}}\n",
    "deploy.yaml.j2": "apiVersion: run.ai/v2alpha1\nkind: TrainingWorkload\nmetadata:\n  name: {{ name }}\n",
    "web/App.tsx": "export const projects = (base: string, c: string) =>\n"
                   "  fetch(`${base}/v1/k8s/clusters/${c}/projects`);\n",
    "src/Client.java": 'class Client {\n  String projects(String base, String c) {\n'
                       '    return base + "/v1/k8s/clusters/" + c + "/projects";\n  }\n}\n',
}
FOUND = [
    ("Jenkinsfile", "RA101"), ("Makefile", "RA101"), ("calls.har", "RA101"), ("chart/templates/_helpers.tpl", "RA101"),
    ("deploy.yaml.j2", "RA301"), ("src/Client.java", "RA101"), ("web/App.tsx", "RA101"),
]
FINDING_LINE = re.compile(r"^(?P<path>[^\s:#]+)[:#]\S*\s+(?P<rule>RA\d{3})\b", re.M)


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This checkout's working tree (tracked and new files, as git would add them), committed to
    a fresh repository: try-repo installs hooks from a commit."""
    source = tmp_path_factory.mktemp("hook-repo")
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], REPO)
    assert listed.returncode == 0, listed.stderr
    for name in filter(None, listed.stdout.split("\0")):
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    for cmd in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "hook under test"]):
        done = run([*GIT, *cmd], source)
        assert done.returncode == 0, done.stderr
    return source, run(["git", "rev-parse", "HEAD"], source).stdout.strip()


def try_repo(hook_repo: tuple[Path, str], consumer: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    source, rev = hook_repo
    env = {**os.environ, "PRE_COMMIT_HOME": str(cache), "PIP_DISABLE_PIP_VERSION_CHECK": "1", "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    return run([sys.executable, "-m", "pre_commit", "try-repo", str(source), "runai-audit", "--ref", rev,
                "--color", "never"], consumer, env)


def consumer_repo(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir()
    assert run([*GIT, "init", "-q"], folder).returncode == 0
    write(folder, files)
    assert run([*GIT, "add", "-A"], folder).returncode == 0
    return folder


@pytest.mark.slow
@needs_git_checkout
def test_the_hook_fails_a_commit_with_deprecated_calls_and_passes_a_clean_one(
    tmp_path: Path, hook_repo: tuple[Path, str]
) -> None:
    cache = tmp_path / "pre-commit-home"  # one hook environment for both runs
    failing = try_repo(hook_repo, consumer_repo(tmp_path / "deprecated", {**DEPRECATED, "clean.py": "print(1)\n"}), cache)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "runai-audit" in failing.stdout and "Failed" in failing.stdout
    found = sorted({(m["path"], m["rule"]) for m in FINDING_LINE.finditer(failing.stdout)})
    assert found == FOUND, failing.stdout

    passing = try_repo(hook_repo, consumer_repo(tmp_path / "clean", {"clean.py": "print(1)\n", "Makefile": "all:\n\ttrue\n"}),
                       cache)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert re.search(r"^runai-audit\.+Passed$", passing.stdout, re.M), passing.stdout


def scanner_file_names() -> dict[str, bytes]:
    """One file name per entry of the scanner's own tables, with content pre-commit classifies."""
    text = b"curl -s $RUNAI_URL/v1/k8s/clusters\n"
    names = {f"f{suffix}": text for suffix in filekinds.SUFFIX_KINDS}
    names |= {name.capitalize(): text for name in filekinds.NAME_KINDS}
    names |= {f"t.yaml{suffix}": text for suffix in filekinds.TEMPLATE_SUFFIXES}
    names |= {f".{name}": text for name in filekinds.SHELL_DOTFILES | filekinds.SHELL_DOTTED_ONLY}
    names |= {f"team{suffix}": text for suffix in filekinds.SHELL_NAME_SUFFIXES}
    names |= {f"r{suffix}": gzip.compress(text) if suffix.endswith(".gz") else text
              for suffix in discovery.TRAFFIC_SUFFIXES}
    # Read as plain text by the literal and client readers: any other text file.
    names |= dict.fromkeys(("Jenkinsfile", "App.tsx", "Client.java", "main.go", "x.tf", "run", "notes.txt"), text)
    return names


def test_the_hook_filter_passes_every_kind_of_file_the_scanner_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pre_commit.clientlib import load_manifest
    from pre_commit.commands.run import Classifier, filter_by_include_exclude

    (hook,) = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))
    files = scanner_file_names()
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)  # pre-commit classifies names relative to the repository
    classifier = Classifier(list(files))
    included = filter_by_include_exclude(classifier.filenames, hook["files"], hook["exclude"])
    passed = set(classifier.by_types(included, hook["types"], hook["types_or"], hook["exclude_types"]))
    assert sorted(set(files) - passed) == []
    assert (hook["entry"], hook["pass_filenames"], hook["types"], hook["types_or"]) == (
        "runai-audit scan", True, ["file"], []
    )
