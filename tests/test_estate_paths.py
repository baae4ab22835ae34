"""What a scan reads and how it names it, through the real CLI: folders that are not the project
are skipped by default (and say so), one gitignore-style glob language for --exclude, config
excludes and exemptions, and finding paths relative to the repository root whatever was scanned."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from runai_audit.cli import main

AS_OF = "2026-11-28"
CALL = 'curl -s "$RUNAI_URL/v1/k8s/clusters/$CID/projects"\n'  # RA101 at column 9
SUBJECT = "GET /v1/k8s/clusters/{clusterId}/projects"
NOTE = "skipped by default; --no-default-excludes scans it"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def scan(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["scan", *args, "--format", "json", "--as-of", AS_OF])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def where(doc: dict[str, Any]) -> list[tuple[str, str, int, int]]:
    return [(f["rule_id"], f["location"]["path"], f["location"]["line"], f["location"]["column"]) for f in doc["findings"]]


def skipped(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return [(s["path"], s["reason"]) for s in doc["coverage"]["files_skipped"]]


def git_init(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)


# --------------------------------------------------------------------------- not the project


NOT_THE_PROJECT = {
    ".venv/lib/python3.12/site-packages/tool/calls.sh": CALL,
    "venv/bin/job.sh": CALL,
    "tools/site-packages/x/calls.sh": CALL,
    "web/node_modules/client/index.sh": CALL,
    ".tox/py312/job.sh": CALL,
    ".nox/tests/job.sh": CALL,
    "__pypackages__/3.12/lib/job.sh": CALL,
    "dist/job.sh": CALL,
    "build/job.sh": CALL,
    "env-ci/pyvenv.cfg": "home = /usr/bin\n",
    "env-ci/lib/job.sh": CALL,
    "src/job.sh": CALL,
}


def test_virtual_environments_and_vendored_trees_are_skipped_and_listed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    git_init(tmp_path)
    write(tmp_path, NOT_THE_PROJECT)
    (tmp_path / ".git" / "notes.sh").write_text(CALL, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, doc = scan(".", "--report", "html=report.html", "--report", "text=report.txt")
    assert (code, where(doc)) == (1, [("RA101", "src/job.sh", 1, 9)])
    assert skipped(doc) == [
        (".git", f"git metadata ({NOTE})"),
        (".nox", f"a nox environment ({NOTE})"),
        (".tox", f"a tox environment ({NOTE})"),
        (".venv", f"a virtual environment ({NOTE})"),
        ("__pypackages__", f"installed Python packages ({NOTE})"),
        ("build", f"build output ({NOTE})"),
        ("dist", f"build output ({NOTE})"),
        ("env-ci", f"a virtual environment (pyvenv.cfg; {NOTE})"),
        ("tools/site-packages", f"installed Python packages ({NOTE})"),
        ("venv", f"a virtual environment ({NOTE})"),
        ("web/node_modules", f"installed npm packages ({NOTE})"),
    ]
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert f'<td class="path">env-ci</td><td>a virtual environment (pyvenv.cfg; {NOTE})</td>' in html
    text = (tmp_path / "report.txt").read_text(encoding="utf-8")
    assert "; 11 skipped" in text.splitlines()[-1]


def test_no_default_excludes_scans_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, NOT_THE_PROJECT)
    monkeypatch.chdir(tmp_path)
    _, doc = scan(".", "--no-default-excludes")
    assert sorted(path for _, path, _, _ in where(doc)) == sorted(p for p in NOT_THE_PROJECT if p.endswith(".sh"))
    assert skipped(doc) == []


def test_a_venv_made_in_the_workspace_does_not_fail_the_gate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Jenkins case: `python -m venv .runai-audit-venv` in the workspace, then a scan of `.`;
    the installed packages (runai-audit's own tests and examples among them) are not the project."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(tmp_path / ".runai-audit-venv")], check=True)
    write(tmp_path, {".runai-audit-venv/lib/site/runai_audit/examples/job.sh": CALL, "deploy.yaml": "kind: ConfigMap\n"})
    monkeypatch.chdir(tmp_path)
    code, doc = scan(".")
    assert (code, where(doc)) == (0, [])
    assert skipped(doc) == [(".runai-audit-venv", f"a virtual environment (pyvenv.cfg; {NOTE})")]


# --------------------------------------------------------------------------- one glob language


GLOB_TREE = {
    "app.min.js": "fetch('/v1/k8s/clusters/' + id + '/projects')\n",
    "web/static/app.min.js": "fetch('/v1/k8s/clusters/' + id + '/projects')\n",
    "scripts/job.sh": CALL,
    "scripts/nightly/job.sh": CALL,
    "gen.sh": CALL,
    "deep/er/gen.sh": CALL,
    "keep/job.sh": CALL,
}


def paths_of(doc: dict[str, Any]) -> list[str]:
    return [path for _, path, _, _ in where(doc)]


@pytest.mark.parametrize(
    ("patterns", "left"),
    [
        # ** crosses folders and matches at the root too
        (["**/*.min.js"], ["deep/er/gen.sh", "gen.sh", "keep/job.sh", "scripts/job.sh", "scripts/nightly/job.sh"]),
        # * stays inside one folder
        (["scripts/*.sh"], ["app.min.js", "deep/er/gen.sh", "gen.sh", "keep/job.sh", "scripts/nightly/job.sh",
                            "web/static/app.min.js"]),
        # no slash: any depth; a folder name covers everything below it
        (["gen.sh", "web", "scripts/"], ["app.min.js", "keep/job.sh"]),
        # anchored at the root with a leading slash; ! takes a path back
        (["/gen.sh", "*.sh", "!keep/job.sh"], ["app.min.js", "keep/job.sh", "web/static/app.min.js"]),
    ],
)
def test_exclude_flag_and_config_use_gitignore_globs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, patterns: list[str], left: list[str]
) -> None:
    write(tmp_path, GLOB_TREE)
    monkeypatch.chdir(tmp_path)
    _, doc = scan(".", *[arg for p in patterns for arg in ("--exclude", p)])
    assert sorted(paths_of(doc)) == left
    (tmp_path / ".runai-audit.yaml").write_text(f"exclude: {json.dumps(patterns)}\n", encoding="utf-8")
    _, doc = scan(".")
    assert sorted(paths_of(doc)) == left


def test_exclude_applies_to_files_given_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pre-commit passes file names; the config's excludes still hold for them."""
    write(tmp_path, GLOB_TREE)
    monkeypatch.chdir(tmp_path)
    _, doc = scan("gen.sh", "deep/er/gen.sh", "keep/job.sh", "--exclude", "**/gen.sh")
    assert paths_of(doc) == ["keep/job.sh"]


