"""Hostile and messy input (issue 14, input side): every reader stays bounded in time and
memory, and each problem is reported as path + reason while the scan goes on."""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from runai_audit.cli import main
from runai_audit.collect.discovery import WalkOptions, discover
from runai_audit.models import ApiCall, InputProblem, Observation, SkippedFile
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.redact import mask_secrets
from runai_audit.scanners.traffic import scan_access_log, scan_audit_log, scan_har
from tests.bounded import deadline, run_bounded

ENTRY = {
    "startedDateTime": "2025-06-02T10:00:00Z",
    "request": {"method": "GET", "url": "https://acme.run.ai/v1/k8s/clusters", "headers": []},
    "response": {"headers": []},
}
LOG_LINE = b'10.0.0.1 - - [02/Jun/2025:10:00:00 +0000] "GET /v1/k8s/clusters HTTP/1.1" 200 5 "-" "curl/8"\n'


def har_bytes(entries: int) -> bytes:
    return json.dumps({"log": {"version": "1.2", "creator": {}, "entries": [ENTRY] * entries}}, indent=2).encode()


def calls(observations: list[Observation]) -> list[tuple[int, str]]:
    return [(o.location.line, o.location.pointer) for o in observations if isinstance(o, ApiCall)]


# ---------------------------------------------------------------- (1) gzip members, trailing bytes


def test_har_gz_of_two_members_reads_both(tmp_path: Path) -> None:
    data = har_bytes(600)  # > 64 KB inflated, so the inflater works in capped pieces
    (tmp_path / "two.har.gz").write_bytes(gzip.compress(data[:40_000]) + gzip.compress(data[40_000:]))
    stats = StreamStats()
    with deadline(10):
        found = list(scan_har(tmp_path / "two.har.gz", "two.har.gz", stats))
    assert len(calls(found)) == 600
    assert calls(found)[-1] == (6595, "/log/entries/599")
    assert stats.problems == []


def test_log_gz_with_trailing_zeros_and_garbage(tmp_path: Path) -> None:
    log = LOG_LINE * 1000  # ~100 KB inflated
    (tmp_path / "zeros.log.gz").write_bytes(gzip.compress(log) + b"\x00" * 10)
    (tmp_path / "junk.log.gz").write_bytes(gzip.compress(log) + b"xx")
    zero_stats, junk_stats = StreamStats(), StreamStats()
    with deadline(10):
        zeros = list(scan_access_log(tmp_path / "zeros.log.gz", "zeros.log.gz", zero_stats))
        junk = list(scan_access_log(tmp_path / "junk.log.gz", "junk.log.gz", junk_stats))
    assert (len(calls(zeros)), zero_stats.problems) == (1000, [])
    assert len(calls(junk)) == 1000
    assert junk_stats.problems == [InputProblem(
        "junk.log.gz", "unexpected bytes after the compressed data (ignored from there)", 1000)]


def test_gzip_bomb_stops_at_the_ratio_cap(tmp_path: Path) -> None:
    (tmp_path / "bomb.log.gz").write_bytes(gzip.compress((b" " * 8191 + b"\n") * 3 * 1024, 9))
    stats = StreamStats()
    with deadline(20):
        list(scan_access_log(tmp_path / "bomb.log.gz", "bomb.log.gz", stats))
    assert [(p.path, p.reason) for p in stats.problems] == [
        ("bomb.log.gz", "decompresses more than 500 times its compressed size (a decompression bomb?)")]


# ---------------------------------------------------------------- (5) access-log pattern backtracking


def test_built_in_access_log_patterns_do_not_backtrack_on_tabs(tmp_path: Path) -> None:
    # Runs of tabs between the fields of `combined`: each split of a run between neighbouring
    # variables was tried once (old patterns: tens of seconds for this 393-byte line).
    line = "\t" * 130 + "-" + "\t" * 130 + "-" + "\t" * 130 + "["
    (tmp_path / "access.log").write_text((line + "\n") * 3 + LOG_LINE.decode())
    stats = StreamStats()
    with deadline(2):
        found = list(scan_access_log(tmp_path / "access.log", "access.log", stats))
    assert calls(found) == [(4, "")]
    assert stats.problems == [InputProblem(
        "access.log", "3 lines did not match the upstreaminfo or combined access log format (first at line 1); "
        "pass --log-format to describe yours", 1)]


