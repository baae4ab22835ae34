"""What users of linters expect: release names as written (v2.20, 2.20.15), every option from
the environment, short flags, JSON Schemas that every config and report validate against,
stdin sniffed by content, and spec diff/validate that classify and list everything."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from runai_audit.cli import main
from runai_audit.gate.config import _SETTINGS, _ConfigLoader, load_config
from runai_audit.knowledge.resources import schema_path

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-28"
SCRIPT = 'curl "$RUNAI_URL/v1/k8s/users"\n'




def run(*args: str, env: dict[str, str] | None = None, input: str | None = None) -> Any:
    return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)


# --------------------------------------------------------------------------- releases and flags


@pytest.mark.parametrize("written", ["2.20", "v2.20", "2.20.15", "V2.20"])
def test_target_accepts_release_names_as_written(written: str) -> None:
    result = run("scan", "-", "-t", written, "-f", "json", "--as-of", AS_OF, "--stdin-filename", "a.sh", input=SCRIPT)
    assert json.loads(result.stdout)["target"] == {"deployment": "self-hosted", "version": "2.20", "as_of": AS_OF}


def test_unknown_target_is_a_usage_error() -> None:
    result = run("scan", "-", "--target", "2.99.1", input=SCRIPT)
    assert result.exit_code == 2
    assert result.stderr.startswith("runai-audit: error: unknown target release '2.99.1' (known: ")


def test_upgrade_help_lists_no_target_it_rejects() -> None:
    help_text = run("upgrade", "--help").stdout
    assert "--target" not in help_text and "-t," not in help_text
    assert "--from VERSION" in help_text
    rejected = run("upgrade", "--from", "2.20", "-t", "2.24", ".")
    assert rejected.exit_code == 2
    assert "upgrade takes --from and --to instead of --target" in rejected.stderr


def test_short_flags(tmp_path: Path) -> None:
    (tmp_path / "cfg.yaml").write_text("hosts: [gpu.corp]\n", encoding="utf-8")
    out = tmp_path / "out.json"
    result = run("scan", "-", "-t", "2.24", "-f", "json", "-c", str(tmp_path / "cfg.yaml"), "-j", "1",
                 "-o", str(out), "-q", "--stdin-filename", "a.sh", "--as-of", AS_OF, input=SCRIPT)
    assert result.exit_code == 1
    assert [f["rule_id"] for f in json.loads(out.read_text(encoding="utf-8"))["findings"]] == ["RA122"]


def _options(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Option]]:
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            yield from _options(sub, (*path, name))
        return
    for param in command.params:
        if isinstance(param, click.Option) and param.name not in ("help",):
            yield path, param


def test_every_visible_option_reads_an_environment_variable() -> None:
    seen = {(" ".join(path), param.opts[-1]): param.envvar for path, param in _options(main) if not param.hidden}
    assert all(isinstance(var, str) and var.startswith("RUNAI_AUDIT_") for var in seen.values()), seen
    assert seen[("scan", "--target")] == "RUNAI_AUDIT_TARGET"
    assert seen[("upgrade", "--fail-on")] == "RUNAI_AUDIT_FAIL_ON"  # shared by the scanning commands
    assert seen[("baseline create", "--output")] == "RUNAI_AUDIT_BASELINE_CREATE_OUTPUT"  # its own
    assert seen[("spec diff", "--fail-on")] == "RUNAI_AUDIT_SPEC_DIFF_FAIL_ON"
    assert seen[("history show", "--db")] == "RUNAI_AUDIT_HISTORY_SHOW_DB"
    assert "[env var: RUNAI_AUDIT_TARGET]" in run("scan", "--help").stdout


def test_options_from_the_environment_and_flags_win(tmp_path: Path) -> None:
    env = {"RUNAI_AUDIT_TARGET": "v2.20", "RUNAI_AUDIT_FORMAT": "json", "RUNAI_AUDIT_FAIL_ON": "never",
           "RUNAI_AUDIT_HOST": "gpu.corp other.corp", "RUNAI_AUDIT_STDIN_FILENAME": "a.py"}
    code = 'import requests\nrequests.get("https://gpu.corp/v1/k8s/users")\n'
    result = run("scan", "-", "--as-of", AS_OF, env=env, input=code)
    doc = json.loads(result.stdout)
    assert (result.exit_code, doc["target"]["version"], doc["fail_on"]) == (0, "2.20", "never")
    assert [(f["rule_id"], f["location"]["path"]) for f in doc["findings"]] == [("RA122", "a.py")]
    flagged = run("scan", "-", "--as-of", AS_OF, "--target", "2.24", "--fail-on", "error", env=env, input=code)
    assert flagged.exit_code == 1
    assert json.loads(flagged.stdout)["target"]["version"] == "2.24"


# --------------------------------------------------------------------------- schemas


def _schema(name: str) -> dict[str, Any]:
    shipped = schema_path(name).read_text(encoding="utf-8")
    assert (REPO / "docs" / "schemas" / f"{name}.schema.json").read_text(encoding="utf-8") == shipped
    schema: dict[str, Any] = json.loads(shipped)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _config_documents() -> list[tuple[str, Any]]:
    """Every config a user may copy: the example file and the YAML blocks of the docs that
    are configs (their first key is a setting)."""
    docs = [("examples/self-hosted/runai-audit.example.yaml",
             yaml.load((REPO / "examples/self-hosted/runai-audit.example.yaml").read_text(encoding="utf-8"),
                       Loader=_ConfigLoader))]
    for page in ("docs/ci.md", "README.md", "docs/upgrade-and-compliance.md"):
        text = (REPO / page).read_text(encoding="utf-8")
        for index, block in enumerate(re.findall(r"```yaml\n(.*?)```", text, re.S)):
            first = re.match(r"([a-z_-]+):", block)
            if first and first.group(1).replace("-", "_") in _SETTINGS:
                docs.append((f"{page} block {index}", yaml.load(block, Loader=_ConfigLoader)))
    return docs


def test_config_schema_knows_every_setting_in_both_spellings() -> None:
    properties = set(_schema("config")["properties"])
    expected = set(_SETTINGS) | {s.replace("_", "-") for s in _SETTINGS}
    assert properties == expected


def test_every_example_config_validates_and_loads(tmp_path: Path) -> None:
    validator = jsonschema.Draft202012Validator(_schema("config"))
    documents = _config_documents()
    assert len(documents) >= 3
    for where, document in documents:
        assert list(validator.iter_errors(document)) == [], where
        path = tmp_path / "c.yaml"
        path.write_text(yaml.safe_dump(document), encoding="utf-8")
        load_config(path, tmp_path)  # and the tool reads it


def test_config_schema_rejects_what_the_tool_rejects() -> None:
    validator = jsonschema.Draft202012Validator(_schema("config"))
    assert not validator.is_valid({"taget": "2.24"})
    assert not validator.is_valid({"fail_on": "sometimes"})
    assert not validator.is_valid({"severity": {"XX1": "error"}})
    assert not validator.is_valid({"exemptions": [{"rule": "RA101", "path": "a"}]})


def test_every_report_validates(in_repo: Path, tmp_path: Path) -> None:
    validator = jsonschema.Draft202012Validator(_schema("report"))
    reports = {"golden": json.loads((REPO / "tests/golden/report.json").read_text(encoding="utf-8"))}
    reports["examples"] = json.loads(run("scan", "examples", "-f", "json", "--as-of", AS_OF).stdout)
    reports["upgrade"] = json.loads(run("upgrade", "--from", "2.20", "examples/python", "-f", "json",
                                        "--as-of", AS_OF).stdout)
    one = tmp_path / "a" / "runai-audit.json"
    one.parent.mkdir()
    one.write_text(json.dumps(reports["examples"]), encoding="utf-8")
    reports["merge"] = json.loads(run("merge", str(one), "-f", "json").stdout)
    reports["history"] = json.loads(run("scan", "examples/python", "-f", "json", "--as-of", AS_OF,
                                        "--history", str(tmp_path / "h.db")).stdout)
    assert reports["examples"]["coverage"]["unknown_hosts"][0]["host"] == "gpu-platform.corp.internal"
    for name, report in reports.items():
        assert list(validator.iter_errors(report)) == [], name
    broken = dict(reports["golden"], findings=[{"rule_id": "RA101"}])
    assert not validator.is_valid(broken)


# --------------------------------------------------------------------------- stdin


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("examples/python/project_sync.py", ["RA506", "RA507", "RA508", "RA101", "RA215", "RA102"]),
        ("examples/shell/rotate-app-secret.sh", ["RA502", "RA511"]),
        ("examples/surfaces/manifests/training.yaml", ["RA301", "RA321"]),
        ("examples/surfaces/manifests/notebook.json", ["RA302", "RA320"]),
        ("examples/traffic/console-export.har", ["RA506", "RA507", "RA508", "RA111", "RA509", "RA700", "RA701"]),
    ],
)
def test_stdin_without_a_name_is_read_as_what_it_is(in_repo: Path, source: str, expected: list[str]) -> None:
    text = (REPO / source).read_text(encoding="utf-8")
    piped = json.loads(run("scan", "-", "-f", "json", "--as-of", AS_OF, input=text).stdout)
    named = json.loads(run("scan", source, "-f", "json", "--as-of", AS_OF).stdout)
    assert [f["rule_id"] for f in piped["findings"]] == expected
    assert [(f["rule_id"], f["location"]["line"]) for f in piped["findings"]] == [
        (f["rule_id"], f["location"]["line"]) for f in named["findings"]
    ]
    assert {f["location"]["path"] for f in piped["findings"]} == {"-"}


def test_stdin_python_without_shebang_reads_request_bodies() -> None:
    code = ('import requests\n\ndef sync(base):\n'
            '    requests.put(f"{base}/v1/k8s/clusters/c1/projects/7", json={"deservedGpus": 2})\n')
    doc = json.loads(run("scan", "-", "-f", "json", "--as-of", AS_OF, input=code).stdout)
    assert [(f["rule_id"], f["location"]["line"]) for f in doc["findings"]] == [("RA102", 4), ("RA215", 4)]


# --------------------------------------------------------------------------- spec diff and validate

OLD_SPEC: dict[str, Any] = {
    "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
    "paths": {
        "/api/v1/a": {"get": {"responses": {"200": {"description": "ok"}}}},
        "/api/v1/b": {"get": {"responses": {"200": {"description": "ok"}}}},
    },
}


def _spec(tmp_path: Path, name: str, doc: dict[str, Any]) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


def test_spec_diff_fail_on_breaking_and_deprecation(tmp_path: Path) -> None:
    old = _spec(tmp_path, "old.json", OLD_SPEC)
    deprecating = json.loads(json.dumps(OLD_SPEC))
    deprecating["paths"]["/api/v1/a"]["get"]["deprecated"] = True
    deprecated = _spec(tmp_path, "deprecated.json", deprecating)
    removing = json.loads(json.dumps(OLD_SPEC))
    del removing["paths"]["/api/v1/b"]
    removed = _spec(tmp_path, "removed.json", removing)
    assert run("spec", "diff", old, deprecated).exit_code == 0  # --fail-on never by default
    assert run("spec", "diff", old, deprecated, "--fail-on", "breaking").exit_code == 0
    assert run("spec", "diff", old, deprecated, "--fail-on", "deprecation").exit_code == 1
    result = run("spec", "diff", old, removed, "--fail-on", "breaking")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-2] == "1 breaking, 0 deprecation, 0 non-breaking changes"
    assert json.loads(run("spec", "diff", old, removed, "-f", "json").stdout)["operations"]["removed"][0]["level"] == (
        "breaking"
    )


def test_spec_validate_reports_every_problem(tmp_path: Path) -> None:
    bad = json.loads(json.dumps(OLD_SPEC))
    bad["paths"]["/api/v1/a"]["get"]["parameters"] = [{"name": "q", "in": "nowhere"}]
    del bad["paths"]["/api/v1/b"]["get"]["responses"]
    path = _spec(tmp_path, "bad.json", bad)
    result = run("spec", "validate", path)
    assert result.exit_code == 3
    assert result.stderr.splitlines() == [
        f"runai-audit: error: {path}: 'nowhere' is not one of path, query, header, cookie "
        "(at $.paths['/api/v1/a'].get.parameters[0].in)",
        f"runai-audit: error: {path}: 'responses' is a required property (at $.paths['/api/v1/b'].get)",
        f"runai-audit: error: {path}: 2 problems",
    ]


def test_spec_diff_takes_release_names_as_written() -> None:
    result = run("spec", "diff", "v2.23", "2.24.1", "--operations-only")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "API changes from v2.23 to 2.24.1"
    assert result.stdout.splitlines()[-1] == (
        "34 operations added, 4 removed, 13 newly deprecated; 11 parameter, field and enum changes"
    )