def test_exemption_paths_use_the_same_globs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"scripts/job.sh": CALL, "scripts/nightly/job.sh": CALL, "gen.sh": CALL, "deep/er/gen.sh": CALL})
    entry = "  - {{rule: RA101, path: '{}', reason: parked, owner: ops, expires: 2099-01-01}}\n"
    (tmp_path / ".runai-audit.yaml").write_text(
        "exemptions:\n" + entry.format("scripts/*.sh") + entry.format("gen.sh"), encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    _, doc = scan(".")
    exempted = {f["location"]["path"]: bool(f["suppression"]) for f in doc["findings"]}
    assert exempted == {"deep/er/gen.sh": True, "gen.sh": True, "scripts/job.sh": True, "scripts/nightly/job.sh": False}


# --------------------------------------------------------------------------- paths from the root


def test_paths_are_relative_to_the_repository_root_from_anywhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    git_init(repo)
    write(repo, {"sub/jobs/sync.sh": CALL, "sub/run.sh": CALL})
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    _, doc = scan("../repo/sub")
    assert where(doc) == [("RA101", "sub/jobs/sync.sh", 1, 9), ("RA101", "sub/run.sh", 1, 9)]
    _, doc = scan("../repo/sub/run.sh")
    assert where(doc) == [("RA101", "sub/run.sh", 1, 9)]
    monkeypatch.chdir(repo / "sub" / "jobs")
    _, doc = scan(".", "..")
    assert where(doc) == [("RA101", "sub/jobs/sync.sh", 1, 9), ("RA101", "sub/run.sh", 1, 9)]


def test_outside_git_paths_are_relative_to_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, {"sub/run.sh": CALL})
    monkeypatch.chdir(tmp_path)
    _, doc = scan("sub")
    assert where(doc) == [("RA101", "sub/run.sh", 1, 9)]


