"""The command line end to end: the bundled examples, exit codes, the JSON contract, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from runai_audit import __version__
from runai_audit.cli import main
from runai_audit.commands.scan import FORMATS
from runai_audit.reporters import REPORTERS

REPO = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-28"

# Every finding the bundled examples give at the default target (2.24, self-hosted), by
# (rule, path under examples/, line, column, status). Everything else in examples/ is silent
# on purpose: the replacement endpoints, /v1/k8s/setting, the Kubernetes API, third-party and
# look-alike hosts, CLI v2 commands, a plain Job with the Run:ai scheduler, scheduling.run.ai, and
# self-hosted/, whose calls to an unnamed host give a hint instead (tests/test_terminal.py).
EXPECTED_EXAMPLES = [
    ("RA506", "docs/onboarding.md", 8, 12, "removed"),
    ("RA507", "docs/onboarding.md", 8, 38, "removed"),
    ("RA508", "docs/onboarding.md", 8, 59, "removed"),
    ("RA501", "docs/onboarding.md", 14, 16, "deprecated"),
    ("RA506", "python/project_sync.py", 17, 9, "removed"),
    ("RA507", "python/project_sync.py", 18, 9, "removed"),
    ("RA508", "python/project_sync.py", 19, 9, "removed"),
    ("RA101", "python/project_sync.py", 28, 25, "removed"),
    ("RA215", "python/project_sync.py", 35, 39, "removed"),
    ("RA102", "python/project_sync.py", 37, 9, "removed"),
    ("RA122", "python/runai_client.py", 15, 33, "removed"),
    ("RA510", "python/runai_client.py", 20, 13, "deprecated"),
    ("RA241", "python/runai_client.py", 27, 19, "removed"),
    ("RA242", "python/runai_client.py", 27, 43, "removed"),
    ("RA100", "python/runai_client.py", 36, 33, "unsupported"),
    ("RA223", "python/runai_client.py", 41, 26, "removed"),
    ("RA111", "shell/nightly-report.sh", 17, 9, "removed"),
    ("RA142", "shell/nightly-report.sh", 20, 12, "deprecated"),
    ("RA243", "shell/nightly-report.sh", 22, 21, "deprecated"),
    ("RA502", "shell/rotate-app-secret.sh", 5, 18, "removed"),
    ("RA511", "shell/rotate-app-secret.sh", 9, 18, "deprecated"),
    ("RA630", "surfaces/.github/workflows/train.yml", 13, 11, "removed"),
    ("RA605", "surfaces/.github/workflows/train.yml", 14, 11, "removed"),
    ("RA304", "surfaces/chart/templates/inference.yaml", 2, 1, "removed"),
    ("RA320", "surfaces/chart/templates/inference.yaml", 13, 3, "removed"),
    ("RA331", "surfaces/clients/notebooks.ts", 8, 13, "removed"),
    ("RA330", "surfaces/clients/submit.go", 12, 19, "removed"),
    ("RA303", "surfaces/kustomize/kustomization.yaml", 10, 7, "removed"),
    ("RA310", "surfaces/manifests/legacy.yaml", 1, 1, "removed"),
    ("RA306", "surfaces/manifests/legacy.yaml", 18, 1, "removed"),
    ("RA313", "surfaces/manifests/legacy.yaml", 29, 1, "removed"),
    ("RA302", "surfaces/manifests/notebook.json", 2, 4, "removed"),
    ("RA320", "surfaces/manifests/notebook.json", 8, 6, "removed"),
    ("RA301", "surfaces/manifests/training.yaml", 2, 1, "removed"),
    ("RA321", "surfaces/manifests/training.yaml", 14, 3, "removed"),
    ("RA415", "surfaces/monitoring/dashboard.json", 7, 33, "removed"),
    ("RA441", "surfaces/monitoring/dashboard.json", 12, 33, "removed"),
    ("RA431", "surfaces/monitoring/runai-alerts.rules.yaml", 5, 19, "removed"),
    ("RA420", "surfaces/scripts/query_metrics.py", 12, 18, "removed"),
    ("RA403", "surfaces/scripts/query_metrics.py", 13, 25, "removed"),
    ("RA630", "surfaces/scripts/submit_v1.sh", 5, 1, "removed"),
    ("RA601", "surfaces/scripts/submit_v1.sh", 6, 1, "removed"),
    ("RA602", "surfaces/scripts/submit_v1.sh", 7, 1, "removed"),
    ("RA610", "surfaces/scripts/submit_v1.sh", 8, 1, "removed"),
    ("RA622", "surfaces/scripts/submit_v1.sh", 9, 1, "removed"),
    ("RA330", "surfaces/scripts/submit_v1.sh", 13, 3, "removed"),
    ("RA311", "surfaces/scripts/submit_v1.sh", 16, 1, "removed"),
]
# The HAR in examples/traffic: (rule, line, pointer, calls).
EXPECTED_TRAFFIC = [
    ("RA506", 10, "/log/entries/0", 1),
    ("RA507", 10, "/log/entries/0", 1),
    ("RA508", 10, "/log/entries/0", 1),
    ("RA111", 63, "/log/entries/1", 7),
    ("RA509", 406, "/log/entries/8", 1),
    ("RA700", 406, "/log/entries/8", 1),
    ("RA701", 406, "/log/entries/8", 1),
]




def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def scan_json(*args: str) -> tuple[int, dict[str, object]]:
    code, out, _ = run("scan", *args, "--format", "json", "--as-of", AS_OF)
    return code, json.loads(out)


def test_examples_give_exactly_the_documented_findings(in_repo: Path) -> None:
    code, doc = scan_json("examples", "--exclude", "traffic")
    findings = doc["findings"]
    assert isinstance(findings, list)
    got = [(f["rule_id"], f["location"]["path"].removeprefix("examples/"), f["location"]["line"],
            f["location"]["column"], f["status"]) for f in findings]
    assert got == EXPECTED_EXAMPLES
    assert code == 1  # removed uses are errors, and --fail-on defaults to error


def test_traffic_example_aggregates_usage_and_counts_third_party(in_repo: Path) -> None:
    _, doc = scan_json("examples/traffic")
    findings = doc["findings"]
    assert isinstance(findings, list)
    got = [(f["rule_id"], f["location"]["line"], f["location"]["pointer"], f["usage"]["count"]) for f in findings]
    assert got == EXPECTED_TRAFFIC
    assert doc["coverage"] == {"files_scanned": 1, "files_skipped": [], "errors": [], "traffic_entries": 11,
                               "traffic_unmatched": 1, "notes": [], "unknown_hosts": []}
    raw = json.dumps(doc)
    for secret in ("eyJhbGciOiJSUzI1NiJ9", "s3ss10n-c00k1e-v4lue", "q9-not-a-real-secret-Zx", "finance-export", "abc2"):
        assert secret not in raw


def test_json_contract_keys_are_pinned(in_repo: Path) -> None:
    _, doc = scan_json("examples/python/project_sync.py")
    assert list(doc) == ["schema_version", "tool", "target", "summary", "fail_on", "findings", "coverage",
                         "provenance", "rules", "releases"]
    assert doc["schema_version"] == 1
    assert doc["tool"] == {"name": "runai-audit", "version": __version__}
    assert doc["target"] == {"deployment": "self-hosted", "version": "2.24", "as_of": AS_OF}
    assert doc["summary"] == {"error": 6, "warning": 0, "note": 0, "files_scanned": 1, "suppressed": 0}
    first = doc["findings"][0]  # type: ignore[index]
    assert list(first) == ["rule_id", "severity", "status", "message", "subject", "replacement", "location",
                           "fingerprint", "suppressed", "suppression", "confidence", "context", "deprecated_in",
                           "removed_in", "sunset", "breaks_in", "sources", "docs_url", "evidence", "snippet",
                           "usage", "related"]
    assert first["subject"] == "value grantType=app_token in POST /api/v1/token"
    assert first["location"] == {"path": "examples/python/project_sync.py", "line": 17, "column": 9, "pointer": ""}
    assert len(first["fingerprint"]) == 16 and first["suppressed"] is False


def test_the_core_acceptance_cases(tmp_path: Path) -> None:
    script = tmp_path / "sync.py"
    script.write_text(
        "import requests\n"
        "from client import client, BASE, cid, app_id\n"
        "requests.get(f\"{BASE}/v1/k8s/clusters/{cid}/projects\")\n"
        "client.request(\n"
        "    \"DELETE\",\n"
        "    RUNAI_URL + \"/api/v1/apps/\" + app_id,\n"
        ")\n"
        "requests.get(f\"{BASE}/v1/k8s/setting\")\n"
        "requests.post(f\"{BASE}/api/v1/token\", json={\"grantType\": \"app_token\", \"appID\": \"a\", \"appSecret\": \"s\"})\n",
        encoding="utf-8",
    )
    _, doc = scan_json(str(script))
    got = [(f["rule_id"], f["location"]["line"], f["location"]["column"], f["replacement"]) for f in doc["findings"]]  # type: ignore[union-attr]
    assert got == [
        ("RA101", 3, 14, "/api/v1/org-unit/projects"),
        ("RA510", 6, 17, "/api/v1/service-accounts/{serviceAccountId}"),  # at the path literal
        ("RA506", 9, 45, "grantType client_credentials with clientID and clientSecret"),
        ("RA507", 9, 71, "clientID (with grantType client_credentials)"),
        ("RA508", 9, 85, "clientSecret (with grantType client_credentials)"),
    ]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--fail-on", "never"], 0),
        (["--fail-on", "error"], 1),
        (["--target", "2.20", "--fail-on", "error"], 0),  # at 2.20 the v1 projects API is still supported
        (["--target", "2.20", "--fail-on", "warning"], 1),
    ],
)
def test_exit_codes_follow_fail_on(tmp_path: Path, args: list[str], code: int) -> None:
    script = tmp_path / "a.sh"
    script.write_text('curl "$RUNAI_URL/v1/k8s/clusters/$CID/projects"\n', encoding="utf-8")
    assert run("scan", str(script), "--as-of", AS_OF, *args)[0] == code


def test_stdin_is_scanned_as_the_kind_its_name_or_shebang_says() -> None:
    script = 'curl "$RUNAI_URL/v1/k8s/users"\n'
    code, out, _ = run("scan", "-", "--stdin-filename", "sync.sh", "--as-of", AS_OF, input=script)
    assert code == 1
    assert out.splitlines()[0] == "sync.sh:1:6: RA122 error GET /v1/k8s/users removed at 2.24 → /api/v1/users"
    code, out, _ = run("scan", "-", "--as-of", AS_OF, input="#!/bin/sh\n" + script)
    assert out.splitlines()[0].startswith("-:2:6: RA122 error")


def test_usage_errors_exit_2_and_tool_failures_exit_3(tmp_path: Path) -> None:
    assert run("scan", "--fail-on", "sometimes")[0] == 2
    assert run("scan", str(tmp_path), "--report", "pdf=x.pdf")[0] == 2
    code, _, err = run("scan", str(tmp_path), "--target", "9.9")
    assert code == 2 and "unknown target release '9.9'" in err
    assert run("scan", str(tmp_path), "--as-of", "2026-02-30")[0] == 2
    assert run("scan", str(tmp_path), "--log-format", "$remote_addr")[0] == 2
    assert run("scan", str(tmp_path / "nope"))[0] == 2  # a mistyped path must not pass the gate
    code, _, err = run("scan", str(tmp_path), "--report", f"json={tmp_path}")
    assert code == 3 and "cannot write" in err and "Traceback" not in err  # a folder is not replaced
    bad_spec = tmp_path / "spec.json"
    bad_spec.write_text('{"openapi": "3.0.3", "info": {}, "paths": {}}', encoding="utf-8")
    code, _, err = run("scan", str(tmp_path), "--spec", str(bad_spec))
    assert code == 3 and str(bad_spec) in err and "Traceback" not in err
    bad_rules = tmp_path / "rules.yaml"
    bad_rules.write_text("- id: RA101\n  title: mine\n", encoding="utf-8")
    code, _, err = run("scan", str(tmp_path), "--rules", str(bad_rules))
    assert code == 3 and f"{bad_rules}:1:" in err


def test_unreadable_input_is_reported_and_strict_makes_it_fatal(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("import requests\nrequests.get('/v1/k8s/users'\n", encoding="utf-8")
    (tmp_path / "latin.sh").write_bytes(b"curl $RUNAI_URL/v1/k8s/users # caf\xe9\n")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01runai\x02" * 100)
    code, doc = scan_json(str(tmp_path), "--fail-on", "never")
    errors = doc["coverage"]["errors"]  # type: ignore[index]
    # latin.sh is not UTF-8 but is still read (issue 14): its call must not slip past the gate
    assert [(e["path"].rsplit("/", 1)[-1], e["line"]) for e in errors] == [("bad.py", 2)]
    skipped = doc["coverage"]["files_skipped"]  # type: ignore[index]
    assert [(s["path"].rsplit("/", 1)[-1], s["reason"]) for s in skipped] == [("blob.bin", "binary file")]
    # The file that does not parse keeps its RA900 and is still read for what is written in it.
    findings = [(f["rule_id"], f["location"]["path"].rsplit("/", 1)[-1], f["location"]["line"], f["location"]["column"])
                for f in doc["findings"]]  # type: ignore[union-attr]
    assert findings == [("RA900", "bad.py", 2, 1), ("RA122", "bad.py", 2, 15), ("RA122", "latin.sh", 1, 6)]
    assert code == 0
    assert run("scan", str(tmp_path), "--fail-on", "never", "--strict")[0] == 3


def test_report_option_writes_several_formats_from_one_run(tmp_path: Path, in_repo: Path) -> None:
    outputs = {fmt: tmp_path / f"out.{fmt}" for fmt in ("html", "sarif", "junit", "gitlab", "markdown", "csv")}
    args = [arg for fmt, path in outputs.items() for arg in ("--report", f"{fmt}={path}")]
    code, out, _ = run("scan", "examples/python", "--as-of", AS_OF, "--fail-on", "never", *args)
    assert code == 0
    assert out.rstrip().splitlines()[-1].startswith("10 errors, 2 warnings, 0 notes; 3 files scanned")
    assert json.loads(outputs["sarif"].read_text())["runs"][0]["results"][0]["ruleId"] == "RA506"
    assert "RA101" in outputs["html"].read_text() and "RA101" in outputs["junit"].read_text()


def test_formats_list_matches_the_reporter_registry() -> None:
    assert sorted(FORMATS) == sorted(REPORTERS)


def test_rules_command_lists_shows_and_documents() -> None:
    code, out, _ = run("rules")
    assert code == 0 and out.splitlines()[0].startswith("RA100")
    code, out, _ = run("rules", "RA101")
    assert code == 0 and out.startswith("RA101") and "sources:" in out and "defined at:    rules/endpoints.yaml:" in out
    code, _, err = run("rules", "RA1O1")
    assert code == 2 and "did you mean RA101" in err
    assert run("rules", "--format", "markdown")[1] == (REPO / "docs" / "rules.md").read_text(encoding="utf-8")


def test_version() -> None:
    assert run("--version")[1].strip() == f"runai-audit, version {__version__}"


def test_rules_as_json_carry_nested_match_keys() -> None:
    from runai_audit.knowledge.catalog import load_catalog

    code, out, _ = run("rules", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [r["id"] for r in rows] == [r.id for r in load_catalog().rules]
    ra601 = next(r for r in rows if r["id"] == "RA601")
    assert ra601["match"] == {"kind": "cli", "binary": "runai", "command": ["submit"],
                              "exclude_flags": ["--interactive"], "rewrite": {"to": ["training", "submit"]}}
    assert ra601["sources"] and ra601["deprecated_in"] == "2.20"


def test_user_spec_whose_version_is_not_a_release_stands_for_the_target(tmp_path: Path) -> None:
    import gzip

    import runai_audit.knowledge.specs

    bundled = Path(runai_audit.knowledge.specs.__file__).parent / "data" / "runai-openapi-2.24.json.gz"
    spec = tmp_path / "tenant.json"
    spec.write_bytes(gzip.decompress(bundled.read_bytes()))  # its info.version is "latest"
    script = tmp_path / "a.sh"
    script.write_text('curl "https://acme.run.ai/api/v1/internal/debug"\n', encoding="utf-8")
    code, doc = scan_json(str(script), "--spec", str(spec), "--target", "2.22")
    assert code == 0
    assert doc["provenance"]["spec_source"] == str(spec)  # type: ignore[index]
    [finding] = doc["findings"]  # type: ignore[misc]
    assert finding["rule_id"] == "RA100"
    assert "not in the 2.22 Run:ai API reference" in finding["message"]


def test_utf16_files_are_decoded_before_the_prefilter(tmp_path: Path) -> None:
    script = tmp_path / "submit.sh"
    script.write_bytes("runai submit job1 -i img\n".encode("utf-16"))
    _, doc = scan_json(str(script))
    assert [(f["rule_id"], f["location"]["line"], f["location"]["column"]) for f in doc["findings"]] == [  # type: ignore[union-attr]
        ("RA601", 1, 1)
    ]


def test_spec_may_name_a_bundled_release(tmp_path: Path) -> None:
    script = tmp_path / "a.sh"
    script.write_text('curl "https://acme.run.ai/api/v1/internal/debug"\n', encoding="utf-8")
    _, doc = scan_json(str(script), "--spec", "2.22")
    assert doc["provenance"]["spec_source"] == "bundled 2.22"  # type: ignore[index]
    assert [f["rule_id"] for f in doc["findings"]] == ["RA100"]  # type: ignore[union-attr]
