"""Fingerprints and baselines."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from runai_audit import __version__
from runai_audit.api import ScanOptions
from runai_audit.cli import main
from runai_audit.commands import baseline as baseline_command
from runai_audit.gate.baseline import (
    Baseline,
    BaselineEntry,
    BaselineError,
    apply_baseline,
    create_baseline,
    read_baseline,
    write_baseline,
)
from runai_audit.judge.fingerprint import assign_fingerprints, normalise_evidence
from runai_audit.models import (
    Coverage,
    Finding,
    InputProblem,
    Location,
    Provenance,
    Report,
    Severity,
    Status,
    Suppression,
    Target,
    Usage,
)

CREATED = datetime(2025, 6, 1, 12, 30, tzinfo=timezone.utc)


def finding(
    rule_id: str,
    path: str,
    line: int,
    evidence: str = 'requests.get(f"{base}/v1/k8s/clusters")',
    subject: str = "GET /v1/k8s/clusters",
    column: int = 1,
) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=Severity.ERROR,
        status=Status.REMOVED,
        message="removed",
        subject=subject,
        replacement="GET /api/v1/clusters",
        location=Location(path, line, column),
        evidence=evidence,
    )


def traffic(pointer: str, count: int, subject: str = "GET /v1/k8s/clusters") -> Finding:
    return Finding(
        rule_id="RA101",
        severity=Severity.ERROR,
        status=Status.REMOVED,
        message="removed",
        subject=subject,
        replacement="none",
        location=Location("capture.har", 0, 0, pointer),
        usage=Usage(count=count, first_seen="2025-05-01T10:00:00Z", last_seen="2025-05-02T10:00:00Z"),
    )


def fps(findings: list[Finding]) -> list[str]:
    return [f.fingerprint for f in assign_fingerprints(findings)]


# --------------------------------------------------------------------------- fingerprints


def test_fingerprint_is_the_documented_hash() -> None:
    f = finding("RA101", "jobs/a.py", 3, evidence="requests.get( url )")
    expected = hashlib.sha256(b"RA101\x1fjobs/a.py\x1fGET /v1/k8s/clusters\x1f0").hexdigest()
    assert fps([f]) == [expected[:16]]


def test_inserting_lines_and_reindenting_keeps_the_fingerprint() -> None:
    before = finding("RA101", "a.py", 3, evidence='requests.get(f"{base}/v1/k8s/clusters", timeout=5)', column=1)
    after = finding(
        "RA101", "a.py", 40, evidence="requests.get(\n        f'{base}/v1/k8s/clusters',\n        timeout=5,\n    )", column=9
    )
    assert fps([before]) == fps([after])


@pytest.mark.parametrize(
    ("evidence", "normal"),
    [
        ("requests.get( url )", "requests.get(url)"),
        ("get(\n    'a',\n    timeout=5,\n)", 'get("a",timeout=5)'),
        ("x = {'a': [1, 2, ], }", 'x={"a":[1,2]}'),
        ("curl -X GET \\\n   $RUNAI/v1/k8s", "curl-XGET\\$RUNAI/v1/k8s"),
        ("get(url)  # runai-audit: ignore[RA101] known", "get(url)"),
        ("fetch(u) // runai-audit: ignore", "fetch(u)"),
        ("get(url)  # other comment", "get(url)#othercomment"),
    ],
)
def test_normalise_evidence(evidence: str, normal: str) -> None:
    assert normalise_evidence(evidence) == normal


def test_a_different_rule_path_or_subject_changes_it_but_evidence_does_not() -> None:
    base = finding("RA101", "a.py", 3)
    variants = [
        replace(base, rule_id="RA102"),
        replace(base, location=Location("b.py", 3, 1)),
        replace(base, subject="GET /v1/k8s/clusters/{clusterId}"),
    ]
    prints = [fps([f])[0] for f in [base, *variants]]
    assert len(set(prints)) == 4
    reworded = replace(base, evidence='httpx.get(f"{base}/v1/k8s/clusters")')
    assert fps([reworded]) == [prints[0]]


def test_identical_uses_are_numbered_in_file_order_not_list_order() -> None:
    first = finding("RA101", "a.py", 3)
    second = finding("RA101", "a.py", 9)
    in_order = fps([first, second])
    reversed_input = fps([second, first])
    assert in_order[0] != in_order[1]
    assert reversed_input == [in_order[1], in_order[0]]  # output keeps input order, ranks follow lines
    # Moving both down the file keeps both.
    assert fps([replace(first, location=Location("a.py", 13, 1)), replace(second, location=Location("a.py", 19, 1))]) == in_order


def test_traffic_fingerprint_ignores_pointer_and_counts() -> None:
    monday = traffic("/log/entries/17", 4)
    tuesday = traffic("/log/entries/902", 311)
    assert fps([monday]) == fps([tuesday])
    expected = hashlib.sha256(b"RA101\x1fcapture.har\x1fGET /v1/k8s/clusters").hexdigest()[:16]
    assert fps([monday]) == [expected]
    assert fps([traffic("/log/entries/1", 1, subject="GET /v1/k8s/nodes")]) != [expected]


def test_assign_fingerprints_is_pure() -> None:
    original = [finding("RA101", "a.py", 3)]
    assign_fingerprints(original)
    assert original[0].fingerprint == ""


# --------------------------------------------------------------------------- create / write / read


def test_create_baseline_lists_unsuppressed_findings_sorted() -> None:
    findings = assign_fingerprints(
        [
            finding("RA201", "z.py", 1, subject="POST /api/v1/workloads body.nodePool"),
            finding("RA101", "a.py", 5),
            replace(finding("RA101", "a.py", 9), suppression=Suppression("inline", "known")),
            finding("RA902", "a.py", 2, subject="runai-audit: ignore[RA101]"),  # never baselined
            finding("RA900", "broken.yaml", 3, subject="unparsed"),  # other tool findings may be
        ]
    )
    doc = create_baseline(findings, created=CREATED)
    assert doc == {
        "schema_version": 1,
        "created": "2025-06-01T12:30:00+00:00",
        "tool_version": __version__,
        "entries": [
            {"fingerprint": findings[1].fingerprint, "rule_id": "RA101", "path": "a.py", "subject": "GET /v1/k8s/clusters"},
            {"fingerprint": findings[4].fingerprint, "rule_id": "RA900", "path": "broken.yaml", "subject": "unparsed"},
            {
                "fingerprint": findings[0].fingerprint,
                "rule_id": "RA201",
                "path": "z.py",
                "subject": "POST /api/v1/workloads body.nodePool",
            },
        ],
    }


def test_create_baseline_fingerprints_findings_that_lack_them() -> None:
    raw = [finding("RA101", "a.py", 3), finding("RA101", "a.py", 8)]
    doc = create_baseline(raw, created=CREATED)
    assert [e["fingerprint"] for e in doc["entries"]] == sorted(fps(raw))


def test_write_then_read_round_trip_with_entry_positions(tmp_path: Path) -> None:
    findings = assign_fingerprints([finding("RA101", "a.py", 3), finding("RA301", "k8s/job.yaml", 1, subject="run.ai/v1 RunaiJob")])
    path = tmp_path / "ci" / "baseline.json"
    write_baseline(create_baseline(findings, created=CREATED), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[6] == f'      "fingerprint": "{findings[0].fingerprint}",'
    assert [p.name for p in path.parent.iterdir()] == ["baseline.json"]  # no temporary left behind
    baseline = read_baseline(path)
    assert baseline == Baseline(
        path=path.as_posix(),
        entries=(
            BaselineEntry(findings[0].fingerprint, "RA101", "a.py", "GET /v1/k8s/clusters", line=7, column=22),
            BaselineEntry(findings[1].fingerprint, "RA301", "k8s/job.yaml", "run.ai/v1 RunaiJob", line=13, column=22),
        ),
        created="2025-06-01T12:30:00+00:00",
        tool_version=__version__,
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{not json", "is not valid JSON: Expecting property name enclosed in double quotes at line 1 column 2"),
        ("[]", "must be a JSON object with schema_version and entries"),
        ('{"schema_version": 2, "entries": []}', "has schema_version 2; this runai-audit reads 1"),
        ('{"entries": []}', "has schema_version None; this runai-audit reads 1"),
        ('{"schema_version": 1, "entries": {}}', "'entries' must be a list"),
        ('{"schema_version": 1, "entries": ["abc"]}', "entries[0] must be an object"),
        (
            '{"schema_version": 1, "entries": [{"fingerprint": "a", "rule_id": "RA101", "path": "p"}]}',
            "entries[0].subject must be a string",
        ),
        (
            '{"schema_version": 1, "entries": [{"fingerprint": "", "rule_id": "RA101", "path": "p", "subject": "s"}]}',
            "entries[0].fingerprint is empty",
        ),
    ],
)
def test_read_baseline_errors(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BaselineError) as err:
        read_baseline(path)
    assert str(err.value) == f"{path.as_posix()}: {reason}"
    assert (err.value.file, err.value.reason) == (path.as_posix(), reason)


def test_read_missing_baseline(tmp_path: Path) -> None:
    with pytest.raises(BaselineError) as err:
        read_baseline(tmp_path / "none.json")
    assert str(err.value).startswith(f"{(tmp_path / 'none.json').as_posix()}: cannot be read: ")


# --------------------------------------------------------------------------- apply


def test_apply_baseline_marks_known_debt_and_reports_stale_entries(tmp_path: Path) -> None:
    old = assign_fingerprints(
        [
            finding("RA101", "a.py", 3),
            finding("RA101", "a.py", 8, evidence="requests.get(other)"),  # fixed later
            finding("RA301", "k8s/job.yaml", 1, subject="run.ai/v1 RunaiJob", evidence="kind: RunaiJob"),
        ]
    )
    path = tmp_path / "baseline.json"
    write_baseline(create_baseline(old, created=CREATED), path)
    baseline = read_baseline(path)

    # Next week: lines moved and the call was reformatted; one use was fixed; one is new.
    new = assign_fingerprints(
        [
            finding("RA101", "a.py", 14, evidence='requests.get(\n    f"{base}/v1/k8s/clusters"\n)'),
            finding("RA301", "k8s/job.yaml", 4, subject="run.ai/v1 RunaiJob", evidence="kind:  RunaiJob"),
            finding("RA102", "b.py", 2, subject="GET /v1/k8s/nodes", evidence="get(nodes)"),
        ]
    )
    out = apply_baseline(new, baseline)
    in_baseline = Suppression("baseline", f"in baseline {path.as_posix()}")
    assert [(f.rule_id, f.location.path, f.suppression) for f in out[:3]] == [
        ("RA101", "a.py", in_baseline),
        ("RA301", "k8s/job.yaml", in_baseline),
        ("RA102", "b.py", None),
    ]
    stale = out[3:]
    entry = next(e for e in baseline.entries if e.fingerprint == old[1].fingerprint)
    assert [(f.rule_id, f.severity, f.status, f.location) for f in stale] == [
        ("RA904", Severity.NOTE, Status.TOOL, Location(path.as_posix(), entry.line, 22))
    ]
    assert path.read_text(encoding="utf-8").splitlines()[entry.line - 1][22:38] == old[1].fingerprint
    assert stale[0].message == (
        "Baseline entry for RA101 'GET /v1/k8s/clusters' in a.py matches no finding any more "
        "(the debt was paid); regenerate the baseline with `runai-audit baseline create`."
    )


def test_apply_baseline_keeps_an_earlier_suppression_and_counts_the_entry_as_used() -> None:
    f = assign_fingerprints([finding("RA101", "a.py", 3)])[0]
    inline = replace(f, suppression=Suppression("inline", "known"))
    baseline = Baseline("b.json", (BaselineEntry(f.fingerprint, "RA101", "a.py", "GET /v1/k8s/clusters", 7, 22),))
    assert apply_baseline([inline], baseline) == [inline]


def test_apply_baseline_fingerprints_findings_that_lack_them() -> None:
    raw = finding("RA101", "a.py", 3)
    fp = fps([raw])[0]
    baseline = Baseline("b.json", (BaselineEntry(fp, "RA101", "a.py", "GET /v1/k8s/clusters", 7, 22),))
    out = apply_baseline([raw], baseline)
    assert [(f.fingerprint, f.suppression) for f in out] == [(fp, Suppression("baseline", "in baseline b.json"))]


def test_baseline_file_is_plain_json_a_reviewer_can_read(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    write_baseline(create_baseline(assign_fingerprints([finding("RA101", "a.py", 3)]), created=CREATED), path)
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert list(doc) == ["schema_version", "created", "tool_version", "entries"]
    assert path.read_text(encoding="utf-8").endswith("}\n")


def test_stale_entries_only_for_files_this_scan_read() -> None:
    baseline = Baseline(
        "b.json",
        (
            BaselineEntry("1111111111111111", "RA101", "scanned.py", "GET /v1/k8s/clusters", 7, 22),
            BaselineEntry("2222222222222222", "RA101", "not-scanned.py", "GET /v1/k8s/clusters", 13, 22),
        ),
    )
    out = apply_baseline([], baseline, scanned_paths={"scanned.py", "other.py"})
    assert [(f.rule_id, f.location) for f in out] == [("RA904", Location("b.json", 7, 22))]
    everything = apply_baseline([], baseline)
    assert [(f.rule_id, f.location.line) for f in everything] == [("RA904", 7), ("RA904", 13)]


# --------------------------------------------------------------------------- the command


def make_report(findings: list[Finding], input_errors: int = 0) -> Report:
    return Report(
        target=Target("self-hosted", "2.24", "2025-06-01"),
        provenance=Provenance("runai-audit", __version__, "test", ("2.24",), "bundled"),
        findings=tuple(findings),
        coverage=Coverage(
            files_scanned=1, errors=tuple(InputProblem(f"bad{i}.yaml", "not valid YAML") for i in range(input_errors))
        ),
    )


@pytest.fixture
def fake_scan(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[ScanOptions]:
    """Replace the scan with one that records its options and returns two findings."""
    monkeypatch.chdir(tmp_path)
    seen: list[ScanOptions] = []
    found = assign_fingerprints(
        [
            finding("RA101", "jobs/a.py", 3),
            replace(finding("RA102", "jobs/a.py", 7, subject="GET /v1/k8s/clusters/{clusterId}/projects/{id}"),
                    suppression=Suppression("inline", "known")),
        ]
    )

    def run_scan(options: ScanOptions, **_: object) -> Report:
        seen.append(options)
        return make_report(found, input_errors=1 if "bad" in [str(p) for p in options.paths] else 0)

    monkeypatch.setattr(baseline_command, "run_scan", run_scan)
    return seen


def test_baseline_create_writes_unsuppressed_findings(tmp_path: Path, fake_scan: list[ScanOptions]) -> None:
    (tmp_path / ".runai-audit.yaml").write_text("baseline: old-baseline.json\ntarget: '2.22'\n", encoding="utf-8")
    (tmp_path / "jobs").mkdir()  # paths given on the command line must exist
    result = CliRunner().invoke(main, ["baseline", "create", "jobs", "-o", "ci/base.json", "--as-of", "2025-06-01"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "runai-audit: wrote 1 baseline entry to ci/base.json\n"
    (options,) = fake_scan
    assert options.paths == (Path("jobs"),)
    assert options.baseline is None  # the configured baseline must not hide the debt being recorded
    assert (options.target, options.as_of) == ("2.22", "2025-06-01")
    doc = json.loads((tmp_path / "ci" / "base.json").read_text(encoding="utf-8"))
    assert [(e["rule_id"], e["path"]) for e in doc["entries"]] == [("RA101", "jobs/a.py")]


def test_baseline_create_defaults_to_the_configured_file(tmp_path: Path, fake_scan: list[ScanOptions]) -> None:
    (tmp_path / ".runai-audit.yaml").write_text("baseline: ci/accepted.json\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["baseline", "create", "."])
    assert result.exit_code == 0, result.output
    assert read_baseline(tmp_path / "ci" / "accepted.json").entries[0].rule_id == "RA101"


def test_baseline_create_warns_about_unreadable_inputs(tmp_path: Path, fake_scan: list[ScanOptions]) -> None:
    (tmp_path / "bad").mkdir()
    result = CliRunner().invoke(main, ["baseline", "create", "bad", "-o", "b.json"])
    assert result.exit_code == 0
    assert result.stderr.splitlines()[1] == (
        "runai-audit: warning: 1 input(s) could not be read or parsed; findings in them are not in the baseline"
    )


def test_baseline_create_needs_somewhere_to_write(tmp_path: Path, fake_scan: list[ScanOptions]) -> None:
    (tmp_path / ".git").mkdir()  # no config file above
    result = CliRunner().invoke(main, ["baseline", "create", "."])
    assert result.exit_code == 2
    assert "say where to write the baseline with -o FILE" in result.stderr
    assert fake_scan == []


def test_baseline_create_bad_config_exits_3(tmp_path: Path, fake_scan: list[ScanOptions]) -> None:
    (tmp_path / ".runai-audit.yaml").write_text("fail_onn: error\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["baseline", "create", ".", "-o", "b.json"])
    assert result.exit_code == 3
    assert result.stderr.startswith("runai-audit: error: .runai-audit.yaml: key 'fail_onn' is not allowed (allowed: ")
    assert not (tmp_path / "b.json").exists()


# --------------------------------------------------------------------------- end to end, real scan

PROJECTS_CALL = 'requests.get(f"{RUNAI_URL}/v1/k8s/clusters/{cid}/projects")\n'
DEPARTMENTS_CALL = 'requests.get(f"{RUNAI_URL}/v1/k8s/clusters/{cid}/departments")'


def scan_json(*args: str) -> tuple[int, list[dict[str, Any]]]:
    result = CliRunner().invoke(main, ["scan", ".", "--format", "json", *args])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)["findings"]


def summary(findings: list[dict[str, Any]]) -> list[tuple[str, str, int, int, str | None]]:
    return [
        (
            f["rule_id"],
            f["location"]["path"],
            f["location"]["line"],
            f["location"]["column"],
            f["suppression"]["kind"] if f["suppression"] else None,
        )
        for f in findings
    ]


def test_baseline_workflow_through_the_real_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()  # the config search stops here
    job = tmp_path / "jobs" / "sync.py"
    job.parent.mkdir()
    job.write_text("import requests\n\n" + PROJECTS_CALL, encoding="utf-8")

    created = CliRunner().invoke(main, ["baseline", "create", ".", "-o", "accepted.json", "--as-of", "2025-06-01"])
    assert created.exit_code == 0, created.output
    doc = json.loads((tmp_path / "accepted.json").read_text(encoding="utf-8"))
    assert [(e["rule_id"], e["path"], e["subject"]) for e in doc["entries"]] == [
        ("RA101", "jobs/sync.py", "GET /v1/k8s/clusters/{clusterId}/projects")
    ]

    (tmp_path / ".runai-audit.yaml").write_text("baseline: accepted.json\nas_of: 2025-06-01\n", encoding="utf-8")
    code, findings = scan_json()
    assert (code, summary(findings)) == (0, [("RA101", "jobs/sync.py", 3, 14, "baseline")])
    assert findings[0]["fingerprint"] == doc["entries"][0]["fingerprint"]

    # Lines inserted above the known use: still known. A new use: the gate fails on it alone.
    job.write_text("import requests\n# sync projects\n\n\n" + PROJECTS_CALL + DEPARTMENTS_CALL + "\n", encoding="utf-8")
    code, findings = scan_json()
    assert (code, summary(findings)) == (
        1,
        [("RA101", "jobs/sync.py", 5, 14, "baseline"), ("RA103", "jobs/sync.py", 6, 14, None)],
    )

    # Suppressed inline with a reason: the gate passes again.
    job.write_text(
        "import requests\n# sync projects\n\n\n" + PROJECTS_CALL
        + DEPARTMENTS_CALL + "  # runai-audit: ignore[RA103] dropped with the 2.18 clusters\n",
        encoding="utf-8",
    )
    code, findings = scan_json()
    assert (code, summary(findings)) == (
        0,
        [("RA101", "jobs/sync.py", 5, 14, "baseline"), ("RA103", "jobs/sync.py", 6, 14, "inline")],
    )
    assert findings[1]["suppression"]["reason"] == "dropped with the 2.18 clusters"

    # The known use is fixed: its baseline entry is reported stale, at the entry.
    job.write_text(DEPARTMENTS_CALL + "  # runai-audit: ignore[RA103] dropped with the 2.18 clusters\n", encoding="utf-8")
    code, findings = scan_json()
    assert (code, summary(findings)) == (
        0,
        [("RA904", "accepted.json", 7, 22, None), ("RA103", "jobs/sync.py", 1, 14, "inline")],
    )


def test_exemptions_through_the_real_scan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "legacy").mkdir()
    (tmp_path / "legacy" / "old.py").write_text("import requests\n" + PROJECTS_CALL, encoding="utf-8")
    (tmp_path / "new.py").write_text("import requests\n" + PROJECTS_CALL, encoding="utf-8")
    (tmp_path / ".runai-audit.yaml").write_text(
        "as_of: 2025-06-01\n"
        "exemptions:\n"
        "  - rule: RA101\n"
        "    path: legacy/**\n"
        "    reason: retired with the 2.18 clusters\n"
        "    owner: team-ml\n"
        "    expires: 2025-06-30\n"
        "  - rule: RA101\n"
        "    path: new.py\n"
        "    reason: was parked\n"
        "    owner: platform\n"
        "    expires: 2025-05-31\n",
        encoding="utf-8",
    )
    code, findings = scan_json()
    assert (code, summary(findings)) == (
        1,
        [
            ("RA903", ".runai-audit.yaml", 8, 5, None),
            ("RA101", "legacy/old.py", 2, 14, "exemption"),
            ("RA101", "new.py", 2, 14, None),
        ],
    )
    assert findings[1]["suppression"] == {
        "kind": "exemption", "reason": "retired with the 2.18 clusters", "owner": "team-ml", "expires": "2025-06-30"
    }
