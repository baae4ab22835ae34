"""Scan history: recording runs, new and fixed, concurrent writers, `history show`, the HTML
trend, and two real scans one change apart."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from runai_audit.cli import main
from runai_audit.compliance.history import HistoryError, load_history, record_run
from runai_audit.models import Severity
from runai_audit.reporters import get_reporter
from tests.history_writer import finding, report, write_runs

T0 = dt.datetime(2026, 1, 5, 6, 0, tzinfo=dt.timezone.utc)
_finding, _report = finding, report


def test_first_run_has_nothing_to_compare(tmp_path: Path) -> None:
    db = tmp_path / "h" / "history.db"
    report = record_run(db, _report([_finding(1), _finding(2, Severity.WARNING)]), now=T0)
    history = report.extras["history"]
    assert history == {
        "scope": "",
        "runs": [{"id": 1, "time": "2026-01-05T06:00:00+00:00", "target": "self-hosted 2.24", "as_of": "2026-01-05",
                  "files_scanned": 3, "counts": {"error": 1, "warning": 1, "note": 0, "suppressed": 0}}],
        "run": 1, "previous": None, "new": [], "fixed": [], "new_count": 0, "fixed_count": 0,
    }
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_new_and_fixed_since_the_previous_run(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    record_run(db, _report([_finding(1), _finding(2), _finding(3)]), now=T0)
    later = record_run(db, _report([_finding(1), _finding(3), _finding(4, Severity.NOTE, "lib/x.py")]),
                       now=T0 + dt.timedelta(days=7))
    history = later.extras["history"]
    assert (history["run"], history["previous"]) == (2, 1)
    assert history["new"] == [{"fingerprint": "lib/x.py-0004", "rule_id": "RA104", "severity": "note",
                               "subject": "GET /v1/thing/4", "path": "lib/x.py", "line": 5, "suppressed": False}]
    assert history["fixed"] == [{"fingerprint": "app.py-0002", "rule_id": "RA102",
                                 "subject": "GET /v1/thing/2", "path": "app.py"}]
    assert [r["counts"] for r in history["runs"]] == [
        {"error": 3, "warning": 0, "note": 0, "suppressed": 0},
        {"error": 2, "warning": 0, "note": 1, "suppressed": 0},
    ]
    assert load_history(db) == history


def test_not_a_history_file(tmp_path: Path) -> None:
    bad = tmp_path / "history.db"
    bad.write_text("this is not SQLite at all " * 100)
    with pytest.raises(HistoryError) as caught:
        record_run(bad, _report([]))
    assert str(caught.value).startswith(f"{bad}: not a usable runai-audit history database (")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(HistoryError) as caught:
        load_history(other)
    assert str(caught.value) == f"{other}: not a runai-audit history database (schema version missing)"
    with pytest.raises(HistoryError) as caught:
        load_history(tmp_path / "missing.db")
    assert str(caught.value) == f"{tmp_path / 'missing.db'}: no such history file"


def test_scan_with_an_unusable_history_file_exits_3(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("print('no Run:ai here')\n")
    bad = tmp_path / "history.db"
    bad.write_text("not a database " * 200)
    result = CliRunner().invoke(main, ["scan", str(tmp_path / "a.py"), "--history", str(bad)], env={"CI": "1"})
    assert result.exit_code == 3
    assert result.stderr.startswith(f"runai-audit: error: {bad}: not a usable runai-audit history database (")


# --------------------------------------------------------------------------- concurrency

WRITERS = 8
RUNS_EACH = 5
FINDINGS_EACH = 200


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    context = multiprocessing.get_context("spawn")  # no fork of a threaded test process
    barrier = context.Barrier(WRITERS)
    results = context.Queue()
    workers = [
        context.Process(target=write_runs, args=(str(db), w, RUNS_EACH, FINDINGS_EACH, barrier, results))
        for w in range(WRITERS)
    ]
    for p in workers:
        p.start()
    seen = [results.get(timeout=120) for _ in range(WRITERS * RUNS_EACH)]
    for p in workers:
        p.join(timeout=60)
        assert p.exitcode == 0
    run_ids = sorted(r[2] for r in seen)
    assert run_ids == list(range(1, WRITERS * RUNS_EACH + 1))
    # Each run is compared with the previous run of its own writer (its scope), none other.
    for worker in range(WRITERS):
        own = sorted((run, run_id, previous) for w, run, run_id, previous, _ in seen if w == worker)
        assert [previous for _, _, previous in own] == [None] + [run_id for _, run_id, _ in own[:-1]]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        per_run = dict(conn.execute("SELECT run_id, count(*) FROM findings GROUP BY run_id").fetchall())
        assert per_run == dict.fromkeys(run_ids, FINDINGS_EACH)
        # Each worker's runs hold its own fingerprints and nobody else's.
        for worker, run, run_id, _, _ in seen:
            paths = {p for (p,) in conn.execute("SELECT DISTINCT path FROM findings WHERE run_id = ?", (run_id,))}
            assert paths == {f"w{worker}/r{run}.py"}
        versions = conn.execute("SELECT version, count(*) FROM runs GROUP BY version ORDER BY version").fetchall()
        assert versions == [(f"2.{w}", RUNS_EACH) for w in range(WRITERS)]


# --------------------------------------------------------------------------- show, HTML


def test_history_show_text_and_json(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    record_run(db, _report([_finding(1), _finding(2)]), now=T0)
    record_run(db, _report([_finding(1), _finding(5, Severity.WARNING)]), now=T0 + dt.timedelta(days=7))
    result = CliRunner().invoke(main, ["history", "show", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{db}: last 2 runs",
        "run  time                       target            files  errors  warnings  notes  suppressed",
        "  1  2026-01-05T06:00:00+00:00  self-hosted 2.24      3       2         0      0           0",
        "  2  2026-01-12T06:00:00+00:00  self-hosted 2.24      3       1         1      0           0",
        "",
        "run 2 against run 1: 1 new, 1 fixed",
        "  new    RA105 warning app.py:6 GET /v1/thing/5",
        "  fixed  RA102 app.py GET /v1/thing/2",
    ]
    data = json.loads(CliRunner().invoke(main, ["history", "show", "--db", str(db), "--format", "json"]).stdout)
    assert [f["fingerprint"] for f in data["new"]] == ["app.py-0005"]
    assert [f["fingerprint"] for f in data["fixed"]] == ["app.py-0002"]


def test_scopes_keep_runs_apart(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    record_run(db, _report([_finding(1)]), scope="payments", now=T0)
    record_run(db, _report([_finding(2)]), scope="training", now=T0)
    third = record_run(db, _report([_finding(1), _finding(3)]), scope="payments", now=T0 + dt.timedelta(days=7))
    history = third.extras["history"]
    assert (history["scope"], history["run"], history["previous"]) == ("payments", 3, 1)
    assert [r["id"] for r in history["runs"]] == [1, 3]
    assert [f["fingerprint"] for f in history["new"]] == ["app.py-0003"]
    assert history["fixed"] == []
    shown = CliRunner().invoke(main, ["history", "show", "--db", str(db), "--scope", "training", "--format", "json"])
    assert [r["id"] for r in json.loads(shown.stdout)["runs"]] == [2]
    assert load_history(db)["runs"] == []  # nothing recorded without a scope


def test_history_show_errors(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["history", "show", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 3
    assert result.stderr == f"runai-audit: error: {tmp_path / 'none.db'}: no such history file\n"


def test_html_trend_and_new_fixed(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    record_run(db, _report([_finding(1), _finding(2)]), now=T0)
    report = record_run(db, _report([_finding(1), _finding(3, Severity.WARNING)]), now=T0 + dt.timedelta(days=1))
    page = get_reporter("html")(report)
    section = page.split('<section id="history"', 1)[1].split("</section>", 1)[0]
    errors = section.split('data-severity="error"', 1)[1].split("</g>", 1)[0]
    assert errors.count('data-count="2"') == 1 and errors.count('data-count="1"') == 1
    assert "<polyline points=" in errors
    assert "<strong>1</strong> new and <strong>1</strong> fixed since run 1." in section
    assert '<tr data-fingerprint="app.py-0003">' in section.split('data-history="new"', 1)[1]
    assert '<tr data-fingerprint="app.py-0002">' in section.split('data-history="fixed"', 1)[1]


# --------------------------------------------------------------------------- end to end

BEFORE = """import requests

