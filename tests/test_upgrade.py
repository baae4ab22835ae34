"""The upgrade plan: pure grouping on hand-built findings, dating from specs, outputs, and the
`upgrade` command end to end on a small tree."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from runai_audit.cli import main
from runai_audit.knowledge.specs import SpecIndex, load_spec_document
from runai_audit.models import (
    Coverage,
    Finding,
    Location,
    Provenance,
    Report,
    Severity,
    Status,
    Suppression,
    Target,
)
from runai_audit.reporters import get_reporter
from runai_audit.upgrade.plan import UpgradePlan, for_gate, plan_upgrade
from runai_audit.upgrade.render import plan_to_dict, render_text, with_plan
from runai_audit.upgrade.specs import first_flagged, gone_from

VERSIONS = ("2.18", "2.19", "2.20", "2.21", "2.22", "2.23", "2.24", "2.25")
DATES = {"2.20": "2025-01-20", "2.21": "2025-04-15", "2.22": "2025-07-16", "2.23": "2025-10-22",
         "2.24": "2025-12-15", "2.25": "2026-03-10"}


class Releases:
    versions = VERSIONS

    def offset(self, version: str, n: int) -> str | None:
        i = VERSIONS.index(version) + n
        return VERSIONS[i] if 0 <= i < len(VERSIONS) else None

    def date_of(self, version: str) -> dt.date | None:
        return dt.date.fromisoformat(DATES[version]) if version in DATES else None

    def compare(self, a: str, b: str) -> int:
        ka, kb = tuple(map(int, a.split("."))), tuple(map(int, b.split(".")))
        return (ka > kb) - (ka < kb)


def _f(rule: str, status: Status, subject: str, line: int, *, severity: Severity | None = None,
       **kw: Any) -> Finding:
    sev = severity or (Severity.ERROR if status is Status.REMOVED else Severity.WARNING)
    return Finding(rule, sev, status, f"{subject} msg", subject, kw.pop("replacement", "the new one"),
                   Location("app.py", line, 5), fingerprint=f"fp{line}", **kw)


def _report(findings: list[Finding], deployment: str = "self-hosted", as_of: str = "2026-01-10") -> Report:
    return Report(
        target=Target(deployment, "2.24", as_of),
        provenance=Provenance("runai-audit", "0", "cat", ("2.24",), "bundled"),
        findings=tuple(findings),
        coverage=Coverage(files_scanned=1),
        releases=tuple((v, DATES.get(v, "")) for v in VERSIONS),
    )


def _op(path: str, method: str = "get", **extra: Any) -> dict[str, Any]:
    return {path: {method: {"responses": {"200": {"description": "ok"}}, **extra}}}


def _spec(version: str, paths: dict[str, Any]) -> SpecIndex:
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": version}, "paths": paths}
    return load_spec_document(doc, source=f"spec-{version}", validate=False)


SORT_PARAM = {"name": "sortBy", "in": "query", "schema": {"type": "string"}}
SPECS = {
    "2.20": _spec("2.20", {**_op("/api/v1/logout", "post"), **_op("/api/v1/x", parameters=[SORT_PARAM])}),
    "2.21": _spec("2.21", {**_op("/api/v1/logout", "post"),
                           **_op("/api/v1/x", parameters=[{**SORT_PARAM, "deprecated": True}])}),
    "2.22": _spec("2.22", _op("/api/v1/x", parameters=[{**SORT_PARAM, "deprecated": True}])),
    "2.23": _spec("2.23", _op("/api/v1/x", parameters=[{**SORT_PARAM, "deprecated": True}])),
}

BREAKS_221 = _f("RA101", Status.REMOVED, "GET /v1/k8s/clusters/{id}/projects", 1, deprecated_in="2.18", breaks_in="2.21")
DEPRECATED_222 = _f("RA301", Status.DEPRECATED, "run.ai/v2alpha1 TrainingWorkload", 2, deprecated_in="2.22",
                    breaks_in="2.25")
BROKEN_BEFORE = _f("RA111", Status.REMOVED, "GET /v1/k8s/clusters/{uuid}/jobs", 3, deprecated_in="2.17",
                   breaks_in="2.20")
OLD_DEPRECATION = _f("RA243", Status.DEPRECATED, "query parameter nodeName in GET /api/v1/nodes", 4,
                     deprecated_in="2.20", breaks_in="2.25")
UNSUPPORTED = _f("RA100", Status.UNSUPPORTED, "GET /api/v1/secret-thing", 5)
TOOL = _f("RA900", Status.TOOL, "unreadable file", 6)
QUIET = _f("RA101", Status.REMOVED, "GET /v1/k8s/users", 7, breaks_in="2.21", suppression=Suppression("baseline"))
GONE_BY_SPEC = _f("RA191", Status.REMOVED, "POST /api/v1/logout", 8, replacement="none named in the API reference")
FLAGGED_BY_SPEC = _f("RA290", Status.DEPRECATED, "query parameter sortBy in GET /api/v1/x", 9)
SIGNAL = _f("RA700", Status.SIGNAL, "GET /api/v1/y", 10)

ALL = [BREAKS_221, DEPRECATED_222, BROKEN_BEFORE, OLD_DEPRECATION, UNSUPPORTED, TOOL, QUIET, GONE_BY_SPEC,
       FLAGGED_BY_SPEC, SIGNAL]


def _plan(findings: list[Finding], **kw: Any) -> UpgradePlan:
    report = _report(findings, **{k: kw.pop(k) for k in ("deployment", "as_of") if k in kw})
    return plan_upgrade(report, kw.pop("start", "2.20"), kw.pop("end", "2.24"), Releases(), spec_of=SPECS.get)


def _lines(items: tuple[Any, ...]) -> list[int]:
    return [i.finding.location.line for i in items]


def test_findings_land_on_the_release_they_break_or_become_deprecated_in() -> None:
    plan = _plan(ALL)
    assert [s.version for s in plan.steps] == ["2.21", "2.22", "2.23", "2.24"]
    steps = {s.version: (_lines(s.breaks), _lines(s.deprecated)) for s in plan.steps}
    assert steps == {
        "2.21": ([1], [9]),  # line 9: sortBy, flagged deprecated from the 2.21 spec on
        "2.22": ([8], [2]),  # line 8: the 2.22 spec is the first without POST /api/v1/logout
        "2.23": ([], []),
        "2.24": ([], []),
    }
    assert _lines(plan.already_broken) == [3]
    assert _lines(plan.already_deprecated) == [4]
    assert _lines(plan.unsupported) == [5]
    assert _lines(plan.unplaced) == [10]
    assert (plan.suppressed, plan.tool) == (1, 1)
    assert sorted(_lines(plan.breaking)) == [1, 3, 8]


def test_dates_worked_out_from_specs_are_filled_in_and_marked() -> None:
    plan = _plan([GONE_BY_SPEC, FLAGGED_BY_SPEC, BREAKS_221])
    gone = plan.steps[1].breaks[0]
    assert (gone.finding.breaks_in, gone.basis) == ("2.22", "spec")
    flagged = plan.steps[0].deprecated[0]
    # Only the deprecation release: the scan judged it still working at the target.
    assert (flagged.finding.deprecated_in, flagged.finding.breaks_in, flagged.basis) == ("2.21", None, "spec")
    assert plan.steps[0].breaks[0].basis == "finding"
    assert set(plan.filled) == {"fp8", "fp9"}


def test_a_removal_dated_only_at_the_target_is_dated_by_the_specs() -> None:
    vague = _f("RA120", Status.REMOVED, "POST /api/v1/logout", 11, deprecated_in="2.21", breaks_in="2.24")
    plan = _plan([vague])
    assert [(s.version, _lines(s.breaks)) for s in plan.steps if s.breaks] == [("2.22", [11])]
    documented = _f("RA120", Status.REMOVED, "POST /api/v1/logout", 12, removed_in="2.24", breaks_in="2.24")
    plan = _plan([documented])
    assert [(s.version, _lines(s.breaks)) for s in plan.steps if s.breaks] == [("2.24", [12])]


def test_without_specs_an_undated_removal_is_unplaced_but_still_breaking() -> None:
    plan = plan_upgrade(_report([GONE_BY_SPEC]), "2.20", "2.24", Releases(), spec_of=None)
    assert _lines(plan.unplaced) == [8]
    assert _lines(plan.breaking) == [8]


def test_window_edges() -> None:
    plan = _plan([BREAKS_221, DEPRECATED_222], start="2.21", end="2.22")
    assert [s.version for s in plan.steps] == ["2.22"]
    assert _lines(plan.already_broken) == [1]  # breaks at 2.21 = --from: already broken
    assert _lines(plan.steps[0].deprecated) == [2]
    with pytest.raises(ValueError, match="must be an older release"):
        _plan([], start="2.24", end="2.24")


def test_saas_uses_sunset_dates() -> None:
    past = _f("RA101", Status.REMOVED, "GET /v1/old", 1, deprecated_in="2.20", sunset="2025-07-20")
    coming = _f("RA515", Status.DEPRECATED, "GET /api/v1/user-applications", 2, deprecated_in="2.24",
                sunset="2026-02-15")
    later = _f("RA510", Status.DEPRECATED, "GET /api/v1/apps", 3, deprecated_in="2.24", sunset="2026-06-15")
    plan = _plan([past, coming, later], deployment="saas", end="2.25")
    assert _lines(plan.already_broken) == [1]
    step = {s.version: s for s in plan.steps}
    # 2.25 is the first release published on or after 2026-02-15.
    assert _lines(step["2.25"].breaks) == [2]
    assert step["2.25"].breaks[0].basis == "sunset"
    assert _lines(step["2.24"].deprecated) == [3]
    gated = for_gate(_report([past, coming, later], deployment="saas"), plan)
    assert [f.severity for f in gated.findings] == [Severity.ERROR, Severity.ERROR, Severity.WARNING]


def test_spec_lookups() -> None:
    specs = sorted(SPECS.items())
    assert gone_from("POST /api/v1/logout", specs) == "2.22"
    assert gone_from("GET /api/v1/x", specs) is None  # still in the newest
    assert gone_from("GET /never", specs) is None
    assert first_flagged("query parameter sortBy in GET /api/v1/x", specs) == "2.21"
    assert first_flagged("query parameter other in GET /api/v1/x", specs) is None
    assert first_flagged("run.ai/v2alpha1 TrainingWorkload", specs) is None


# --------------------------------------------------------------------------- outputs


def test_text_output_groups_by_release() -> None:
    report = _report(ALL)
    plan = _plan(ALL)
    assert render_text(plan, with_plan(report, plan)).splitlines() == [
        "Upgrade review: self-hosted 2.20 -> 2.24, as of 2026-01-10",
        "",
        "breaks in 2.21 (2025-04-15):",
        "  GET /v1/k8s/clusters/{id}/projects -> use the new one",
        "    app.py:1:5 RA101",
        "",
        "becomes deprecated in 2.21 (2025-04-15):",
        "  query parameter sortBy in GET /api/v1/x -> use the new one",
        "    app.py:9:5 RA290",
        "",
        "breaks in 2.22 (2025-07-16):",
        "  POST /api/v1/logout",
        "    app.py:8:5 RA191",
        "",
        "becomes deprecated in 2.22 (2025-07-16):",
        "  run.ai/v2alpha1 TrainingWorkload -> use the new one",
        "    app.py:2:5 RA301",
        "",
        "already broken at 2.20:",
        "  GET /v1/k8s/clusters/{uuid}/jobs -> use the new one",
        "    app.py:3:5 RA111",
        "",
        "deprecated at 2.20 already, still supported at 2.24:",
        "  query parameter nodeName in GET /api/v1/nodes -> use the new one",
        "    app.py:4:5 RA243",
        "",
        "not in any published API spec (unsupported at every release):",
        "  GET /api/v1/secret-thing -> use the new one",
        "    app.py:5:5 RA100",
        "",
        "no release known:",
        "  GET /api/v1/y -> use the new one",
        "    app.py:10:5 RA700",
        "",
        "3 uses break by 2.24 (1 already broken at 2.20), 2 uses become deprecated on the way; "
        "3 errors, 6 warnings, 0 notes; 1 file scanned; 1 suppressed",
    ]


def test_plan_json_and_report_extras() -> None:
    plan = _plan(ALL)
    data = plan_to_dict(plan)
    assert data["summary"] == {
        "breaking_by_to": 3, "break_in_window": 2, "already_broken": 1, "deprecated_in_window": 2,
        "already_deprecated": 1, "unsupported": 1, "unplaced": 1, "suppressed": 1,
    }
    assert data["releases"][1]["breaks"] == [{
        "fingerprint": "fp8", "rule_id": "RA191", "severity": "error", "status": "removed",
        "subject": "POST /api/v1/logout", "replacement": "none named in the API reference",
        "location": {"path": "app.py", "line": 8, "column": 5, "pointer": ""},
        "deprecated_in": None, "breaks_in": "2.22", "sunset": None, "basis": "spec",
    }]
    report = with_plan(_report(ALL), plan)
    assert next(f for f in report.findings if f.fingerprint == "fp8").breaks_in == "2.22"
    rendered = json.loads(get_reporter("json")(report))
    assert rendered["upgrade"] == json.loads(json.dumps(data))


def test_html_has_the_upgrade_section_with_from_and_to_marks() -> None:
    plan = _plan(ALL)
    page = get_reporter("html")(with_plan(_report(ALL), plan))
    section = page.split('<section id="upgrade"', 1)[1].split("</section>", 1)[0]
    assert "Upgrade plan: 2.20 → 2.24" in section
    assert ">from 2.20</text>" in section
    assert ">to 2.24</text>" in section
    assert "<caption>Breaks in 2.22 (2025-07-16)</caption>" in section
    assert "<caption>Already broken at 2.20</caption>" in section
    assert '<a href="#upgrade">Upgrade plan</a>' in page


# --------------------------------------------------------------------------- command


SCRIPT = """import requests

