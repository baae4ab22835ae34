"""Every template and example installs runai-audit from a source that resolves. No release is on
PyPI yet, so they pin the repository at one commit, as the archive GitHub serves for it (`git
archive` of that commit): the commit must be in this repository's history, and that archive must
build, install and scan."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_integrations import PINNED, PINNED_COMMIT

REPO = Path(__file__).resolve().parent.parent
TEMPLATES = [
    "ci/gitlab/runai-audit.gitlab-ci.yml",
    "ci/jenkins/Jenkinsfile",
    "examples/scheduling/cronjob.yaml",
    "examples/scheduling/compliance.yml",
    "docs/ci.md",
    ".pre-commit-hooks.yaml",
]
DOCS = [*TEMPLATES, "README.md", "docs/upgrade-and-compliance.md"]
# `pip install runai-audit` or `runai-audit==0.1.0`: names on PyPI that do not resolve yet.
FROM_PYPI = re.compile(r"""install(?:\s+--?[\w-]+(?:[= ]\S+)?)*\s+["']?runai-audit(?:==[\w.${}]+)?["']?(?=\s|$)(?!\s*@)""", re.M)
# Tags that do not exist yet (v0.1.0 was never tagged).
TAGGED = re.compile(r"runai-audit/runai-audit(?:@|/|\.git@)v\d|rev:\s*v\d")
COMMITS = re.compile(r"\b[0-9a-f]{40}\b")


def text(relative: str) -> str:
    return (REPO / relative).read_text(encoding="utf-8")


@pytest.mark.parametrize("relative", DOCS)
def test_nothing_installs_an_unpublished_release(relative: str) -> None:
    assert FROM_PYPI.findall(text(relative)) == []
    assert TAGGED.findall(text(relative)) == []


@pytest.mark.parametrize("relative", TEMPLATES)
def test_every_template_pins_the_one_commit_and_says_why(relative: str) -> None:
    body = text(relative)
    assert set(COMMITS.findall(body)) == {PINNED_COMMIT}
    assert re.search(r"release|PyPI", body, re.I), "say that the pin stands until a release is published"


def test_the_pinned_requirement_is_what_pip_reads() -> None:
    from packaging.requirements import Requirement

    requirement = Requirement(PINNED)
    assert (requirement.name, requirement.url) == (
        "runai-audit", f"https://github.com/runai-audit/runai-audit/archive/{PINNED_COMMIT}.tar.gz"
    )


def pinned_commit_here() -> bool:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        return False
    done = subprocess.run(["git", "cat-file", "-e", f"{PINNED_COMMIT}^{{commit}}"], cwd=REPO, capture_output=True, check=False)
    return done.returncode == 0


def test_the_pinned_commit_is_in_this_repository() -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=REPO, capture_output=True, text=True)
    if shallow.stdout.strip() == "true" and not pinned_commit_here():
        pytest.skip("a shallow clone does not hold the pinned commit")
    assert pinned_commit_here()


@pytest.mark.slow
def test_the_pinned_archive_builds_installs_and_scans(tmp_path: Path) -> None:
    if not pinned_commit_here():
        pytest.skip("the pinned commit is not in this checkout")
    archive = tmp_path / f"{PINNED_COMMIT}.tar.gz"
    subprocess.run(["git", "archive", "--format=tar.gz", f"--prefix=runai-audit-{PINNED_COMMIT}/", "-o", str(archive),
                    PINNED_COMMIT], cwd=REPO, check=True, capture_output=True)
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                    "--target", str(site), str(archive)], check=True, capture_output=True, text=True)
    work = tmp_path / "project"
    work.mkdir()
    (work / "sync.sh").write_text('curl -s "$RUNAI_URL/v1/k8s/clusters/$CID/projects"\n', encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "runai_audit", "scan", ".", "--format", "json", "--as-of", "2026-11-28"],
                          cwd=work, env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert [(f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in findings] == [("RA101", "sync.sh", 1)]
