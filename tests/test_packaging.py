"""The wheel carries everything the tool needs: catalog, templates and specs come from the
installed package, not from a source checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_runs_from_any_directory(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation", "-q", "-w", str(dist)],
        check=True, capture_output=True, text=True,
    )
    (wheel,) = dist.glob("runai_audit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for required in ("runai_audit/_data/rules/endpoints.yaml", "runai_audit/_data/rules/releases.yaml",
                     "runai_audit/_data/reports/report.html.j2", "runai_audit/knowledge/specs/data/runai-openapi-2.24.json.gz",
                     "runai_audit/knowledge/schemas/config.schema.json", "runai_audit/knowledge/schemas/report.schema.json"):
        assert required in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "job.sh").write_text('curl -s "$RUNAI_URL/v1/k8s/clusters/$CID/projects"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site)}
    probe = subprocess.run([sys.executable, "-c", "import runai_audit; print(runai_audit.__file__)"],
                           cwd=work, env=env, check=True, capture_output=True, text=True)
    assert probe.stdout.startswith(str(site))
    result = subprocess.run(
        [sys.executable, "-m", "runai_audit", "scan", ".", "--format", "json", "--as-of", "2026-11-28",
         "--report", "html=report.html"],
        cwd=work, env=env, capture_output=True, text=True,
    )
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule_id"], f["location"]["path"], f["location"]["line"], f["location"]["column"]) for f in findings] == [
        ("RA101", "job.sh", 1, 9)
    ]
    assert "RA101" in (work / "report.html").read_text(encoding="utf-8")
