"""Scan history in SQLite: one row per run, the fingerprints it found, trend and new/fixed.

Several scheduled jobs may write one history file at the same time (one per repository, say).
SQLite handles that when used with care: WAL mode (readers never block the writer), a busy
timeout (a writer waits for another instead of failing), and BEGIN IMMEDIATE (the write lock
is taken up front, so two writers cannot both read "the previous run" and then deadlock on
upgrading their locks). WAL needs a local file system: not NFS or SMB.

Runs belong to a scope ("" unless the caller names one): a run is compared with the previous
run of its own scope, so several repositories can share one file without their runs being
compared with each other.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from runai_audit.models import Finding, Report

__all__ = ["SCHEMA_VERSION", "HistoryError", "load_history", "record_run"]

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 60_000
TREND_RUNS = 30  # runs shown in the trend
LIST_LIMIT = 500  # new / fixed findings listed (all are counted)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        scope TEXT NOT NULL DEFAULT '',
        recorded_at TEXT NOT NULL,
        deployment TEXT NOT NULL, version TEXT NOT NULL, as_of TEXT NOT NULL,
        tool_version TEXT NOT NULL, catalog_version TEXT NOT NULL,
        files_scanned INTEGER NOT NULL,
        errors INTEGER NOT NULL, warnings INTEGER NOT NULL, notes INTEGER NOT NULL,
        suppressed INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS findings (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL, rule_id TEXT NOT NULL, severity TEXT NOT NULL,
        subject TEXT NOT NULL, path TEXT NOT NULL, line INTEGER NOT NULL, suppressed INTEGER NOT NULL,
        PRIMARY KEY (run_id, fingerprint))""",
    "CREATE INDEX IF NOT EXISTS runs_by_scope ON runs (scope, id)",
)


class HistoryError(Exception):
    """The history file cannot be used; the message names the file and why."""


def _fingerprint(f: Finding) -> str:
    """Scans always set one; a hand-built or merged finding without one gets a stable stand-in."""
    if f.fingerprint:
        return f.fingerprint
    return hashlib.sha256(f"{f.rule_id}\x1f{f.location.path}\x1f{f.subject}".encode()).hexdigest()[:16]


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch a new database to write-ahead logging. The switch needs the database to itself
    and SQLite does not wait for that (no busy handler), so several first runs starting at once
    retry here for as long as the busy timeout allows."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            (mode,) = conn.execute("PRAGMA journal_mode").fetchone()
            if str(mode).lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


@contextlib.contextmanager
def _open(path: Path, create: bool) -> Iterator[sqlite3.Connection]:
    if not create and not path.is_file():
        raise HistoryError(f"{path}: no such history file")
    try:
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise HistoryError(f"{path}: cannot open the history file ({exc})") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _use_wal(conn)
        conn.execute("PRAGMA foreign_keys = ON")
        yield conn
    except sqlite3.DatabaseError as exc:
        raise HistoryError(f"{path}: not a usable runai-audit history database ({exc})") from None
    finally:
        conn.close()


def _ensure_schema(conn: sqlite3.Connection, path: Path) -> None:
    """Inside the caller's write transaction, so concurrent first runs cannot race."""
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if tables and "meta" not in tables:  # someone else's database: never add our tables to it
        raise HistoryError(f"{path}: not a runai-audit history database (it holds other tables)")
    for statement in _SCHEMA:
        conn.execute(statement)
    row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        conn.execute("INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    elif row[0] != str(SCHEMA_VERSION):
        raise HistoryError(f"{path}: history schema version {row[0]} is not supported (this tool writes {SCHEMA_VERSION})")


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    try:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    except sqlite3.OperationalError:
        row = None
    if row is None or row[0] != str(SCHEMA_VERSION):
        raise HistoryError(f"{path}: not a runai-audit history database (schema version {row[0] if row else 'missing'})")


def _insert_run(conn: sqlite3.Connection, report: Report, recorded_at: str, scope: str) -> int:
    counts = report.counts()
    target, prov = report.target, report.provenance
    cursor = conn.execute(
        "INSERT INTO runs (scope, recorded_at, deployment, version, as_of, tool_version, catalog_version,"
        " files_scanned, errors, warnings, notes, suppressed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (scope, recorded_at, target.deployment, target.version, target.as_of, prov.tool_version, prov.catalog_version,
         report.coverage.files_scanned, counts["error"], counts["warning"], counts["note"],
         sum(1 for f in report.findings if f.suppressed)),
    )
    run_id = int(cursor.lastrowid or 0)
    conn.executemany(
        "INSERT OR IGNORE INTO findings (run_id, fingerprint, rule_id, severity, subject, path, line, suppressed)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ((run_id, _fingerprint(f), f.rule_id, f.severity.value, f.subject, f.location.path, f.location.line,
          int(f.suppressed)) for f in report.findings),
    )
    return run_id


