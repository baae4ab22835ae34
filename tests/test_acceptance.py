"""End-to-end checks on a copy of the bundled examples, through the real command line:
the CI gate (baseline, inline suppression, exemptions, config errors, --changed-since) and
every report written from one run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from runai_audit.cli import main
from tests.test_html_browser import CHROMIUM_ARGS, Watch, _chromium
from tests.test_reporters import official_sarif_schema

REPO = Path(__file__).resolve().parent.parent
AS_OF = ["--as-of", "2026-11-28"]


@pytest.fixture
def estate(tmp_path: Path) -> Iterator[Path]:
    """A copy of examples/ as the working directory (so paths read examples/...)."""
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        yield tmp_path
    finally:
        os.chdir(old)


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def unsuppressed(out: str) -> list[str]:
    return [line.split(": ", 1)[0] + ": " + line.split(": ", 1)[1].split(" ", 1)[0]
            for line in out.splitlines() if line.startswith("examples/")]


def test_baseline_gate_on_the_examples(estate: Path) -> None:
    assert cli("baseline", "create", "examples", "-o", "baseline.json", *AS_OF)[0] == 0
    code, out, _ = cli("scan", "examples", "--baseline", "baseline.json", *AS_OF)
    assert code == 0 and unsuppressed(out) == []

    script = estate / "examples" / "python" / "runai_client.py"
    text = script.read_text(encoding="utf-8")
    script.write_text(text + "\n\ndef roles(session, base):\n    return session.get(f\"{base}/v1/k8s/users/roles\")\n",
                      encoding="utf-8")
    code, out, _ = cli("scan", "examples", "--baseline", "baseline.json", *AS_OF)
    new_line = len(text.splitlines()) + 4
    assert code == 1
    assert unsuppressed(out) == [f"examples/python/runai_client.py:{new_line}:24: RA124"]

    script.write_text(text, encoding="utf-8")
    synced = estate / "examples" / "python" / "project_sync.py"
    synced.write_text("\n\n\n# moved down by a new header\n" + synced.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = cli("scan", "examples", "--baseline", "baseline.json", *AS_OF)
    assert code == 0 and unsuppressed(out) == []


def test_inline_suppression_is_marked_in_every_format(estate: Path) -> None:
    script = estate / "examples" / "shell" / "nightly-report.sh"
    lines = script.read_text(encoding="utf-8").splitlines()
    lines.insert(16, "# runai-audit: ignore[RA111] finance export moves in Q1, tracked in FIN-221")
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = cli("scan", "examples/shell", *AS_OF, "--format", "json",
                       "--report", "sarif=out.sarif", "--report", "html=out.html")
    doc = json.loads(out)
    marked = [(f["rule_id"], f["location"]["line"], f["suppression"]) for f in doc["findings"] if f["suppressed"]]
    assert marked == [("RA111", 18, {"kind": "inline", "reason": "finance export moves in Q1, tracked in FIN-221",
                                     "owner": "", "expires": ""})]
    assert [f["rule_id"] for f in doc["findings"] if not f["suppressed"]] == ["RA142", "RA243", "RA502", "RA511"]
    sarif = json.loads((estate / "out.sarif").read_text(encoding="utf-8"))
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert [(r["ruleId"], r["suppressions"][0]["kind"]) for r in suppressed] == [("RA111", "inSource")]
    html = (estate / "out.html").read_text(encoding="utf-8")
    assert "finance export moves in Q1, tracked in FIN-221" in html
    assert code == 1  # RA502 is still an unsuppressed error


def test_expired_exemption_warns_and_stops_applying(estate: Path) -> None:
    (estate / ".runai-audit.yaml").write_text(
        "exemptions:\n"
        "  - rule: RA502\n"
        "    path: examples/shell/*.sh\n"
        "    reason: lab cluster stays on 2.18\n"
        "    owner: platform-team\n"
        "    expires: 2026-06-30\n",
        encoding="utf-8",
    )
    code, out, _ = cli("scan", "examples/shell", *AS_OF, "--format", "json")
    doc = json.loads(out)
    got = [(f["rule_id"], f["severity"], f["location"]["path"], f["location"]["line"], f["suppressed"])
           for f in doc["findings"] if f["rule_id"] in ("RA502", "RA903")]
    assert got == [
        ("RA903", "warning", ".runai-audit.yaml", 2, False),
        ("RA502", "error", "examples/shell/rotate-app-secret.sh", 5, False),
    ]
    assert code == 1


def test_unknown_config_key_exits_3_naming_it(estate: Path) -> None:
    (estate / ".runai-audit.yaml").write_text("fail_onn: warning\n", encoding="utf-8")
    code, _, err = cli("scan", "examples")
    assert code == 3
    assert "'fail_onn'" in err and ".runai-audit.yaml" in err


def test_changed_since_scans_only_changed_files(estate: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", *args], cwd=estate, check=True, capture_output=True)

    git("init", "-q")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "one")
    (estate / "examples" / "shell" / "new.sh").write_text('curl "$RUNAI_URL/v1/k8s/users"\n', encoding="utf-8")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-A")
    git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "two")
    code, out, _ = cli("scan", "examples", "--changed-since", "HEAD~1", *AS_OF, "--format", "json")
    doc = json.loads(out)
    assert doc["coverage"]["files_scanned"] == 1
    assert [(f["rule_id"], f["location"]["path"]) for f in doc["findings"]] == [("RA122", "examples/shell/new.sh")]
    assert code == 1


def test_four_reports_from_one_run_on_the_examples(estate: Path) -> None:
    from jsonschema import Draft4Validator  # type: ignore[import-untyped]

    args = [f"{fmt}=out.{fmt}" for fmt in ("html", "sarif", "junit", "gitlab")]
    code, _, _ = cli("scan", "examples", *AS_OF, "--fail-on", "never",
                     *[x for a in args for x in ("--report", a)])
    assert code == 0
    sarif = json.loads((estate / "out.sarif").read_text(encoding="utf-8"))
    errors = list(Draft4Validator(official_sarif_schema()).iter_errors(sarif))
    assert [e.message for e in errors] == []
    gitlab = json.loads((estate / "out.gitlab").read_text(encoding="utf-8"))
    assert len(gitlab) == len(sarif["runs"][0]["results"]) == 54  # one per finding of the pinned examples list (test_cli)
    junit = (estate / "out.junit").read_text(encoding="utf-8")
    assert junit.startswith("<?xml") and 'name="RA101' in junit

    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        watch = Watch(context, page)
        page.goto((estate / "out.html").as_uri())
        assert page.locator("#f-count").text_content() == "Showing 54 of 54 findings"
        page.select_option("#f-rule", "RA506")
        rows = page.eval_on_selector_all(
            "#by-file tr[data-finding]",
            "rows => rows.filter(r => r.offsetParent !== null).map(r => r.dataset.path)")
        assert sorted(rows) == ["examples/docs/onboarding.md", "examples/python/project_sync.py",
                                "examples/traffic/console-export.har"]
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        artifacts = REPO / "artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / "examples-report.png"), full_page=True)
        browser.close()
    assert watch.errors == [] and watch.outside == [] and watch.dialogs == []


def test_own_reports_and_baseline_in_the_tree_are_not_scanned(estate: Path) -> None:
    """The README's CI recipe: baseline, then a scan that writes its reports into the tree,
    then the same scan again; neither the baseline nor the reports become findings."""
    assert cli("baseline", "create", ".", "-o", ".runai-audit-baseline.json", *AS_OF)[0] == 0
    reports = [f"{fmt}=out/report.{fmt}" for fmt in ("json", "sarif", "junit", "html", "gitlab", "markdown", "csv")]
    args = ["scan", ".", "--baseline", ".runai-audit-baseline.json", *AS_OF,
            *[x for r in reports for x in ("--report", r)]]
    assert cli(*args)[0] == 0
    code, out, _ = cli(*args[:-len(reports) * 2], "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["summary"]["error"] == 0
    skipped = sorted(s["path"] for s in doc["coverage"]["files_skipped"])
    assert skipped == [".runai-audit-baseline.json", *sorted(f"out/report.{fmt}" for fmt in
                       ("csv", "gitlab", "html", "json", "junit", "markdown", "sarif"))]
