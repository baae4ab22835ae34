"""The terminal view through the real CLI: colour on a pseudo-terminal only (NO_COLOR,
FORCE_COLOR), the concise and full layouts, -q and -v; and the self-hosted example, whose
calls to an unnamed host give a hint and coverage rows instead of vanishing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from runai_audit.cli import main

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-28"
ESC = "\x1b["
SCRIPT = 'curl "$RUNAI_URL/v1/k8s/users"\n'
CONCISE = "sync.sh:1:6: RA122 error GET /v1/k8s/users removed at 2.24 → /api/v1/users"
SUMMARY = "1 error, 0 warnings, 0 notes; 1 file scanned; 0 suppressed"
HINT = (
    "3 calls to hosts not known as Run:ai's look like Run:ai API calls: pass --host gpu-platform.corp.internal "
    "or set hosts: in .runai-audit.yaml"
)




def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR", "CI")}
    env.update(extra)
    return env


def run_on_pty(args: list[str], cwd: Path, **env: str) -> str:
    """Run the real CLI with stdout on a pseudo-terminal; return what it wrote there."""
    pty = pytest.importorskip("pty")  # POSIX only
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "runai_audit", *args], cwd=cwd, stdout=follower,
                            stderr=subprocess.DEVNULL, env=_env(**env))
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the follower side closed: the process has exited
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.fixture
def script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with one deprecated call, as the working directory (paths print as given)."""
    (tmp_path / "sync.sh").write_text(SCRIPT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_colour_on_a_terminal_paints_path_rule_and_severity(script: Path) -> None:
    out = run_on_pty(["scan", "sync.sh", "--as-of", AS_OF], script)
    first = out.splitlines()[0]
    assert first == (
        "\x1b[1msync.sh:1:6\x1b[0m: \x1b[36mRA122\x1b[0m \x1b[31m\x1b[1merror\x1b[0m "
        "GET /v1/k8s/users removed at 2.24 → /api/v1/users"
    )


def test_no_colour_with_no_color_on_a_terminal(script: Path) -> None:
    out = run_on_pty(["scan", "sync.sh", "--as-of", AS_OF], script, NO_COLOR="1")
    assert ESC not in out
    assert out.splitlines()[0] == CONCISE


def test_no_colour_when_piped_unless_forced(script: Path) -> None:
    cmd = [sys.executable, "-m", "runai_audit", "scan", "sync.sh", "--as-of", AS_OF]
    piped = subprocess.run(cmd, cwd=script, capture_output=True, text=True, env=_env(), check=False)
    assert ESC not in piped.stdout
    assert piped.stdout.splitlines()[0] == CONCISE
    forced = subprocess.run(cmd, cwd=script, capture_output=True, text=True, env=_env(FORCE_COLOR="1"), check=False)
    assert forced.stdout.splitlines()[0].startswith("\x1b[1msync.sh:1:6\x1b[0m: \x1b[36mRA122\x1b[0m")
    into_file = subprocess.run([*cmd, "-o", "out.txt"], cwd=script, capture_output=True, text=True,
                               env=_env(FORCE_COLOR="1"), check=False)
    assert into_file.returncode == 1
    assert ESC not in (script / "out.txt").read_text(encoding="utf-8")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_default_layout_is_concise_with_a_grouped_summary(script: Path) -> None:
    code, out, _ = run("scan", "sync.sh", "--as-of", AS_OF)
    assert code == 1
    assert out.splitlines() == [
        CONCISE,
        "Summary",
        "  by status: removed 1",
        "  by rule:   RA122 1",
        SUMMARY,
    ]


def test_full_layout_has_the_whole_message_and_evidence(script: Path) -> None:
    code, out, _ = run("scan", "sync.sh", "--as-of", AS_OF, "--output-format", "full", "-q")
    assert code == 1
    assert out.splitlines() == [
        "sync.sh:1:6: RA122 error GET /v1/k8s/users is deprecated since 2.17 and past its sunset: removable "
        "from 2.20 (target 2.24). Use /api/v1/users instead. Grant permissions with /api/v1/authorization/access-rules.",
        '    evidence: curl "$RUNAI_URL/v1/k8s/users"',
        SUMMARY,
    ]


def test_full_layout_shows_the_rest_request_of_a_cluster_api_object(in_repo: Path) -> None:
    _, out, _ = run("scan", "examples/surfaces/manifests/training.yaml", "--as-of", AS_OF, "-v")
    lines = out.splitlines()
    assert lines[:4] == [
        "examples/surfaces/manifests/training.yaml:2:1: RA301 error run.ai/v2alpha1 TrainingWorkload is deprecated "
        "since 2.18 and past its sunset: removable from 2.21 (target 2.24). Use POST /api/v1/workloads/trainings "
        "instead. The finding shows the equivalent REST request; replace the placeholders for project and cluster.",
        "    evidence: run.ai/v2alpha1 TrainingWorkload nightly-train",
        "    equivalent REST request:",
        "      POST /api/v1/workloads/trainings",
    ]


def test_quiet_is_findings_and_summary_line_and_verbose_adds_timing(script: Path) -> None:
    code, out, err = run("scan", "sync.sh", "--as-of", AS_OF, "-q")
    assert (code, out.splitlines(), err) == (1, [CONCISE, SUMMARY], "")
    _, _, err = run("scan", "sync.sh", "--as-of", AS_OF, "-v", "--format", "json")
    lines = err.splitlines()
    assert lines[0] == "read sync.sh"
    assert lines[1].startswith("scanned 1 files in ") and lines[1].endswith(" s with 1 worker")


def test_show_skipped_lists_skipped_files(script: Path) -> None:
    (script / "model.bin").write_bytes(b"\x00\x01runai")
    _, out, _ = run("scan", ".", "--as-of", AS_OF)
    assert out.splitlines()[-2:] == ["  1 file skipped (--show-skipped lists them)",
                                     "1 error, 0 warnings, 0 notes; 1 file scanned; 0 suppressed; 1 skipped"]
    _, out, _ = run("scan", ".", "--as-of", AS_OF, "--show-skipped")
    assert out.splitlines()[-3:-1] == ["  skipped (1):", "    model.bin: binary file"]


# --------------------------------------------------------------------------- self-hosted


def test_self_hosted_example_hints_without_host_and_finds_with_it(in_repo: Path) -> None:
    code, out, _ = run("scan", "examples/self-hosted", "--as-of", AS_OF)
    assert code == 0
    assert out.splitlines() == [f"hint: {HINT}", "0 errors, 0 warnings, 0 notes; 3 files scanned; 0 suppressed"]
    code, out, _ = run("scan", "examples/self-hosted", "--as-of", AS_OF, "--host", "*.corp.internal", "-q")
    assert code == 1
    assert out.splitlines() == [
        "examples/self-hosted/quota_report.py:12:11: RA101 error GET /v1/k8s/clusters/{id}/projects removed at "
        "2.24 → /api/v1/org-unit/projects (sent at line 13)",
        "examples/self-hosted/quota_report.py:23:11: RA103 error GET /v1/k8s/clusters/{id}/departments removed at "
        "2.24 → /api/v1/org-unit/depart… (sent at line 24)",  # cut at 120 columns, the related place kept
        "2 errors, 0 warnings, 0 notes; 3 files scanned; 0 suppressed",
    ]


def test_self_hosted_calls_are_listed_in_json_and_html_coverage(in_repo: Path, tmp_path: Path) -> None:
    html = tmp_path / "r.html"
    code, out, err = run("scan", "examples/self-hosted", "--as-of", AS_OF, "--format", "json",
                         "--report", f"html={html}")
    assert code == 0
    assert json.loads(out)["coverage"]["unknown_hosts"] == [{
        "host": "gpu-platform.corp.internal",
        "calls": 3,
        "locations": [
            "examples/self-hosted/quota_report.py:12:11",
            "examples/self-hosted/quota_report.py:17:25",
            "examples/self-hosted/quota_report.py:23:11",
        ],
    }]
    assert err == f"runai-audit: hint: {HINT}\n"
    page = html.read_text(encoding="utf-8")
    assert '<td class="path">gpu-platform.corp.internal</td><td class="num">3</td>' in page
    assert f"<caption>Not audited: {HINT.replace(chr(39), '&#39;')}</caption>" in page


def test_hosts_in_the_config_turn_the_calls_into_findings(tmp_path: Path) -> None:
    (tmp_path / "quota_report.py").write_text(
        (REPO / "examples/self-hosted/quota_report.py").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / ".runai-audit.yaml").write_text("hosts:\n  - gpu-platform.corp.internal\n", encoding="utf-8")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        code, out, _ = run("scan", ".", "--as-of", AS_OF, "--format", "json")
    finally:
        os.chdir(old)
    doc = json.loads(out)
    assert code == 1
    assert [(f["rule_id"], f["location"]["line"]) for f in doc["findings"]] == [("RA101", 12), ("RA103", 23)]
    assert doc["coverage"]["unknown_hosts"] == []


def test_self_hosted_hint_in_github_annotations_and_markdown_summary(in_repo: Path) -> None:
    code, out, err = run("scan", "examples/self-hosted", "--as-of", AS_OF, "--format", "github")
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        f"::warning title=runai-audit%3A hosts not known as Run%3Aai's::{HINT}",
        "runai-audit: 0 errors, 0 warnings, 0 notes; 3 files scanned; 0 suppressed",
    ]
    _, out, _ = run("scan", "examples/self-hosted", "--as-of", AS_OF, "--format", "markdown")
    assert f"- **not audited**: {HINT}" in out.splitlines()