def record_run(path: Path, report: Report, *, scope: str = "", now: dt.datetime | None = None) -> Report:
    """Store this run in the history at `path` (created if missing) and return the report with
    extras["history"]: the recent runs of `scope`, and what is new and fixed since its previous run."""
    recorded_at = (now or dt.datetime.now(dt.timezone.utc)).isoformat(timespec="seconds")
    with _open(path, create=True) as conn:
        conn.execute("BEGIN IMMEDIATE")
        try:
            _ensure_schema(conn, path)
            run_id = _insert_run(conn, report, recorded_at, scope)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        summary = _summary(conn, run_id, scope, TREND_RUNS)
    return replace(report, extras={**report.extras, "history": summary})


def load_history(path: Path, *, scope: str = "", last: int = TREND_RUNS) -> dict[str, Any]:
    """The same summary as record_run attaches, for the newest run of `scope` in the file."""
    with _open(path, create=False) as conn:
        _check_schema(conn, path)
        row = conn.execute("SELECT max(id) FROM runs WHERE scope = ?", (scope,)).fetchone()
        if row is None or row[0] is None:
            scopes = [r[0] for r in conn.execute("SELECT DISTINCT scope FROM runs ORDER BY scope")]
            return {"scope": scope, "runs": [], "run": None, "previous": None, "new": [], "fixed": [],
                    "new_count": 0, "fixed_count": 0, "scopes": scopes}
        return _summary(conn, int(row[0]), scope, last)


# --------------------------------------------------------------------------- reading


def _runs(conn: sqlite3.Connection, up_to: int, scope: str, last: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT id, recorded_at, deployment, version, as_of, files_scanned, errors, warnings, notes, suppressed"
        " FROM runs WHERE scope = ? AND id <= ? ORDER BY id DESC LIMIT ?", (scope, up_to, last),
    ).fetchall()
    return [
        {"id": r[0], "time": r[1], "target": f"{r[2]} {r[3]}", "as_of": r[4], "files_scanned": r[5],
         "counts": {"error": r[6], "warning": r[7], "note": r[8], "suppressed": r[9]}}
        for r in reversed(rows)
    ]


def _difference(conn: sqlite3.Connection, run: int, other: int, columns: str) -> tuple[list[tuple[Any, ...]], int]:
    """Findings of `run` whose fingerprint `other` lacks: the first LIST_LIMIT and the count."""
    where = "FROM findings a WHERE a.run_id = ? AND NOT EXISTS (SELECT 1 FROM findings b WHERE b.run_id = ? AND b.fingerprint = a.fingerprint)"
    rows = conn.execute(f"SELECT {columns} {where} ORDER BY a.path, a.line, a.rule_id LIMIT ?", (run, other, LIST_LIMIT)).fetchall()
    count = conn.execute(f"SELECT count(*) {where}", (run, other)).fetchone()[0]
    return rows, int(count)


def _summary(conn: sqlite3.Connection, run_id: int, scope: str, last: int) -> dict[str, Any]:
    previous_row = conn.execute("SELECT max(id) FROM runs WHERE scope = ? AND id < ?", (scope, run_id)).fetchone()
    previous = previous_row[0] if previous_row else None
    summary: dict[str, Any] = {"scope": scope, "runs": _runs(conn, run_id, scope, last), "run": run_id,
                               "previous": previous,
                               "new": [], "fixed": [], "new_count": 0, "fixed_count": 0}
    if previous is None:  # a first run has nothing to compare with; everything is "new" only in name
        return summary
    new, summary["new_count"] = _difference(
        conn, run_id, previous, "a.fingerprint, a.rule_id, a.severity, a.subject, a.path, a.line, a.suppressed")
    fixed, summary["fixed_count"] = _difference(conn, previous, run_id, "a.fingerprint, a.rule_id, a.subject, a.path")
    summary["new"] = [
        {"fingerprint": r[0], "rule_id": r[1], "severity": r[2], "subject": r[3], "path": r[4], "line": r[5],
         "suppressed": bool(r[6])}
        for r in new
    ]
    summary["fixed"] = [{"fingerprint": r[0], "rule_id": r[1], "subject": r[2], "path": r[3]} for r in fixed]
    return summary
