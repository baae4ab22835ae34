"""The wheel carries everything the tool needs: catalog, templates and specs come from the
installed package, not from a source checkout. The sdist carries everything its own tests read,
installs, scans, and passes `twine check` as the release workflow runs it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
# Tracked files the sdist leaves out on purpose: CI plumbing no test reads.
NOT_IN_SDIST = {".ci/run"}


@pytest.mark.slow
def test_wheel_runs_from_any_directory(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q", "-w", str(dist)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = dist.glob("runai_audit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for required in ("runai_audit/_data/rules/endpoints.yaml", "runai_audit/_data/rules/releases.yaml",
                     "runai_audit/_data/reports/report.html.j2", "runai_audit/knowledge/specs/data/runai-openapi-2.24.json.gz",
                     "runai_audit/knowledge/schemas/config.schema.json", "runai_audit/knowledge/schemas/report.schema.json"):
        assert required in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "job.sh").write_text('curl -s "$RUNAI_URL/v1/k8s/clusters/$CID/projects"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run([sys.executable, "-c", "import runai_audit; print(runai_audit.__file__)"],
                           cwd=work, env=env, check=True, capture_output=True, text=True)
    assert probe.stdout.startswith(str(site))
    result = subprocess.run(
        [sys.executable, "-m", "runai_audit", "scan", ".", "--format", "json", "--as-of", "2026-11-28",
         "--report", "html=report.html"],
        cwd=work, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule_id"], f["location"]["path"], f["location"]["line"], f["location"]["column"]) for f in findings] == [
        ("RA101", "job.sh", 1, 9)
    ]
    assert "RA101" in (work / "report.html").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- sdist and release


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdist and wheel as the release workflow builds them (`python -m build`: the wheel is
    built from the sdist, so a file missing from the sdist breaks the wheel too)."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "-o", str(out), str(REPO)],
                   check=True, capture_output=True, text=True)
    return out


def sdist_of(dists: Path) -> Path:
    (sdist,) = dists.glob("runai_audit-*.tar.gz")
    return sdist


def sdist_files(dists: Path) -> set[str]:
    with tarfile.open(sdist_of(dists)) as tar:
        return {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}


def git_files() -> set[str] | None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        return None  # an unpacked sdist: nothing to compare with
    done = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, text=True, check=False)
    return set(done.stdout.split("\0")) - {""} if done.returncode == 0 else None


@pytest.mark.slow
def test_sdist_holds_every_tracked_file(dists: Path) -> None:
    tracked = git_files()
    if tracked is None:
        pytest.skip("not a git checkout")
    missing = {name for name in tracked - sdist_files(dists) if (REPO / name).exists()}
    assert missing == NOT_IN_SDIST
    assert {"LICENSE", "CHANGELOG.md", "ci/gitlab/runai-audit.gitlab-ci.yml", "ci/jenkins/Jenkinsfile",
            ".pre-commit-hooks.yaml", "action.yml", ".github/workflows/release.yml"} <= sdist_files(dists)


@pytest.mark.slow
def test_sdist_installs_and_scans(dists: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "--target", str(site), str(sdist_of(dists))],
        check=True, capture_output=True, text=True,
    )
    (license_file,) = site.glob("runai_audit-*.dist-info/licenses/LICENSE")
    assert "Apache License" in license_file.read_text(encoding="utf-8")
    work = tmp_path / "project"
    (work / "jobs").mkdir(parents=True)
    (work / "jobs" / "sync.sh").write_text('curl -s "$RUNAI_URL/v1/k8s/clusters/$CID/projects"\n', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "runai_audit", "scan", ".", "--format", "json", "--as-of", "2026-11-28"],
        cwd=work, env={**os.environ, "PYTHONPATH": str(site)}, capture_output=True, text=True,
    )
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in findings] == [("RA101", "jobs/sync.sh", 1)]


@pytest.mark.slow
def test_the_sdists_own_integration_tests_pass(dists: Path, tmp_path: Path) -> None:
    """Run from the unpacked sdist: they read ci/, docs/, action.yml and the hook definition."""
    with tarfile.open(sdist_of(dists)) as tar:
        tar.extractall(tmp_path, filter="data")
    (unpacked,) = tmp_path.glob("runai_audit-*")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
         "tests/test_integrations.py"],
        cwd=unpacked, capture_output=True, text=True, check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]


# The release workflow


def release_workflow() -> Any:
    return yaml.safe_load((REPO / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))


def python_first() -> dict[str, str]:
    """The environment with this interpreter first on PATH: the workflow's steps say `python`."""
    return {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}


def step(job: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in job["steps"] if s.get("name") == name)


def test_release_workflow_publishes_with_trusted_publishing_on_a_version_tag() -> None:
    flow = release_workflow()
    assert flow[True] == {"push": {"tags": ["v*"]}}  # YAML reads the key `on` as true
    assert flow["permissions"] == {"contents": "read"}
    build, publish = flow["jobs"]["build"], flow["jobs"]["publish"]
    assert [s.get("name", s.get("uses")) for s in build["steps"]] == [
        "actions/checkout@v4", "actions/setup-python@v5", "Check that the tag is the package version",
        "Install the build tools", "Build the sdist and the wheel", "Check the distributions",
        "Smoke-test the wheel", "actions/upload-artifact@v4",
    ]
    assert step(build, "Build the sdist and the wheel")["run"] == "python -m build"
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["environment"]["name"] == "pypi"
    assert publish["steps"][-1] == {"uses": "pypa/gh-action-pypi-publish@release/v1"}
    assert "password" not in json.dumps(publish)  # trusted publishing: no token


@pytest.mark.parametrize(("tag", "code"), [("v0.1.0", 0), ("v9.9.9", 1), ("0.1.0", 1)])
def test_release_refuses_a_tag_that_is_not_the_package_version(tag: str, code: int) -> None:
    import runai_audit

    assert runai_audit.__version__ == "0.1.0"  # the case above names the current version
    script = step(release_workflow()["jobs"]["build"], "Check that the tag is the package version")["run"]
    done = subprocess.run(["bash", "-e", "-c", script], cwd=REPO, env={**python_first(), "GITHUB_REF_NAME": tag},
                          capture_output=True, text=True, check=False)
    assert done.returncode == code, done.stdout + done.stderr


@pytest.mark.slow
def test_release_check_step_passes_on_the_built_distributions(dists: Path, tmp_path: Path) -> None:
    work = tmp_path / "checkout"
    shutil.copytree(dists, work / "dist")
    script = step(release_workflow()["jobs"]["build"], "Check the distributions")["run"]
    done = subprocess.run(["bash", "-e", "-c", script], cwd=work, env=python_first(), capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (work / "dist").iterdir()) == [
        "runai_audit-0.1.0-py3-none-any.whl", "runai_audit-0.1.0.tar.gz"
    ]