# ---------------------------------------------------------------- (6, 7, low) walking odd files

CURL = "curl https://acme.run.ai/v1/k8s/clusters\n"


def scan_cli(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["scan", *args, "--format", "json"], catch_exceptions=False)
    return result.exit_code, json.loads(result.output)


def findings_of(report: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in report["findings"]]


def test_symlink_loops_fifos_and_dangling_links_are_skipped_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "ok.sh").write_text(CURL)
    (root / "loop1").symlink_to("loop2")
    (root / "loop2").symlink_to("loop1")
    (root / "dangling").symlink_to("missing")
    os.mkfifo(root / "pipe.sh")
    with deadline(20):
        code, report = scan_cli("repo")
    assert code == 0
    assert findings_of(report) == [("RA100", "repo/ok.sh", 1)]
    assert report["coverage"]["files_skipped"] == [
        {"path": "repo/dangling", "reason": "dangling symbolic link (its target does not exist)"},
        {"path": "repo/loop1", "reason": "symbolic link loop"},
        {"path": "repo/loop2", "reason": "symbolic link loop"},
        {"path": "repo/pipe.sh", "reason": "a named pipe (FIFO), not read"},
    ]


def test_fifo_and_device_arguments_are_never_opened(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / "pipe.har")
    (tmp_path / "ok.sh").write_text(CURL)
    with deadline(20):
        code, report = scan_cli("pipe.har", "/dev/zero", "ok.sh")
    assert code == 0
    assert findings_of(report) == [("RA100", "ok.sh", 1)]
    assert report["coverage"]["files_skipped"] == [
        {"path": "/dev/zero", "reason": "a device, not read"},
        {"path": "pipe.har", "reason": "a named pipe (FIFO), not read"},
    ]


def test_a_file_name_that_is_not_utf8_is_scanned_and_shown_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / os.fsdecode(b"bad\xff.sh")).write_text(CURL)
    (tmp_path / "ok.sh").write_text(CURL)
    for fmt in ("text", "json", "sarif", "csv", "markdown", "html", "junit", "github", "gitlab"):
        result = CliRunner().invoke(main, ["scan", ".", "--format", fmt], catch_exceptions=False)
        assert result.exit_code == 0, (fmt, result.output[-300:])
        assert "xff.sh" in result.output, fmt  # escaped as the format escapes a backslash
    _, report = scan_cli(".")
    assert findings_of(report) == [("RA100", "bad\\xff.sh", 1), ("RA100", "ok.sh", 1)]


# ---------------------------------------------------------------- (4, 9) YAML alias bombs

LAUGHS = "\n".join(
    ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
)


def test_billion_laughs_in_a_python_string_is_refused_and_reported() -> None:
    source = f'MANIFEST = """\napiVersion: run.ai/v1\nkind: TrainingWorkload\n{LAUGHS}\n"""\n'
    code = (
        "from runai_audit.scanners.python.scanner import scan_python\n"
        f"print([(p.path, p.reason, p.line) for p in scan_python({source!r}, 'job.py').problems])\n"
    )
    done = run_bounded(code, seconds=30, memory_mb=1024)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == str([(
        "job.py", "YAML in a string at line 1: YAML aliases expand to more than 100000 nodes; "
        "refused (an alias bomb?)", 1)])


