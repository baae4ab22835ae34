"""End to end: `runai-audit scan` on each planted traffic file, in every output format, prints no
planted secret. The CLI and every reporter are imported for real: if one is missing this test
fails rather than skips."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from runai_audit.cli import main
from runai_audit.commands.scan import FORMATS

PLANTED = Path(__file__).parent / "fixtures" / "traffic" / "planted"
SECRETS = PLANTED.joinpath("secrets.txt").read_text().split()
FILES = ["planted.har", "planted-audit.jsonl", "planted-access.log", "planted.postman_collection.json"]
REQUIRED_FORMATS = ["json", "text", "sarif", "html", "junit", "gitlab", "github", "markdown", "csv"]
# A rule the traffic in each file must trigger, so an empty report cannot pass for a clean one.
EXPECTED_SUBJECT = {
    "planted.har": "/api/v1/token",
    "planted-audit.jsonl": "trainingworkloads",
    "planted-access.log": "/v1/k8s/clusters",
    "planted.postman_collection.json": "/api/v1/token",
}


def test_every_required_format_is_offered() -> None:
    assert sorted(set(REQUIRED_FORMATS) - set(FORMATS)) == []


@pytest.mark.parametrize("fmt", REQUIRED_FORMATS)
@pytest.mark.parametrize("name", FILES)
def test_scan_output_holds_no_planted_secret(tmp_path: Path, name: str, fmt: str) -> None:
    shutil.copy(PLANTED / name, tmp_path / name)
    result = CliRunner().invoke(
        main, ["scan", str(tmp_path / name), "--format", fmt, "--as-of", "2025-06-01", "--fail-on", "never"]
    )
    assert result.exception is None, result.output
    assert result.exit_code == 0, result.output
    assert EXPECTED_SUBJECT[name] in result.output
    assert [secret for secret in SECRETS if secret in result.output] == []
