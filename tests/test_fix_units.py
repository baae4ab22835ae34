"""The pure parts of fix: the catalog's fix entries, path swaps, locating, overlaps, byte-exact
application and verification."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from runai_audit.fix.apply import BOM, NotEditable, apply_bytes, apply_text, byte_edits, decode
from runai_audit.fix.diff import file_diff
from runai_audit.fix.locate_cli import Span, cli_edits
from runai_audit.fix.locate_text import body_edits, field_edit, metric_edit, value_edit
from runai_audit.fix.plan import Outcome, resolve_overlaps
from runai_audit.fix.verify import findings_problem, still_loads, syntax_problem
from runai_audit.knowledge.catalog import CatalogError, load_catalog
from runai_audit.knowledge.catalog.fixes import check_fix, describe_fix, path_swap
from runai_audit.knowledge.catalog.model import BodyRewrite
from runai_audit.models import Finding, Location, Severity, Status

REPO = Path(__file__).resolve().parent.parent
ROW = ("- id: RA480\n  title: T\n  description: D.\n  match: {match}\n  replacement: r\n"
       "  fix: {fix}\n  sources: [s]\n")


def _load(tmp_path: Path, match: str, fix: str) -> str:
    (tmp_path / "r.yaml").write_text(ROW.format(match=match, fix=fix))
    with pytest.raises(CatalogError) as info:
        load_catalog([tmp_path / "r.yaml"])
    return str(info.value)


@pytest.mark.parametrize(("match", "fix", "problem"), [
    ("{kind: metric, names: [runai_a]}", "fine", "fix.safety must be one of safe, unsafe, manual, not 'fine'"),
    ("{kind: metric, names: [runai_a]}", "{safety: manual}", "a manual fix must give its reason"),
    ("{kind: metric, names: [runai_a]}", "{safety: safe}", "a metric fix needs fix.to"),
    ("{kind: metric, names: ['runai_*']}", "{safety: safe, to: runai_b}", "a metric fix needs a row that names exactly one metric"),
    ("{kind: metric, names: [runai_a]}", "{safety: safe, to: runai_b, size: 1}", "unknown key fix.size"),
    ("{kind: cli, binary: runai, command: [x]}", "safe", "a CLI fix needs match.rewrite"),
    ("{kind: endpoint, methods: [GET], path: '/v1/a/{id}'}", "{safety: safe, to: '/v2/b'}", "is not a drop-in"),
    ("{kind: metric, names: [runai_a]}", "{safety: safe, to: runai_b, body: {drop: [x]}}", "fix.body is only for endpoint rows"),
    ("{kind: query_param, endpoints: ['GET /api/v1/x'], param: p}", "safe", "match kind query_param has no automatic fix"),
    ("{kind: metric, names: [runai_a]}", "{safety: safe, to: runai_b, leaves: [nope]}", "fix.leaves must be a list of rule ids"),
])
def test_the_loader_rejects_bad_fix_entries(tmp_path: Path, match: str, fix: str, problem: str) -> None:
    message = _load(tmp_path, match, fix)
    assert "r.yaml:6: RA480: " in message and problem in message


def test_the_catalog_fix_entries() -> None:
    rules = {r.id: r for r in load_catalog().rules}
    assert rules["RA601"].fix is not None and rules["RA601"].fix.safety == "safe"
    assert rules["RA622"].fix is not None and rules["RA622"].fix.safety == "manual"
    assert "training or workspace" in (rules["RA622"].fix.reason or "")
    assert rules["RA101"].fix is None and describe_fix(None) == "manual"
    assert describe_fix(rules["RA431"].fix) == "safe to `runai_run_time_seconds_per_workload`"
    assert describe_fix(rules["RA135"].fix) == "safe to `/api/v1/cli-exposer/installer/linux`"
    counts = {s: sum(1 for r in rules.values() if r.fix and r.fix.safety == s) for s in ("safe", "unsafe", "manual")}
    assert counts == {"safe": 35, "unsafe": 13, "manual": 12}
    # Every fix leaves a source behind it: the row's own sources are kept.
    assert all(r.sources for r in rules.values() if r.fix)
    docs = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert "| Fix | safe to `clientID` |" in docs and "35 safe, 13 unsafe." in docs


def test_path_swap() -> None:
    assert path_swap("/api/v1/cli/installer/linux", "/api/v1/cli-exposer/installer/linux") == (
        "/api/v1/cli/installer/linux", "/api/v1/cli-exposer/installer/linux")  # no parameter: the whole path
    assert path_swap("/api/v1/cli/docs/{documentName}", "/api/v1/cli-exposer/docs/{documentName}") == (
        "/api/v1/cli/", "/api/v1/cli-exposer/")
    assert path_swap("/v1/k8s/auth/oauth/apptoken", "/api/v1/token") == ("/v1/k8s/auth/oauth/apptoken", "/api/v1/token")
    assert path_swap("/v1/k8s/clusters/{id}/projects", "/api/v1/org-unit/projects") is None
    assert path_swap("/a/{x}/b", "/a/{x}/c") is None  # a change after a parameter is no literal swap
    assert check_fix({"safety": "safe", "to": "/a/{x}/c"}, "endpoint", {"path": "/a/{x}/b"})


CLI = {"binary": "runai", "command": ["submit"], "rewrite": {"to": ["workspace", "submit"], "drop_flags": ["--interactive"]}}


@pytest.mark.parametrize(("text", "offset", "fixed"), [
    ("runai submit a --interactive -g 1\n", 0, "runai workspace submit a -g 1\n"),
    ("runai submit a --interactive=true\n", 0, "runai workspace submit a\n"),
    ("x([\n  'runai',\n  'submit',\n  '--interactive',\n])\n", 2, "x([\n  'runai',\n  'workspace',\n  'submit',\n])\n"),
    ("runai submit a \\\n  --interactive\necho\n", 0, "runai workspace submit a\necho\n"),
    ("runai submit a -- python t.py --interactive\n", 0, "runai workspace submit a -- python t.py --interactive\n"),
    # A Python list inside a JSON string (a notebook cell): escaped quotes are the list's quotes.
    ('"run([\\"runai\\", \\"submit\\", \\"a\\", \\"--interactive\\"])"', 5,
     '"run([\\"runai\\", \\"workspace\\", \\"submit\\", \\"a\\"])"'),
])
def test_cli_edits(text: str, offset: int, fixed: str) -> None:
    edits = cli_edits(text, offset, CLI)
    assert isinstance(edits, list) and apply_text(text, edits) == fixed


@pytest.mark.parametrize(("text", "reason"), [
    ("echo hello submit\n", "the command's binary was not found where the finding is"),
    ("runai training submit a\n", "the command words were not found as written"),
    ("\n", "no command found where the finding is"),
])
def test_cli_edits_say_why_not(text: str, reason: str) -> None:
    assert cli_edits(text, 0, CLI) == reason


def test_text_locators() -> None:
    assert metric_edit("x runai_a_total{b} runai_a", 0, "runai_a", "runai_b") == Span(19, 26, "runai_b")
    assert field_edit('{"APPID" : 1, "appId": 2}', 0, "appID", "clientID") == Span(2, 7, "clientID")
    assert field_edit("appid is prose", 0, "appID", "clientID") == "the key appID was not found where the finding is"
    assert value_edit('{\\"grantType\\":\\"APP_TOKEN\\"}', 0, "grantType", "app_token", "client_credentials") == Span(
        17, 26, "client_credentials")
    body = '{"name": "n", "id": "i", "secret": "s"}'
    edits = body_edits(body, 0, BodyRewrite(rename={"id": "clientID", "secret": "clientSecret"}, drop=("name",),
                                            add={"grantType": "client_credentials"}))
    assert isinstance(edits, list)
    assert apply_text(body, edits) == '{"grantType": "client_credentials", "clientID": "i", "clientSecret": "s"}'
    assert body_edits("{}\n\n{\"id\": 1}", 0, BodyRewrite(rename={"id": "x"})) == "the body field id was not found next to the URL"


def test_bytes_are_edited_backwards_by_exact_offsets() -> None:
    raw = BOM + "é runai submit\r\nrunai list\r\n".encode()
    decoded = decode(raw)
    assert decoded.bom == BOM and decoded.text.startswith("é")
    edits = [Span(8, 14, "training submit"), Span(16, 26, "runai workload list")]
    assert byte_edits(decoded, edits) == [(3 + 9, 3 + 15, b"training submit"), (3 + 17, 3 + 27, b"runai workload list")]
    assert apply_bytes(raw, byte_edits(decoded, edits)) == BOM + "é runai training submit\r\nrunai workload list\r\n".encode()
    with pytest.raises(NotEditable, match="not UTF-8"):
        decode(b"caf\xe9")


def _finding(rule: str, line: int = 1) -> Finding:
    return Finding(rule, Severity.WARNING, Status.DEPRECATED, "m", "s", "r", Location("a.sh", line, 1))


def test_overlapping_fixes_keep_the_first() -> None:
    a = Outcome(_finding("RA601"), "fixed", "safe", edits=(Span(0, 5, "x"),))
    b = Outcome(_finding("RA602"), "fixed", "safe", edits=(Span(3, 8, "y"),))
    c = Outcome(_finding("RA603"), "fixed", "safe", edits=(Span(0, 5, "x"), Span(9, 9, "z")))
    out = resolve_overlaps([a, b, c])
    assert [(o.status, o.reason, o.edits) for o in out] == [
        ("fixed", "", (Span(0, 5, "x"),)),
        ("failed", "its edit overlaps another fix", ()),
        ("fixed", "", (Span(9, 9, "z"),)),  # the identical edit is shared, not applied twice
    ]


def test_verification() -> None:
    fixed = [Outcome(_finding("RA430"), "fixed", "safe", leaves=("RA441",))]
    assert findings_problem([_finding("RA430")], [_finding("RA441")], fixed) is None
    assert findings_problem([_finding("RA430")], [_finding("RA430")], fixed) == "RA430 is still reported after its fix"
    assert findings_problem([_finding("RA430")], [_finding("RA900")], fixed) == "the fix introduced a new RA900 finding"
    assert still_loads("a.py", "x = 1\n", "x = (\n") == "the fixed file no longer loads (SyntaxError: '(' was never closed (<unknown>, line 1))"
    assert still_loads("a.py", "x = (\n", "x = ((\n") is None  # it did not load before either
    assert syntax_problem("a.json", "{}") is None and syntax_problem("a.yaml", "a: [") is not None
    assert yaml.safe_load("a: 1") == {"a": 1}


def test_diff_marks_a_missing_final_newline() -> None:
    assert file_diff("a.sh", "runai list", "runai workload list") == (
        "--- a/a.sh\n+++ b/a.sh\n@@ -1 +1 @@\n-runai list\n\\ No newline at end of file\n"
        "+runai workload list\n\\ No newline at end of file\n")
    assert file_diff("a.sh", "x", "x") == ""


def test_a_use_on_another_line_is_never_edited_in_this_findings_name() -> None:
    text = 'body["grantType"] = x\nother = {"grantType": "app_token", "appId": 1}\n'
    assert value_edit(text, 0, "grantType", "app_token", "client_credentials") == (
        "the value app_token of grantType was not found where the finding is")
    assert field_edit('a = 1\n{"appId": 2}', 0, "appID", "clientID") == "the key appID was not found where the finding is"
    assert metric_edit("x\nrunai_a", 0, "runai_a", "runai_b") == "the metric runai_a was not found where the finding is"
    assert field_edit('if d["appId"] == 1:', 0, "appID", "clientID") == "the key appID was not found where the finding is"
    assert field_edit('d["appId"] = 1', 0, "appID", "clientID") == Span(3, 8, "clientID")