RUNAI_URL = "https://runai.example.com"


def create_department(cluster_id, token):
    return requests.post(f"{RUNAI_URL}/v1/k8s/clusters/{cluster_id}/departments", json={"name": "a"})


def logout(token):
    return requests.post(f"{RUNAI_URL}/api/v1/logout")


def list_keys(token):
    return requests.get(f"{RUNAI_URL}/api/v1/user-applications")


def jobs(token):
    return requests.get(f"{RUNAI_URL}/v1/k8s/clusters/abc/jobs")
"""


@pytest.fixture()
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "ops.py").write_text(SCRIPT)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, ["upgrade", *args], env={"CI": "1"})


def test_upgrade_command_text(tree: Path) -> None:
    result = _run("--from", "2.20", "--to", "2.24", "--as-of", "2026-01-10", ".")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    assert lines[:5] == [
        "Upgrade review: self-hosted 2.20 -> 2.24, as of 2026-01-10",
        "",
        "breaks in 2.21 (2025-04-15):",
        "  POST /v1/k8s/clusters/{clusterId}/departments -> use /api/v1/org-unit/departments",
        "    ops.py:7:26 RA103",
    ]
    at = lines.index("breaks in 2.23 (2025-10-22):")
    assert lines[at + 1 : at + 3] == ["  POST /api/v1/logout", "    ops.py:11:26 RA191"]
    at = lines.index("becomes deprecated in 2.24 (2025-12-15):")
    assert lines[at + 2] == "    ops.py:15:25 RA515"
    at = lines.index("already broken at 2.20:")
    assert lines[at + 2] == "    ops.py:19:25 RA111"
    assert lines[-1].startswith("3 uses break by 2.24 (1 already broken at 2.20), 1 use becomes deprecated")


def test_upgrade_command_json_and_html_report(tree: Path) -> None:
    html = tree / "out" / "upgrade.html"
    result = _run("--from", "2.22", "--to", "2.24", "--format", "json", "--report", f"html={html}", "ops.py")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    upgrade = data["upgrade"]
    assert (upgrade["from"], upgrade["to"]) == ("2.22", "2.24")
    assert [s["version"] for s in upgrade["releases"]] == ["2.23", "2.24"]
    assert [(i["rule_id"], i["location"]["line"], i["breaks_in"]) for i in upgrade["releases"][0]["breaks"]] == [
        ("RA191", 11, "2.23")]
    assert sorted((i["rule_id"], i["location"]["line"]) for i in upgrade["already_broken"]) == [
        ("RA103", 7), ("RA111", 19)]
    logout = next(f for f in data["findings"] if f["rule_id"] == "RA191")
    assert logout["breaks_in"] == "2.23"
    assert '<section id="upgrade"' in html.read_text()


def test_exit_code_respects_fail_on(tree: Path) -> None:
    assert _run("--from", "2.20", "--to", "2.24", "--fail-on", "never", ".").exit_code == 0
    (tree / "ops.py").write_text('import requests\nRUNAI_URL = "https://runai.example.com"\n'
                                 'requests.get(f"{RUNAI_URL}/api/v1/user-applications")\n')
    assert _run("--from", "2.20", "--to", "2.24", ".").exit_code == 0  # only a deprecation
    assert _run("--from", "2.20", "--to", "2.24", "--fail-on", "warning", ".").exit_code == 1


@pytest.mark.parametrize(("args", "message"), [
    (["--from", "2.20", "--target", "2.24"], "upgrade takes --from and --to instead of --target"),
    (["--from", "9.9"], "unknown release '9.9'"),
    (["--from", "2.24", "--to", "2.20"], "2.20 is not newer than --from 2.24"),
])
def test_usage_errors(tree: Path, args: list[str], message: str) -> None:
    result = _run(*args, ".")
    assert result.exit_code == 2
    assert message in result.stderr