def test_billion_laughs_spec_is_refused_by_spec_validate(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(f"openapi: 3.0.0\n{LAUGHS}\n")
    code = (
        "from click.testing import CliRunner\nfrom runai_audit.cli import main\n"
        f"r = CliRunner().invoke(main, ['spec', 'validate', {str(tmp_path / 'spec.yaml')!r}])\n"
        "print(r.exit_code, r.output)\n"
    )
    done = run_bounded(code, seconds=30, memory_mb=1024)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split(" ", 1)[0] == "3"
    assert "YAML aliases expand to more than 100000 nodes; refused (an alias bomb?) (line 7)" in done.stdout


def test_billion_laughs_config_is_refused(tmp_path: Path) -> None:
    (tmp_path / ".runai-audit.yaml").write_text(f"target: '2.24'\nx-anchors:\n{LAUGHS}\n".replace("\na", "\n  a"))
    (tmp_path / "ok.sh").write_text(CURL)
    code = (
        "import os\nfrom click.testing import CliRunner\nfrom runai_audit.cli import main\n"
        f"os.chdir({str(tmp_path)!r})\n"
        "r = CliRunner().invoke(main, ['scan', 'ok.sh'])\nprint(r.exit_code, r.output)\n"
    )
    done = run_bounded(code, seconds=30, memory_mb=1024)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split(" ", 1)[0] == "3", done.stdout
    assert "cannot be read at line 8: YAML aliases expand to more than 100000 nodes" in done.stdout


# ---------------------------------------------------------------- (2, 3) long strings, deep nesting


def test_a_long_escaped_string_in_a_har_reads_in_linear_time(tmp_path: Path) -> None:
    # 24 MB of \u00e9 escapes in one body: yajl re-read the whole string on every 64 KB push.
    body = {**ENTRY["request"], "method": "POST", "postData": {"mimeType": "text/plain", "text": "é" * 4_000_000}}
    entries = [{**ENTRY, "request": body}, ENTRY]
    (tmp_path / "long.har").write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}, indent=2))
    stats = StreamStats()
    with deadline(15):
        found = list(scan_har(tmp_path / "long.har", "long.har", stats))
    assert calls(found) == [(5, "/log/entries/0"), (20, "/log/entries/1")]
    assert stats.problems == [InputProblem("long.har", "1 JSON string longer than 8 MB cut there (the rest of each was not read)")]


def _deep_scan_code(scanner: str, path: Path) -> str:
    return (
        "from pathlib import Path\nfrom runai_audit.scanners.base import StreamStats\n"
        f"from runai_audit.scanners.traffic import {scanner}\n"
        "stats = StreamStats()\n"
        f"found = list({scanner}(Path({str(path)!r}), 'deep', stats))\n"
        "print(len(found), [(p.reason, p.line) for p in stats.problems])\n"
    )


def test_a_deeply_nested_har_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    deep = "[" * 300_000
    text = json.dumps({"log": {"version": "1.2", "entries": [ENTRY, {"x": "@"}]}}, indent=2)
    (tmp_path / "deep.har").write_text(text.replace('"@"', deep))
    done = run_bounded(_deep_scan_code("scan_har", tmp_path / "deep.har"), seconds=60, memory_mb=1024)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "1 [('JSON nests deeper than 100 levels; the rest of the file is not read', 17)]"


