"""Config, history and merge inputs that used to be accepted silently, ignored, or end in an
"internal error" (issue 14): each now has a clear message naming the file (and the key)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from runai_audit.api import ScanOptions, run_scan
from runai_audit.cli import main
from runai_audit.collect import gather
from runai_audit.compliance import history as history_module
from tests.output_bounds import bounded

CALL = 'import requests\nRUNAI_URL = "https://runai.example.com"\nrequests.get(f"{RUNAI_URL}/v1/k8s/clusters/{cid}/projects")\n'
DEEP = "[" * 100_000 + "]" * 100_000


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text("print('hello')\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CI", "1")
    return tmp_path


def _config(repo: Path, text: str) -> None:
    (repo / ".runai-audit.yaml").write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- config


def test_jobs_above_the_limit_names_the_file_and_key(repo: Path) -> None:
    _config(repo, "jobs: 1000\n")
    with bounded(30):
        code, _, err = run("scan", "app.py")
    assert code == 3
    assert err == "runai-audit: error: .runai-audit.yaml: key 'jobs' must be at most 256, got 1000\n"


def test_a_scan_never_starts_more_workers_than_cores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[int] = []

    class Pool:
        def __init__(self, max_workers: int) -> None:
            started.append(max_workers)

        def __enter__(self) -> Pool:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def map(self, fn: Any, *iterables: Any, chunksize: int = 1) -> Any:
            return map(fn, *iterables)

    for n in range(gather.PARALLEL_THRESHOLD + 1):
        (tmp_path / f"f{n}.py").write_text("print(1)\n", encoding="utf-8")
    monkeypatch.setattr(gather, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(gather, "affinity_cpus", lambda: 2)
    with bounded(60):
        report = run_scan(ScanOptions(paths=(tmp_path,), jobs=1000))
    assert started == [2]
    assert report.coverage.files_scanned == gather.PARALLEL_THRESHOLD + 1


def test_reports_key_writes_the_reports_and_a_flag_overrides_one(repo: Path) -> None:
    (repo / "sync.py").write_text(CALL, encoding="utf-8")
    _config(repo, "reports:\n  json: out/audit.json\n  csv: out/audit.csv\n")
    with bounded(60):
        code, _, err = run("scan", ".", "--report", "csv=other.csv")
    assert code == 1, err
    doc = json.loads((repo / "out" / "audit.json").read_text(encoding="utf-8"))
    assert [f["rule_id"] for f in doc["findings"]] == ["RA101"]
    assert not (repo / "out" / "audit.csv").exists()
    assert (repo / "other.csv").read_text(encoding="utf-8").splitlines()[1].startswith("RA101,error,")


def test_unknown_rule_under_severity_names_file_key_and_id(repo: Path) -> None:
    _config(repo, "severity:\n  RA101: note\n  RA998: \"off\"\n")
    with bounded(30):
        code, _, err = run("scan", "app.py")
    assert code == 3
    assert err == "runai-audit: error: .runai-audit.yaml: key 'severity.RA998' names a rule that is not in the catalog\n"


def test_unknown_rule_in_an_exemption_names_file_and_key(repo: Path) -> None:
    _config(repo, "exemptions:\n  - {rule: RA997, path: app.py, reason: r, owner: o, expires: 2030-01-01}\n")
    with bounded(30):
        code, _, err = run("baseline", "create", "app.py", "-o", "b.json")
    assert code == 3
    assert err == ("runai-audit: error: .runai-audit.yaml: key 'exemptions[0].rule' "
                   "names RA997, which is not in the catalog\n")


def test_bad_target_in_config_is_a_config_error_exit_3(repo: Path) -> None:
    _config(repo, 'target: "9.9"\n')
    with bounded(30):
        code, _, err = run("scan", "app.py")
        ok, _, _ = run("scan", "app.py", "--target", "2.24")
    assert code == 3
    assert err.startswith("runai-audit: error: .runai-audit.yaml: key 'target' names release '9.9', "
                          "which is not known (known: 2.16, ")
    assert ok == 0  # the flag overrides the file


def test_bad_log_format_in_config_is_a_config_error_exit_3(repo: Path) -> None:
    _config(repo, 'log_format: "$x $y"\n')
    with bounded(30):
        code, _, err = run("scan", "app.py")
    assert code == 3
    assert err == ("runai-audit: error: .runai-audit.yaml: key 'log_format' is not usable: "
                   "the log format has no $request, $request_uri or $uri\n")


def test_a_toml_datetime_is_not_a_date(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.runai-audit]\nas_of = 2025-01-01T00:00:00\n", encoding="utf-8")
    with bounded(30):
        code, _, err = run("scan", "app.py")
    assert code == 3
    assert err == "runai-audit: error: pyproject.toml: key 'as_of' must be a date like 2025-06-30, got 2025-01-01 00:00:00\n"


# --------------------------------------------------------------------------- history


def test_a_corrupt_history_still_writes_the_reports(repo: Path) -> None:
    (repo / "history.db").write_bytes(b"this is not SQLite" * 100)
    with bounded(60):
        code, out, err = run("scan", "app.py", "--history", "history.db", "--report", "json=r.json")
    assert code == 3
    assert err == ("runai-audit: error: history.db: not a usable runai-audit history database "
                   "(file is not a database); the reports were written without the trend\n")
    assert out == "0 errors, 0 warnings, 0 notes; 1 file scanned; 0 suppressed\n"
    assert json.loads((repo / "r.json").read_text(encoding="utf-8"))["coverage"]["files_scanned"] == 1


def test_a_read_only_history_still_writes_the_reports(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("scan", "app.py", "--history", "history.db")[0] == 0
    real_connect = sqlite3.connect

    def read_only(path: str, **kwargs: Any) -> sqlite3.Connection:  # root ignores file modes
        return real_connect(f"file:{path}?mode=ro", uri=True, **kwargs)

    monkeypatch.setattr(history_module.sqlite3, "connect", read_only)
    with bounded(60):
        code, _, err = run("scan", "app.py", "--history", "history.db", "-o", "report.txt")
    assert code == 3
    assert err.startswith("runai-audit: error: history.db: ")
    assert err.endswith("; the reports were written without the trend\n")
    assert "readonly" in err
    assert (repo / "report.txt").read_text(encoding="utf-8") == "0 errors, 0 warnings, 0 notes; 1 file scanned; 0 suppressed\n"


def test_history_never_adds_tables_to_another_database(repo: Path) -> None:
    with sqlite3.connect(repo / "app.db") as conn:
        conn.execute("CREATE TABLE users (name TEXT)")
    with bounded(60):
        code, _, err = run("scan", "app.py", "--history", "app.db")
    assert code == 3
    assert err == ("runai-audit: error: app.db: not a runai-audit history database (it holds other tables); "
                   "the reports were written without the trend\n")
    with sqlite3.connect(repo / "app.db") as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["users"]


# --------------------------------------------------------------------------- deep nesting


def test_merge_skips_a_deeply_nested_artifact(repo: Path) -> None:
    (repo / "a").mkdir()
    (repo / "b").mkdir()
    code, out, _ = run("scan", "app.py", "--format", "json")
    (repo / "a" / "result.json").write_text(out, encoding="utf-8")
    (repo / "b" / "result.json").write_text(DEEP, encoding="utf-8")
    with bounded(30):
        code, out, err = run("merge", "a/result.json", "b/result.json", "--format", "json")
    assert code == 0
    assert err == "runai-audit: error: b/result.json: not a runai-audit JSON result: not a report: JSON nested too deeply\n"
    merged = json.loads(out)
    assert merged["coverage"]["errors"] == [{"path": "b/result.json", "line": 0,
                                             "reason": "not a runai-audit JSON result: not a report: JSON nested too deeply"}]


def test_a_deeply_nested_baseline_is_a_clear_error(repo: Path) -> None:
    (repo / "baseline.json").write_text(DEEP, encoding="utf-8")
    with bounded(30):
        code, _, err = run("scan", "app.py", "--baseline", "baseline.json")
    assert code == 3
    assert err == "runai-audit: error: baseline.json: nests deeper than 100 levels\n"


@pytest.mark.parametrize("command", [("spec", "validate", "deep.json"), ("scan", "app.py", "--spec", "deep.json"),
                                     ("spec", "diff", "2.23", "deep.json")])
def test_a_deeply_nested_spec_is_a_clear_error(repo: Path, command: tuple[str, ...]) -> None:
    (repo / "deep.json").write_text(DEEP, encoding="utf-8")
    with bounded(30):
        code, _, err = run(*command)
    assert code == 3
    assert "internal error" not in err
    assert err.endswith("deep.json: nests deeper than 100 levels\n")
