"""`runai-audit fix`, through the real CLI: golden before/after trees for every fix kind (CRLF and
BOM files among them), idempotence, the safety rules (unsafe fixes, dirty work trees, inline
ignores and baselines, unreadable files, restore on a failed re-scan), --migrate-dir, and the
reports that carry fixes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from runai_audit.cli import main

GOLDEN = Path(__file__).parent / "fix_golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
PINNED = ("--target", "2.24", "--as-of", "2026-11-28")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def copy_case(name: str, part: str, dest: Path) -> Path:
    shutil.copytree(GOLDEN / name / part, dest)
    return dest


def test_there_is_a_golden_case_for_every_fix_kind() -> None:
    assert CASES == ["apptoken", "cli_build", "cli_ci", "cli_docs", "cli_notebook", "cli_python", "cli_shell",
                     "endpoints", "metrics", "token"]
    for name in CASES:
        assert sorted(tree(GOLDEN / name / "before")) == sorted(tree(GOLDEN / name / "after")), name


@pytest.mark.parametrize("name", CASES)
def test_fix_write_gives_the_golden_after_tree_and_twice_equals_once(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = copy_case(name, "before", tmp_path / name)
    monkeypatch.chdir(work)
    code, out, _ = run("fix", ".", "--write", "--unsafe", *PINNED)
    assert out == ""  # --write prints no diff
    assert tree(work) == tree(GOLDEN / name / "after")
    scan_code, _, _ = run("scan", ".", *PINNED)
    assert code == scan_code  # exit codes as for scan, on what is left
    # A second run finds nothing more to change.
    assert run("fix", ".", "--write", "--unsafe", *PINNED)[0] == code
    assert tree(work) == tree(GOLDEN / name / "after")
    assert run("fix", ".", "--unsafe", *PINNED)[1] == ""


def test_crlf_and_bom_are_kept_byte_for_byte(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    after = GOLDEN / "cli_shell" / "after"
    windows = (after / "windows.sh").read_bytes()
    assert windows == (b"#!/bin/sh\r\nrunai training submit crlf1 -i img -g 1\r\nrunai workload list\r\n"
                       b"runai workspace submit nb2 -i img\r\n")
    assert (after / "bom.sh").read_bytes() == (
        b"\xef\xbb\xbfrunai project set vision\nrunai training mpi submit mpi1 --workers 2 -i img\n")
    request = (GOLDEN / "token" / "after" / "token-request.json").read_bytes()
    assert request.startswith(b"\xef\xbb\xbf{\r\n") and request.count(b"\r\n") == 8 and b"\n" not in request.replace(b"\r\n", b"")
    assert b'"grantType": "client_credentials",\r\n    "clientID": "ci-bot",\r\n    "clientSecret": "${SECRET}"\r\n' in request


def test_default_prints_a_unified_diff_and_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = copy_case("cli_shell", "before", tmp_path / "w")
    (work / "jobs.sh").unlink()
    (work / "windows.sh").unlink()
    monkeypatch.chdir(work)
    code, out, err = run("fix", ".", *PINNED)
    # The diff is of the decoded text (no BOM); --write keeps the BOM (see the golden tree).
    assert out == (
        "--- a/bom.sh\n+++ b/bom.sh\n@@ -1,2 +1,2 @@\n"
        "-runai config project vision\n-runai submit-dist mpi mpi1 --workers 2 -i img\n"
        "+runai project set vision\n+runai training mpi submit mpi1 --workers 2 -i img\n"
    )
    assert code == 1  # the findings are still in the file
    assert err.startswith("2 fixable, 0 need --unsafe, 0 migrations prepared, 0 left for a person\n")
    assert tree(work) == {"bom.sh": (GOLDEN / "cli_shell" / "before" / "bom.sh").read_bytes()}


def test_unsafe_fixes_need_the_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = copy_case("apptoken", "before", tmp_path / "w")
    monkeypatch.chdir(work)
    code, out, err = run("fix", ".", "--write", *PINNED)
    assert tree(work) == tree(GOLDEN / "apptoken" / "before") and out == ""
    assert code == 1
    assert err.splitlines()[0] == "0 fixed, 3 need --unsafe, 0 migrations prepared, 0 left for a person"
    assert err.splitlines()[1] == (
        "  client.py:10:9 RA502: unsafe fix, applied only with --unsafe (the response keys change "
        "(access_token becomes accessToken; spec 2.18 AppTokenResponse, TokenResponse))")


def test_select_and_ignore_pick_rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = copy_case("cli_ci", "before", tmp_path / "w")
    monkeypatch.chdir(work)
    run("fix", ".", "--write", "--select", "RA630,RA605", "--ignore", "RA605", *PINNED)
    text = (work / ".github" / "workflows" / "train.yml").read_text()
    assert "runai project set vision" in text and "runai submit-dist mpi mpi1" in text
    assert "runai submit train1" in text and (work / ".gitlab-ci.yml").read_bytes() == (
        GOLDEN / "cli_ci" / "before" / ".gitlab-ci.yml").read_bytes()
    run("fix", ".", "--write", "--select", "ra6", *PINNED)  # a family prefix, any letter case
    assert tree(work) == tree(GOLDEN / "cli_ci" / "after")


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(cwd), "PATH": "/usr/bin:/bin"})


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_refuses_to_write_over_uncommitted_changes_unless_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = copy_case("cli_build", "before", tmp_path / "w")
    _git(work, "init", "-q")
    _git(work, "add", "-A")
    _git(work, "commit", "-qm", "init")
    monkeypatch.chdir(work)
    with (work / "Makefile").open("a") as handle:
        handle.write("\techo edited\n")
    code, _, err = run("fix", ".", "--write", *PINNED)
    assert code == 2 and "uncommitted changes in" in err and "Makefile" in err and "--allow-dirty" in err
    assert (work / "Dockerfile").read_bytes() == (GOLDEN / "cli_build" / "before" / "Dockerfile").read_bytes()
    code, _, _ = run("fix", ".", "--write", "--allow-dirty", *PINNED)
    assert (work / "Dockerfile").read_bytes() == (GOLDEN / "cli_build" / "after" / "Dockerfile").read_bytes()
    assert (work / "Makefile").read_text().endswith("\trunai workload list\n\techo edited\n")
    # Committed files that fix would not touch do not count: a clean tree writes at once.
    _git(work, "checkout", "-q", ".")
    assert run("fix", ".", "--write", *PINNED)[0] == 0
    assert (work / "Makefile").read_bytes() == (GOLDEN / "cli_build" / "after" / "Makefile").read_bytes()


def test_inline_ignored_and_baselined_findings_are_not_fixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.sh").write_text("runai submit t1 -i img  # runai-audit: ignore[RA601] the 2.18 lab cluster\n"
                                   "runai list jobs\n")
    (tmp_path / "b.sh").write_text("runai config project vision\n")
    assert run("baseline", "create", "b.sh", "-o", "baseline.json", *PINNED)[0] == 0
    code, _, _ = run("fix", "a.sh", "b.sh", "--write", "--baseline", "baseline.json", *PINNED)
    assert (tmp_path / "a.sh").read_text() == ("runai submit t1 -i img  # runai-audit: ignore[RA601] the 2.18 lab cluster\n"
                                               "runai workload list\n")
    assert (tmp_path / "b.sh").read_text() == "runai config project vision\n"
    assert code == 0


def test_a_file_whose_reader_failed_is_never_edited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    broken = b"train:\n  script:\n    - runai submit t1 -i img\n  bad: [unclosed\n"
    (tmp_path / ".gitlab-ci.yml").write_bytes(broken)
    latin = "# caf\xe9\nrunai submit t1 -i img\n".encode("latin-1")
    (tmp_path / "old.sh").write_bytes(latin)
    _, _, err = run("fix", ".", "--write", *PINNED)
    assert (tmp_path / ".gitlab-ci.yml").read_bytes() == broken and (tmp_path / "old.sh").read_bytes() == latin
    assert "  skipped .gitlab-ci.yml: its reader reported a problem, so it is not edited\n" in err
    # Latin-1 sources are scanned (their findings count), but only UTF-8 files are edited.
    assert "  skipped old.sh: not UTF-8 (byte 5): left as it is\n" in err


def test_a_fix_the_rescan_does_not_confirm_is_restored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A user row whose fix renames a metric to one that RA440 reports: the re-scan sees a new
    finding, so the file goes back to what it was and the failure is reported."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rules.yaml").write_text(
        "- id: RA480\n  title: Site metric\n  description: A site metric.\n"
        "  match: {kind: metric, names: [runai_site_old_total]}\n  replacement: runai_job_image\n"
        "  fix: {safety: safe, to: runai_job_image}\n  sources: [site runbook]\n")
    original = b'groups:\n  - name: a\n    rules:\n      - alert: X\n        expr: sum(runai_site_old_total) > 1\n'
    (tmp_path / "alerts.rules.yaml").write_bytes(original)
    code, _, err = run("fix", "alerts.rules.yaml", "--write", "--rules", "rules.yaml", *PINNED)
    assert (tmp_path / "alerts.rules.yaml").read_bytes() == original
    assert "  restored alerts.rules.yaml: the fix introduced a new RA440 finding\n" in err
    assert "  alerts.rules.yaml:5:19 RA480: the fix introduced a new RA440 finding\n" in err
    assert code == run("scan", "alerts.rules.yaml", "--rules", "rules.yaml", *PINNED)[0]


def test_migrate_dir_writes_the_rest_request_and_marks_the_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    manifest = (
        "apiVersion: run.ai/v2alpha1\nkind: TrainingWorkload\nmetadata:\n  name: nightly\n  namespace: runai-vision\n"
        "spec:\n  image:\n    value: registry.example.com/train:1\n  gpu:\n    value: \"1\"\n"
    )
    (tmp_path / "train.yaml").write_text(manifest)
    code, out, err = run("fix", "train.yaml", "--write", "--migrate-dir", "requests", "--format", "json", *PINNED)
    assert (tmp_path / "train.yaml").read_text() == manifest  # never deleted or edited
    written = json.loads((tmp_path / "requests" / "nightly.trainingworkload.json").read_text())
    assert written["method"] == "POST" and written["path"] == "/api/v1/workloads/trainings"
    assert written["body"]["name"] == "nightly" and written["body"]["spec"]["image"] == "registry.example.com/train:1"
    finding = next(f for f in json.loads(out)["findings"] if f["rule_id"] == "RA301")
    assert finding["fix"] == {"safety": "safe", "replacement_text": "", "status": "migration", "note": "migration prepared"}
    assert "  wrote requests/nightly.trainingworkload.json\n" in err and code == 1


def test_json_report_carries_each_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = copy_case("cli_python", "before", tmp_path / "w")
    monkeypatch.chdir(work)
    code, out, _ = run("fix", ".", "--format", "json", *PINNED)
    rows = [(f["rule_id"], f["location"]["line"], f["location"]["column"], f["fix"]) for f in json.loads(out)["findings"]]
    assert rows == [
        ("RA630", 6, 16, {"safety": "safe", "replacement_text": "project\", \"set", "status": "fixed"}),
        ("RA601", 7, 16, {"safety": "safe", "replacement_text": "training\", \"submit", "status": "fixed"}),
        ("RA602", 8, 16, {"safety": "safe", "replacement_text": "workspace', 'submit",
                          "status": "fixed"}),
        ("RA603", 10, 5, {"safety": "safe", "replacement_text": "training\",\n        \"pytorch\",\n        \"submit",
                          "status": "fixed"}),
        ("RA610", 18, 11, {"safety": "safe", "replacement_text": "workload list", "status": "fixed"}),
        ("RA606", 19, 16, {"safety": "unsafe", "replacement_text": "", "status": "unsafe",
                           "note": "unsafe fix, applied only with --unsafe (the CLI v2 form runai training xgboost submit is not verified)"}),
    ]
    assert code == 1
    from runai_audit.reporters.json_format import load_report_json

    back = load_report_json(out)  # merge reads fix reports back
    assert back.findings[0].fix is not None and back.findings[0].fix.replacement_text == 'project", "set'


def test_sarif_fixes_are_valid_and_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jsonschema import Draft4Validator  # type: ignore[import-untyped]

    from tests.test_reporters import official_sarif_schema

    work = copy_case("token", "before", tmp_path / "w")
    monkeypatch.chdir(work)
    _, out, _ = run("fix", ".", "--format", "sarif", *PINNED)
    log = json.loads(out)
    errors = list(Draft4Validator(official_sarif_schema()).iter_errors(log))
    assert [e.message for e in errors] == []
    result = next(r for r in log["runs"][0]["results"]
                  if r["ruleId"] == "RA507" and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 11)
    assert result["fixes"] == [{
        "description": {"text": "safe fix: clientID"},
        "artifactChanges": [{
            "artifactLocation": {"uri": "get_token.py", "uriBaseId": "%SRCROOT%"},
            "replacements": [{
                "deletedRegion": {"startLine": 11, "startColumn": 10, "endLine": 11, "endColumn": 15},
                "insertedContent": {"text": "clientID"},
            }],
        }],
    }]


def test_markdown_shows_the_diff_and_html_marks_each_api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = copy_case("cli_docs", "before", tmp_path / "w")
    monkeypatch.chdir(work)
    _, out, _ = run("fix", ".", "--format", "markdown", *PINNED)
    diff = run("fix", ".", *PINNED)[1]
    assert "### Suggested fix (`runai-audit fix --write`)\n\n````diff\n" + diff + "````\n" in out  # ``` in the diff
    _, html, _ = run("fix", ".", "--format", "html", *PINNED)
    # Six APIs: runai submit, submit --interactive, submit-dist pytorch, list jobs, config project and
    # config cluster are fixed as written; runai logs needs a person.
    assert html.count('data-fix="auto-fixable"') == 6 and html.count('data-fix="manual"') == 1
    assert '<tr><th scope="row">auto-fixable</th><td class="num">6</td></tr>' in html
    assert '<tr><th scope="row">fixable with --unsafe</th><td class="num">0</td></tr>' in html
    assert '<tr><th scope="row">manual</th><td class="num">1</td></tr>' in html


def test_stdin_cannot_be_fixed() -> None:
    code, _, err = run("fix", "-")
    assert code == 2 and "fix edits files; it cannot read -" in err


def test_fix_is_listed_in_the_help() -> None:
    out = run("--help")[1]
    assert "  fix " in out
    help_text = run("fix", "--help")[1]
    for option in ("--write", "--select", "--ignore", "--unsafe", "--allow-dirty", "--migrate-dir", "--target",
                   "--baseline", "--config", "--rules", "--deployment"):
        assert option in help_text, option


def test_module_entry_point_runs_fix(tmp_path: Path) -> None:
    (tmp_path / "a.sh").write_text("runai list jobs\n")
    done = subprocess.run([sys.executable, "-m", "runai_audit", "fix", "a.sh", "--write", *PINNED],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "a.sh").read_text() == "runai workload list\n"


def test_paths_outside_the_working_directory_are_found_where_scan_read_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder given from elsewhere is reported relative to itself; a file of the same name in
    the working directory is never the one edited."""
    elsewhere = tmp_path / "repo"
    (elsewhere / "ci").mkdir(parents=True)
    (elsewhere / "ci" / "run.sh").write_text("runai list jobs\n")
    here = tmp_path / "here"
    (here / "ci").mkdir(parents=True)
    (here / "ci" / "run.sh").write_text("runai list jobs\n")
    monkeypatch.chdir(here)
    run("fix", str(elsewhere), "--write", *PINNED)
    assert (elsewhere / "ci" / "run.sh").read_text() == "runai workload list\n"
    assert (here / "ci" / "run.sh").read_text() == "runai list jobs\n"
    run("fix", str(elsewhere / "ci" / "run.sh"), "ci", "--write", *PINNED)
    assert (here / "ci" / "run.sh").read_text() == "runai workload list\n"


def test_rules_shows_each_rules_fix() -> None:
    out = run("rules", "RA622")[1]
    assert ("  fix:           manual (the CLI v2 noun depends on the workload type (training or workspace), "
            "which the command line does not say)\n") in out
    assert "  fix:           safe to `client_credentials`\n" in run("rules", "RA506")[1]
    listing = run("rules")[1].splitlines()
    assert next(line for line in listing if line.startswith("RA601")).split()[-4:] == ["safe", "runai", "training", "submit"]
    rows = {r["id"]: r["fix"] for r in json.loads(run("rules", "--format", "json")[1])}
    assert (rows["RA601"], rows["RA502"], rows["RA101"]) == ("safe", "unsafe", "manual")