def test_a_deeply_nested_postman_collection_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    request = {"name": "clusters", "request": {"method": "GET", "url": "{{runai_url}}/v1/k8s/clusters"}}
    folder: dict[str, Any] = {"name": "f", "item": ["@"]}
    collection = {"info": {"_postman_id": "1", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/"},
                  "item": [request, folder]}
    text = json.dumps(collection, indent=1).replace('"@"', '{"item": [' * 100_000)
    (tmp_path / "deep.postman_collection.json").write_text(text)
    done = run_bounded(_deep_scan_code("scan_postman", tmp_path / "deep.postman_collection.json"),
                       seconds=60, memory_mb=1024)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.strip() == "1 [('JSON nests deeper than 100 levels; the rest of the file is not read', 17)]"


# ---------------------------------------------------------------- medium: encodings, markers, audit logs, secrets

USERS = 'requests.get("https://acme.run.ai/v1/k8s/users")'


def test_non_utf8_sources_are_decoded_and_scanned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lat.py").write_bytes(f"# -*- coding: latin-1 -*-\nimport requests\n{USERS}  # caf\xe9\n".encode("latin-1"))
    (tmp_path / "lat.sh").write_bytes(b"# caf\xe9\ncurl https://acme.run.ai/v1/k8s/users\n")
    (tmp_path / "lat.md").write_bytes(b"# Caf\xe9\n\n```bash\ncurl https://acme.run.ai/v1/k8s/users\n```\n")
    (tmp_path / "lat.yaml").write_bytes(
        b"# caf\xe9\napiVersion: run.ai/v1\nkind: RunaiJob\nmetadata:\n  name: x\n")
    code, report = scan_cli(".", "--fail-on", "never")
    assert code == 0
    assert findings_of(report) == [
        ("RA122", "lat.md", 4), ("RA122", "lat.py", 3), ("RA122", "lat.sh", 2), ("RA310", "lat.yaml", 2)]
    assert report["coverage"]["errors"] == []


def test_a_report_marker_in_code_does_not_hide_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rep.py").write_text(f"HEAD = '{{\"tool\": {{\"name\": \"runai-audit\"}}}}'\nimport requests\n{USERS}\n")
    (tmp_path / "rep.sh").write_text("# <testsuites name=\"runai-audit\"\ncurl https://acme.run.ai/v1/k8s/users\n")
    (tmp_path / "report.json").write_text(json.dumps({"tool": {"name": "runai-audit"}, "findings": [USERS]}))
    _, report = scan_cli(".", "--fail-on", "never")
    assert findings_of(report) == [("RA122", "rep.py", 3), ("RA122", "rep.sh", 2)]
    assert report["coverage"]["files_skipped"] == [
        {"path": "report.json", "reason": "a runai-audit report or baseline"}]


def test_a_bad_first_audit_log_line_does_not_lose_the_events_after_it(tmp_path: Path) -> None:
    event = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "auditID": "a1", "stage": "ResponseComplete",
             "verb": "create", "requestURI": "/apis/run.ai/v1/namespaces/team-a/runaijobs",
             "user": {"username": "alice"},
             "objectRef": {"resource": "runaijobs", "namespace": "team-a", "apiGroup": "run.ai", "apiVersion": "v1"}}
    lines = ['{"kind": "Event", oops}', json.dumps(event), json.dumps({**event, "auditID": "a2"})]
    (tmp_path / "audit.log").write_text("\n".join(lines) + "\n")
    stats = StreamStats()
    found = list(scan_audit_log(tmp_path / "audit.log", "audit.log", stats))
    assert calls(found) == [(2, ""), (3, "")]
    assert stats.problems == [InputProblem("audit.log", "1 line is not JSON audit events (first at line 1)", 1)]


JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXNpZw"


def test_a_token_in_a_recorded_url_path_reaches_no_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    entries = [{**ENTRY, "request": {**ENTRY["request"], "url": f"https://acme.run.ai/api/v1/share/{JWT}/files"}},
               {**ENTRY, "request": {**ENTRY["request"], "url": f"https://acme.run.ai/v1/k8s/clusters/{JWT}"}}]
    (tmp_path / "t.har").write_text(json.dumps({"log": {"version": "1.2", "entries": entries}}, indent=2))
    outputs = []
    for fmt in ("json", "text", "sarif", "csv", "markdown", "html", "junit", "gitlab", "github"):
        result = CliRunner().invoke(main, ["scan", "t.har", "--format", fmt, "--fail-on", "never",
                                           "--history", "h.db"], catch_exceptions=False)
        outputs.append(result.output)
    CliRunner().invoke(main, ["baseline", "create", "t.har", "-o", "b.json"], catch_exceptions=False)
    outputs += [(tmp_path / "h.db").read_bytes().decode("latin-1"), (tmp_path / "b.json").read_text()]
    assert [output[:200] for output in outputs if "eyJ" in output] == []
    _, report = scan_cli("t.har", "--fail-on", "never")
    assert [(f["rule_id"], f["subject"]) for f in report["findings"]] == [
        ("RA100", "GET /api/v1/share/***/files"), ("RA100", "GET /v1/k8s/clusters/***")]


