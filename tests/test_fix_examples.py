"""`fix --write` on a copy of examples/: what it fixes, by kind, and that a re-scan finds none of
the fixed rules left outside recorded traffic (which is never edited)."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from runai_audit.cli import main

REPO = Path(__file__).resolve().parent.parent
PINNED = ("--as-of", "2026-11-28")
KINDS = {"cli": "RA6", "token body": ("RA506", "RA507", "RA508"), "apptoken": "RA502", "metric": "RA4",
         "endpoint": "RA1", "migration": "RA3"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def fixed_examples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, object]]:
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("fix", "examples", "--write", "--unsafe", "--migrate-dir", "requests", "--format", "json", *PINNED)
    assert code == 1  # removed APIs without a mechanical rewrite remain
    return tmp_path, json.loads(out)


def _kind(rule_id: str) -> str:
    return next(k for k, prefix in KINDS.items() if rule_id.startswith(prefix))


def test_examples_fixes_by_kind(fixed_examples: tuple[Path, dict[str, object]]) -> None:
    _, report = fixed_examples
    findings = report["findings"]
    assert isinstance(findings, list)
    done = Counter(_kind(f["rule_id"]) for f in findings if f.get("fix", {}).get("status") in ("fixed", "migration")
                   and (f["fix"]["status"] == "fixed" or f["fix"].get("note") == "migration prepared"))
    assert done == {"cli": 6, "token body": 6, "apptoken": 1, "metric": 1, "migration": 5}
    fixed = sorted(f["rule_id"] for f in findings if f.get("fix", {}).get("status") == "fixed")
    assert fixed == ["RA431", "RA502", "RA506", "RA506", "RA507", "RA507", "RA508", "RA508",
                     "RA601", "RA602", "RA605", "RA610", "RA630", "RA630"]
    # Recorded traffic carries no fix at all: it is evidence, not source.
    assert all("fix" not in f for f in findings if f["location"]["path"].endswith(".har"))


def test_fixed_examples_rescan_clean_of_the_fixed_rules(fixed_examples: tuple[Path, dict[str, object]]) -> None:
    root, report = fixed_examples
    findings = report["findings"]
    assert isinstance(findings, list)
    fixed_rules = {f["rule_id"] for f in findings if f.get("fix", {}).get("status") == "fixed"}
    _, out, _ = run("scan", "examples", "--format", "json", *PINNED)
    left = [(f["rule_id"], f["location"]["path"]) for f in json.loads(out)["findings"] if f["rule_id"] in fixed_rules]
    assert left == [("RA506", "examples/traffic/console-export.har"), ("RA507", "examples/traffic/console-export.har"),
                    ("RA508", "examples/traffic/console-export.har")]
    assert sorted(p.name for p in (root / "requests").iterdir()) == [
        "Release.Name--serve.inferenceworkload.json", "nightly-dist.distributedworkload.json",
        "nightly-train.trainingworkload.json", "notebook.interactiveworkload.json", "smoke-test.trainingworkload.json"]
    # Once is enough: a second run changes nothing more.
    before = {p: p.read_bytes() for p in (root / "examples").rglob("*") if p.is_file()}
    assert run("fix", "examples", "--unsafe", *PINNED)[1] == ""
    run("fix", "examples", "--write", "--unsafe", *PINNED)
    assert {p: p.read_bytes() for p in (root / "examples").rglob("*") if p.is_file()} == before


def test_fixed_examples_text(fixed_examples: tuple[Path, dict[str, object]]) -> None:
    root, _ = fixed_examples
    script = (root / "examples" / "surfaces" / "scripts" / "submit_v1.sh").read_text()
    assert script.splitlines()[4:9] == [
        "runai project set vision",
        'runai training submit "train-${RUN_ID}" -i registry.example.com/vision/train:3.2 -g 1',
        "runai workspace submit notebook -i jupyter/scipy-notebook --gpu 0.5",
        "runai workload list",
        'runai logs "train-${RUN_ID}" --follow',  # training or workspace? left for a person
    ]
    rotate = (root / "examples" / "shell" / "rotate-app-secret.sh").read_text()
    assert 'curl -sf -X POST "$RUNAI_HOST/api/v1/token" \\\n' in rotate
    assert """--data-raw '{"grantType": "client_credentials", "clientID": "ci-bot", "clientSecret": "'"$OLD_SECRET"'"}'""" in rotate