def test_sarif_locations_and_rules_for_code_scanning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    git_init(repo)
    write(repo, {"sub/my job.sh": CALL})
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", "repo/sub", "--format", "sarif", "--as-of", AS_OF])
    run = json.loads(result.stdout)["runs"][0]
    assert run["originalUriBaseIds"] == {
        "%SRCROOT%": {"description": {"text": "The repository root: result paths are relative to it."}}
    }
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]] == [
        {"uri": "sub/my%20job.sh", "uriBaseId": "%SRCROOT%"}
    ]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert all(r["shortDescription"]["text"] and r["helpUri"].startswith("https://") for r in rules.values())
    assert rules["RA101"]["shortDescription"] == {"text": "Legacy v1 projects API"}
    assert rules["RA101"]["helpUri"] == (
        "https://github.com/runai-audit/runai-audit/blob/main/docs/rules.md#ra101-legacy-v1-projects-api"
    )
    assert "### RA101: Legacy v1 projects API" in (Path(__file__).parent.parent / "docs" / "rules.md").read_text(
        encoding="utf-8"
    )


def old_fingerprint(rule: str, path: str, subject: str, occurrence: int) -> str:
    """As runai-audit 0.1 computed it (judge/fingerprint.py), for a path it named differently."""
    return hashlib.sha256("\x1f".join((rule, path, subject, str(occurrence))).encode()).hexdigest()[:16]


def test_a_baseline_written_from_a_subfolder_still_matches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """0.1 named files relative to the working directory; a baseline made in repo/sub names
    `jobs/sync.sh` where findings now say `sub/jobs/sync.sh`. It keeps matching, and is not stale."""
    repo = tmp_path / "repo"
    git_init(repo)
    write(repo, {"sub/jobs/sync.sh": CALL + CALL})
    entries = [
        {"fingerprint": old_fingerprint("RA101", "jobs/sync.sh", SUBJECT, n), "rule_id": "RA101",
         "path": "jobs/sync.sh", "subject": SUBJECT}
        for n in (0, 1)
    ]
    baseline = repo / "sub" / "base.json"
    baseline.write_text(json.dumps({"schema_version": 1, "created": "", "tool_version": "0.1.0", "entries": entries}),
                        encoding="utf-8")
    monkeypatch.chdir(repo / "sub")
    code, doc = scan(".", "--baseline", "base.json")
    assert code == 0
    assert [(*w, f["suppression"]["kind"]) for w, f in zip(where(doc), doc["findings"], strict=True)] == [
        ("RA101", "sub/jobs/sync.sh", 1, 9, "baseline"), ("RA101", "sub/jobs/sync.sh", 2, 9, "baseline"),
    ]
    # A scan of that one file (pre-commit, --changed-since) finds its entries used, not stale.
    code, doc = scan("jobs/sync.sh", "--baseline", "base.json")
    assert (code, [f["rule_id"] for f in doc["findings"]]) == (0, ["RA101", "RA101"])


def test_a_scan_of_named_files_calls_no_other_files_entries_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pre-commit passes the staged files only; the baseline's entries for the rest still stand."""
    git_init(tmp_path)
    write(tmp_path, {"a.sh": CALL, "b.sh": CALL})
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["baseline", "create", ".", "-o", "base.json"]).exit_code == 0
    code, doc = scan("a.sh", "--baseline", "base.json")
    assert (code, [(f["rule_id"], f["location"]["path"], f["suppression"]["kind"]) for f in doc["findings"]]) == (
        0, [("RA101", "a.sh", "baseline")]
    )
    (tmp_path / "b.sh").unlink()  # the debt in b.sh is paid: a scan of the folder says so
    code, doc = scan(".", "--baseline", "base.json")
    assert [(f["rule_id"], f["location"]["path"]) for f in doc["findings"]] == [("RA101", "a.sh"), ("RA904", "base.json")]