def test_concatenated_bearer_literals_and_cookie_jars_are_masked() -> None:
    line = 'get(u, headers={"Authorization": "Bearer " + "s3cr3tLiteral"}, cookies={"s": "sessvalue42"})'
    assert mask_secrets(line) == 'get(u, headers={"Authorization": "***" + "***"}, cookies=***)'
    assert mask_secrets('h = {"X": "Bearer " + "s3cr3tLiteral"}') == 'h = {"X": "Bearer " + "***"}'


# ---------------------------------------------------------------- low: stdin, excludes, big specs


def test_stdin_is_capped_and_reported(tmp_path: Path) -> None:
    big = b"# " + b"x" * (6 * 1024 * 1024) + b"\n"
    result = CliRunner().invoke(main, ["scan", "-", "--format", "json"], input=big, catch_exceptions=False)
    report = json.loads(result.output)
    assert report["coverage"]["files_skipped"] == [{"path": "-", "reason": "larger than 5242880 bytes; not read"}]
    assert result.exit_code == 0


def test_forty_thousand_excludes_are_compiled_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for folder in range(20):
        (tmp_path / f"d{folder}").mkdir()
        for index in range(10):
            (tmp_path / f"d{folder}" / f"f{index}.sh").write_text("echo hi\n")
    (tmp_path / "d3" / "keep.sh").write_text(CURL)
    excludes = [f"gen{n}/*.py" if n % 2 else f"vendor/lib{n}" for n in range(40_000)] + ["d1", "*/f9.sh"]
    skipped: list[SkippedFile] = []
    with deadline(5):
        found = discover([Path()], WalkOptions(exclude=tuple(excludes)), skipped)
    shown = [c.display for c in found]
    assert len(shown) == 19 * 9 + 1
    assert "d3/keep.sh" in shown and "d2/f0.sh" in shown
    assert not any(s.startswith("d1/") or s.endswith("/f9.sh") for s in shown)


def test_a_spec_of_100000_operations_validates_in_bounded_time(tmp_path: Path) -> None:
    parameter = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    paths = {f"/api/v1/things{i}/{{id}}": {"get": {"parameters": [parameter], "responses": {"200": {"description": "ok"}}}}
             for i in range(100_000)}
    (tmp_path / "big.json").write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                                                   "paths": paths}))
    with deadline(30):  # minutes before the schema check was bounded
        result = CliRunner().invoke(main, ["spec", "validate", str(tmp_path / "big.json")], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.output.endswith("valid OpenAPI document, 100000 operations (0 deprecated); "
                                  "schema checked on the first 2000 of 100000 paths\n")


def test_deep_notebook_json_and_alias_bomb_rules_are_reported_not_crashes(tmp_path: Path) -> None:
    from runai_audit.knowledge.catalog import CatalogError, load_catalog
    from runai_audit.scanners.notebook import scan_notebook

    deep = '{"cells": ' + "[" * 50_000 + "]" * 50_000 + "}"
    assert [(p.path, p.reason) for p in scan_notebook(deep, "nb.ipynb").problems] == [
        ("nb.ipynb", "notebook JSON nests deeper than 100 levels; refused")]
    (tmp_path / "rules.yaml").write_text(LAUGHS + "\n")
    with deadline(10), pytest.raises(CatalogError) as caught:
        load_catalog((tmp_path / "rules.yaml",))
    assert caught.value.problems == (
        f"{tmp_path / 'rules.yaml'}:6: YAML aliases expand to more than 100000 nodes; refused (an alias bomb?)",)


def test_a_fifo_gitignore_or_baseline_never_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    os.mkfifo(tmp_path / ".gitignore")
    os.mkfifo(tmp_path / "base.json")
    (tmp_path / "ok.sh").write_text(CURL)
    with deadline(20):
        code, report = scan_cli("ok.sh")
        result = CliRunner().invoke(main, ["scan", "ok.sh", "--baseline", "base.json"], catch_exceptions=False)
    assert (code, findings_of(report)) == (0, [("RA100", "ok.sh", 1)])
    assert result.exit_code == 3
    assert "base.json: cannot be read: not a regular file, not read" in result.output