RUNAI_URL = "https://runai.example.com"


def projects(token):
    return requests.get(f"{RUNAI_URL}/api/v1/org-unit/projects")
"""

AFTER = BEFORE + """

def apps(token):
    return requests.get(f"{RUNAI_URL}/api/v1/apps")
"""


def test_two_scans_one_change_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "sync.py").write_text(BEFORE)
    db, html = tmp_path / "state" / "history.db", tmp_path / "state" / "report.html"
    monkeypatch.chdir(repo)
    runner = CliRunner()
    args = ["scan", ".", "--as-of", "2026-01-10", "--history", str(db), "--fail-on", "never"]
    first = runner.invoke(main, args, env={"CI": "1"})
    assert first.exit_code == 0, first.output
    (repo / "sync.py").write_text(AFTER)
    second = runner.invoke(main, [*args, "--report", f"html={html}"], env={"CI": "1"})
    assert second.exit_code == 0, second.output
    shown = runner.invoke(main, ["history", "show", "--db", str(db), "--format", "json"])
    data = json.loads(shown.stdout)
    assert (data["run"], data["previous"], data["new_count"], data["fixed_count"]) == (2, 1, 1, 0)
    (new,) = data["new"]
    assert (new["rule_id"], new["path"], new["line"], new["subject"]) == (
        "RA509", "sync.py", 11, "GET /api/v1/apps")
    page = html.read_text()
    section = page.split('<section id="history"', 1)[1].split("</section>", 1)[0]
    assert f'<tr data-fingerprint="{new["fingerprint"]}">' in section
    warnings = section.split('data-severity="warning"', 1)[1].split("</g>", 1)[0]
    assert warnings.count('data-count="0"') == 1 and warnings.count('data-count="1"') == 1


# --------------------------------------------------------------------------- scheduling examples

SCHEDULING = Path(__file__).resolve().parents[1] / "examples" / "scheduling"


def _invocations(text: str, command: str) -> list[str]:
    """Each `runai-audit COMMAND ...` (or `python -m runai_audit COMMAND ...`) with its
    backslash-continued lines joined."""
    joined = text.replace("\\\n", " ")
    found = []
    for line in joined.splitlines():
        for head in (f"runai-audit {command} ", f"runai_audit {command} "):
            if head in line:
                found.append(line.split(head, 1)[1])
    return found


@pytest.mark.parametrize("name", ["cronjob.yaml", "compliance.yml"])
def test_scheduling_examples_use_real_options_and_no_runai_api(name: str) -> None:
    import re

    import click
    import yaml

    from runai_audit.commands.history import show
    from runai_audit.commands.scan import scan

    text = (SCHEDULING / name).read_text()
    assert list(yaml.safe_load_all(text))  # well-formed YAML
    known = {
        "scan": {o for p in scan.params if isinstance(p, click.Option) for o in p.opts},
        "history show": {o for p in show.params if isinstance(p, click.Option) for o in p.opts},
    }
    for command, options in known.items():
        calls = _invocations(text, command)
        assert calls, f"{name} runs no `{command}`"
        for call in calls:
            used = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", call))
            assert used <= options, f"{name}: unknown {command} options {sorted(used - options)}"
    scanned = CliRunner().invoke(main, ["scan", str(SCHEDULING / name), "--format", "json"])
    assert scanned.exit_code == 0, scanned.output
    data = json.loads(scanned.stdout)
    assert (data["findings"], data["summary"]["files_scanned"]) == ([], 1)


def test_scan_history_scope_keeps_repositories_apart(tmp_path: Path) -> None:
    script = tmp_path / "a.sh"
    script.write_text('curl "$RUNAI_URL/v1/k8s/users"\n', encoding="utf-8")
    db = tmp_path / "h.db"
    runner = CliRunner()
    for scope in ("repo-a", "repo-b", "repo-a"):
        result = runner.invoke(main, ["scan", str(script), "--history", str(db), "--history-scope", scope,
                                      "--as-of", "2026-11-28", "--format", "json"])
        assert result.exit_code == 1, result.output
    history = json.loads(result.stdout)["history"]
    # The third run (repo-a) follows the first, not repo-b's run in between.
    assert (history["run"], history["previous"]) == (3, 1)
    shown = runner.invoke(main, ["history", "show", "--db", str(db), "--scope", "repo-b", "--format", "json"])
    assert [run["id"] for run in json.loads(shown.stdout)["runs"]] == [2]


def test_history_show_names_the_scopes_when_the_asked_one_is_empty(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    record_run(db, report([finding(1)]), scope="my-repo", now=T0)
    result = CliRunner().invoke(main, ["history", "show", "--db", str(db)])
    assert result.exit_code == 0
    assert result.stdout == f"{db}: no runs recorded yet; runs were recorded in scope my-repo (use --scope)\n"
