"""The estate report: naming repositories, merging results, the `merge` command, and the
optional HTML sections in a real browser."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from runai_audit.cli import main
from runai_audit.compliance.merge import MergeError, RepositoryResult, merge_reports, repository_names
from runai_audit.models import (
    Coverage,
    Finding,
    InputProblem,
    Location,
    Provenance,
    Report,
    RuleInfo,
    Severity,
    SkippedFile,
    Status,
    Suppression,
    Target,
)
from runai_audit.reporters import get_reporter


def _finding(path: str, line: int, rule: str = "RA101", severity: Severity = Severity.ERROR, **kw: Any) -> Finding:
    return Finding(rule, severity, Status.REMOVED, f"{rule} message", "GET /v1/k8s/users", "/api/v1/users",
                   Location(path, line, 3), fingerprint=kw.pop("fingerprint", f"fp-{path}-{line}"), **kw)


def _report(findings: list[Finding], catalog: str = "2026.11.28", files: int = 10, **cov: Any) -> Report:
    return Report(
        target=Target("self-hosted", "2.24", "2026-01-10"),
        provenance=Provenance("runai-audit", "0.1.0", catalog, ("2.24",), "bundled"),
        findings=tuple(findings),
        coverage=Coverage(files_scanned=files, **cov),
        rules=(RuleInfo("RA101", "Old users endpoint", "d", "endpoint"),),
        releases=(("2.23", "2025-10-22"), ("2.24", "2025-12-15")),
    )


PAYMENTS = _report(
    [_finding("scripts/sync.py", 4), _finding("scripts/sync.py", 9, "RA510", Severity.WARNING,
                                              suppression=Suppression("baseline"))],
    files=12,
    files_skipped=(SkippedFile("big.har", "larger than 50 MB"),),
    errors=(InputProblem("deploy/bad.yaml", "not YAML", 3),),
)
TRAINING = _report([_finding("scripts/sync.py", 4)], catalog="2026.10.01", files=5)


def test_names_from_flags_folders_and_stems(tmp_path: Path) -> None:
    a, b = tmp_path / "artifacts" / "payments" / "result.json", tmp_path / "artifacts" / "training" / "result.json"
    c = tmp_path / "flat" / "search.json"
    for f in (a, b, c):
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("{}")
    assert repository_names([a, b], {}) == {a: "payments", b: "training"}
    assert repository_names([a, b, c], {"search-api": str(c)}) == {a: "payments", b: "training", c: "search-api"}
    d = tmp_path / "flat" / "billing.json"
    d.write_text("{}")
    assert repository_names([c, d], {}) == {c: "search", d: "billing"}  # one folder: the stems tell them apart
    same = [tmp_path / "one" / "same" / "result.json", tmp_path / "two" / "same" / "result.json"]
    with pytest.raises(MergeError, match="would both be called 'result'; tell them apart with --name REPO=FILE"):
        repository_names(same, {})
    with pytest.raises(MergeError, match="--name names a file that is not being merged"):
        repository_names([a], {"other": str(c)})


def test_merge_prefixes_paths_sums_coverage_and_warns_on_catalogs() -> None:
    merged = merge_reports([RepositoryResult("payments", "p.json", PAYMENTS),
                            RepositoryResult("training", "t.json", TRAINING)])
    assert [(f.location.path, f.location.line, f.rule_id) for f in merged.findings] == [
        ("payments/scripts/sync.py", 4, "RA101"),
        ("payments/scripts/sync.py", 9, "RA510"),
        ("training/scripts/sync.py", 4, "RA101"),
    ]
    # The same file and call in two repositories stay two findings.
    assert len({f.fingerprint for f in merged.findings}) == 3
    assert merged.findings[1].suppression == Suppression("baseline")
    cov = merged.coverage
    assert cov.files_scanned == 17
    assert cov.files_skipped == (SkippedFile("payments/big.har", "larger than 50 MB"),)
    assert cov.errors == (InputProblem("payments/deploy/bad.yaml", "not YAML", 3),)
    assert cov.notes == (
        "the results were made with different catalog versions (payments 2026.11.28, training 2026.10.01); "
        "their findings may not be comparable",
    )
    assert merged.provenance.catalog_version == "2026.10.01, 2026.11.28"
    assert merged.extras["repositories"] == [
        {"name": "payments", "source": "p.json", "target": "self-hosted 2.24", "as_of": "2026-01-10",
         "catalog_version": "2026.11.28", "files_scanned": 12,
         "counts": {"error": 1, "warning": 0, "note": 0, "suppressed": 1}, "unreadable": 1},
        {"name": "training", "source": "t.json", "target": "self-hosted 2.24", "as_of": "2026-01-10",
         "catalog_version": "2026.10.01", "files_scanned": 5,
         "counts": {"error": 1, "warning": 0, "note": 0, "suppressed": 0}, "unreadable": 0},
    ]


def test_same_catalog_means_no_note() -> None:
    merged = merge_reports([RepositoryResult("a", "a.json", TRAINING), RepositoryResult("b", "b.json", TRAINING)])
    assert merged.coverage.notes == ()
    with pytest.raises(MergeError, match="nothing to merge"):
        merge_reports([])


# --------------------------------------------------------------------------- command


@pytest.fixture()
def results(tmp_path: Path) -> tuple[Path, Path]:
    a = tmp_path / "artifacts" / "payments" / "runai-audit.json"
    b = tmp_path / "artifacts" / "training" / "runai-audit.json"
    for path, report in ((a, PAYMENTS), (b, TRAINING)):
        path.parent.mkdir(parents=True)
        path.write_text(get_reporter("json")(report))
    return a, b


def _merge(*args: str) -> Any:
    return CliRunner().invoke(main, ["merge", *args])


def test_merge_text_has_the_repository_table(results: tuple[Path, Path]) -> None:
    result = _merge(*map(str, results))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "Repositories:",
        "  repository  errors  warnings  notes  suppressed  files  target            catalog",
        "  payments         1         0      0           1     12  self-hosted 2.24  2026.11.28",
        "  training         1         0      0           0      5  self-hosted 2.24  2026.10.01",
    ]
    assert "payments/scripts/sync.py:4:3: RA101 error GET /v1/k8s/users removed at 2.24 → /api/v1/users" in lines
    assert "training/scripts/sync.py:4:3: RA101 error GET /v1/k8s/users removed at 2.24 → /api/v1/users" in lines
    assert lines[-1] == "2 errors, 0 warnings, 0 notes; 17 files scanned; 1 suppressed; 1 skipped; 1 input could not be read"


def test_merge_json_markdown_html(results: tuple[Path, Path], tmp_path: Path) -> None:
    md, page = tmp_path / "estate.md", tmp_path / "estate.html"
    result = _merge(*map(str, results), "--name", f"pay={results[0]}", "--format", "json",
                    "--report", f"markdown={md}", "--report", f"html={page}")
    data = json.loads(result.stdout)
    assert [r["name"] for r in data["repositories"]] == ["pay", "training"]
    assert [f["location"]["path"] for f in data["findings"]] == [
        "pay/scripts/sync.py", "pay/scripts/sync.py", "training/scripts/sync.py"]
    assert "| pay | 1 | 0 | 0 | 1 | 12 | self-hosted 2.24 | 2026.11.28 |" in md.read_text().splitlines()
    section = page.read_text().split('<section id="repositories"', 1)[1].split("</section>", 1)[0]
    assert '<th scope="row" class="path">training</th><td class="num">1</td>' in section


def test_unreadable_result_is_reported_and_strict_refuses(results: tuple[Path, Path], tmp_path: Path) -> None:
    broken = tmp_path / "artifacts" / "search" / "runai-audit.json"
    broken.parent.mkdir(parents=True)
    broken.write_text('{"schema_version": 1, "tool": {}}')
    result = _merge(*map(str, results), str(broken), "--fail-on", "never")
    assert result.exit_code == 0
    assert result.stderr == (f"runai-audit: error: {broken}: not a runai-audit JSON result: "
                             "report: missing key 'target'\n")
    assert result.stdout.splitlines()[-1].endswith("; 2 inputs could not be read")
    data = json.loads(_merge(*map(str, results), str(broken), "--format", "json").stdout)
    assert data["coverage"]["errors"][0] == {
        "path": str(broken), "reason": "not a runai-audit JSON result: report: missing key 'target'", "line": 0}
    assert _merge(*map(str, results), str(broken), "--fail-on", "never", "--strict").exit_code == 3
    only_broken = _merge(str(broken))
    assert only_broken.exit_code == 3
    assert only_broken.stderr.endswith("runai-audit: error: no result could be read; nothing to merge\n")


def test_merge_records_history(results: tuple[Path, Path], tmp_path: Path) -> None:
    db = tmp_path / "estate.db"
    _merge(*map(str, results), "--history", str(db))
    fewer = replace(PAYMENTS, findings=PAYMENTS.findings[1:])
    results[0].write_text(get_reporter("json")(fewer))
    _merge(*map(str, results), "--history", str(db))
    shown = json.loads(CliRunner().invoke(main, ["history", "show", "--db", str(db), "--format", "json"]).stdout)
    assert [r["counts"]["error"] for r in shown["runs"]] == [2, 1]
    assert [(f["rule_id"], f["path"]) for f in shown["fixed"]] == [("RA101", "payments/scripts/sync.py")]
    assert shown["new"] == []


def test_merge_of_real_scans(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = ('import requests\nRUNAI_URL = "https://runai.example.com"\n'
              'requests.get(f"{RUNAI_URL}/v1/k8s/clusters/abc/jobs")\n')
    for repo in ("alpha", "beta"):
        (tmp_path / repo).mkdir()
        (tmp_path / repo / "job.py").write_text(script)
        monkeypatch.chdir(tmp_path / repo)
        out = tmp_path / "results" / repo / "result.json"
        scan = CliRunner().invoke(main, ["scan", ".", "--format", "json", "-o", str(out)], env={"CI": "1"})
        assert scan.exit_code == 1, scan.output
    monkeypatch.chdir(tmp_path)
    merged = _merge("results/alpha/result.json", "results/beta/result.json", "--format", "json")
    data = json.loads(merged.stdout)
    assert [(f["rule_id"], f["location"]["path"], f["location"]["line"]) for f in data["findings"]] == [
        ("RA111", "alpha/job.py", 3), ("RA111", "beta/job.py", 3)]
    assert data["summary"]["files_scanned"] == 2
    assert data["coverage"]["notes"] == []


# --------------------------------------------------------------------------- browser


@pytest.mark.browser
def test_optional_sections_in_chromium(results: tuple[Path, Path], tmp_path: Path) -> None:
    from tests.test_html_browser import CHROMIUM_ARGS, Watch, _chromium

    executable = _chromium()
    from playwright.sync_api import sync_playwright

    from runai_audit.compliance.history import record_run
    from runai_audit.upgrade.plan import plan_upgrade
    from runai_audit.upgrade.render import with_plan

    db = tmp_path / "h.db"
    record_run(db, TRAINING)
    merged = merge_reports([RepositoryResult("payments", "p", PAYMENTS), RepositoryResult("training", "t", TRAINING)])
    report = record_run(db, merged)

    class Releases:
        versions = ("2.23", "2.24")

        def offset(self, version: str, n: int) -> str | None:
            return None

        def date_of(self, version: str) -> None:
            return None

        def compare(self, a: str, b: str) -> int:
            return (a > b) - (a < b)

    report = with_plan(report, plan_upgrade(report, "2.23", "2.24", Releases()))
    page_file = tmp_path / "estate.html"
    page_file.write_text(get_reporter("html")(report))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        watch = Watch(context, page)
        page.goto(page_file.as_uri())
        for selector in ("#upgrade svg", "#history svg", "#repositories table"):
            box = page.locator(selector).bounding_box()
            assert box is not None and box["width"] > 500 and box["height"] > 40, selector
        dots = page.eval_on_selector_all("#history circle", "c => c.map(e => e.getAttribute('data-count'))")
        assert dots == ["1", "2", "0", "0", "0", "0"]  # errors per run, then warnings, then notes
        assert page.locator("#repositories tbody tr").count() == 2
        browser.close()
    assert watch.errors == []
    assert watch.outside == []
