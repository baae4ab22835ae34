"""A use written in one place and sent, or built, in another: the finding points where it is
written and names the other place in every format; an inline ignore on either line silences it.
Everything runs through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from jsonschema import Draft4Validator

from runai_audit.cli import main
from tests.test_reporters import official_sarif_schema

CLIENT = (
    "import requests\n"                                      # 1
    "\n"                                                     # 2
    'RUNAI_URL = "https://acme.run.ai"\n'                    # 3
    "\n"                                                     # 4
    "\n"                                                     # 5
    "def cluster_projects(token, cluster):\n"               # 6
    '    url = f"{RUNAI_URL}/v1/k8s/clusters/{cluster}/projects"\n'  # 7: written here
    '    headers = {"Authorization": f"Bearer {token}"}\n'  # 8
    "    return requests.get(url, headers=headers)\n"       # 9: sent here
)


def _scan(tmp_path: Path, files: dict[str, str], *args: str) -> str:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["scan", str(tmp_path), "--as-of", "2026-12-05", "--fail-on", "never", *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result.output


def _json(tmp_path: Path, files: dict[str, str]) -> list[dict[str, object]]:
    findings = json.loads(_scan(tmp_path, files, "--format", "json"))["findings"]
    assert isinstance(findings, list)
    return findings


def test_a_url_sent_lines_later_is_reported_where_written_with_the_send_as_related(tmp_path: Path) -> None:
    findings = _json(tmp_path, {"client.py": CLIENT})
    assert [(f["rule_id"], f["location"]["line"], f["location"]["column"]) for f in findings] == [("RA101", 7, 11)]  # type: ignore[index]
    assert findings[0]["related"] == [{"path": "client.py", "line": 9, "column": 12, "role": "sent"}]


def test_text_and_html_say_where_the_request_is_sent(tmp_path: Path) -> None:
    text = _scan(tmp_path, {"client.py": CLIENT})
    first = text.splitlines()[0]
    assert first == ("client.py:7:11: RA101 error GET /v1/k8s/clusters/{id}/projects removed at 2.24 "
                     "→ /api/v1/org-unit/projects (sent at line 9)")
    full = _scan(tmp_path, {"client.py": CLIENT}, "--output-format", "full").splitlines()[0]
    assert full.startswith("client.py:7:11: RA101 error GET /v1/k8s/clusters/{clusterId}/projects")
    assert full.endswith("(sent at line 9)")
    html = _scan(tmp_path, {"client.py": CLIENT}, "--format", "html")
    assert '<span class="related"> (sent at line 9)</span>' in html


def test_sarif_carries_related_locations_and_stays_valid(tmp_path: Path) -> None:
    sarif = json.loads(_scan(tmp_path, {"client.py": CLIENT}, "--format", "sarif"))
    assert list(Draft4Validator(official_sarif_schema()).iter_errors(sarif)) == []
    result = sarif["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 7, "startColumn": 11}
    assert result["relatedLocations"] == [{
        "id": 1,
        "physicalLocation": {
            "artifactLocation": {"uri": "client.py", "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": 9, "startColumn": 12},
        },
        "message": {"text": "sent here"},
    }]


def test_a_call_split_over_lines_has_no_other_place(tmp_path: Path) -> None:
    text = (
        "import requests\n"
        'RUNAI_URL = "https://acme.run.ai"\n'
        "requests.get(\n"
        '    f"{RUNAI_URL}/v1/k8s/clusters/c1/projects",\n'
        "    timeout=5,\n"
        ")\n"
    )
    findings = _json(tmp_path, {"split.py": text})
    assert [(f["rule_id"], f["location"]["line"], f["related"]) for f in findings] == [("RA101", 4, [])]


def test_an_inline_ignore_on_the_sending_line_silences_the_finding(tmp_path: Path) -> None:
    silenced = CLIENT.replace(
        "    return requests.get(url, headers=headers)\n",
        "    return requests.get(url, headers=headers)  # runai-audit: ignore[RA101] moved in the next release\n",
    )
    findings = _json(tmp_path, {"client.py": silenced})
    assert [(f["rule_id"], f["location"]["line"], f["suppression"]) for f in findings] == [
        ("RA101", 7, {"kind": "inline", "reason": "moved in the next release", "owner": "", "expires": ""}),
    ]


def test_an_inline_ignore_on_the_written_line_still_works(tmp_path: Path) -> None:
    silenced = CLIENT.replace(
        '/projects"\n', '/projects"  # runai-audit: ignore[RA101] tracked in OPS-12\n'
    )
    findings = _json(tmp_path, {"client.py": silenced})
    assert [(f["rule_id"], f["location"]["line"], f["suppressed"]) for f in findings] == [("RA101", 7, True)]


def test_where_the_request_is_sent_does_not_change_the_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _json(tmp_path / "a", {"client.py": CLIENT})
    later = CLIENT.replace("    return requests.get", "    log = None\n    return requests.get")
    second = _json(tmp_path / "b", {"client.py": later})
    assert second[0]["related"][0]["line"] == 10  # type: ignore[index]
    assert first[0]["fingerprint"] == second[0]["fingerprint"]


def test_a_version_written_beside_a_client_call_is_related_as_written(tmp_path: Path) -> None:
    text = (
        "export async function drop(name: string): Promise<void> {\n"
        "  await api.deleteNamespacedCustomObject({\n"
        "    group: 'run.ai',\n"
        "    version: 'v2alpha1',\n"
        "    namespace: 'team-a',\n"
        "    plural: 'trainingworkloads',\n"
        "    name,\n"
        "  });\n"
        "}\n"
    )
    findings = _json(tmp_path, {"drop.ts": text})
    assert [(f["rule_id"], f["location"]["line"], f["location"]["column"], f["related"]) for f in findings] == [
        ("RA330", 2, 13, [{"path": "drop.ts", "line": 4, "column": 15, "role": "written"}]),
    ]


def test_a_shell_function_body_is_one_finding_with_its_call_sites(tmp_path: Path) -> None:
    script = (
        "#!/bin/bash\n"
        "rsub() {\n"
        '  runai submit "$1" -g 1\n'
        "}\n"
        "rsub train-a\n"
        "rsub train-b\n"
        "alias rl='runai list jobs'\n"
        "rl\n"
    )
    findings = _json(tmp_path, {"helpers.sh": script})
    assert [(f["rule_id"], f["location"]["line"], f["location"]["column"], [(r["line"], r["role"]) for r in f["related"]])  # type: ignore[union-attr]
            for f in findings] == [
        ("RA601", 3, 3, [(5, "called"), (6, "called")]),
        ("RA610", 7, 11, [(8, "called")]),
    ]
    text = _scan(tmp_path, {"helpers.sh": script})
    assert text.splitlines()[0].endswith("(called at lines 5, 6)")


def test_a_wrapper_called_with_a_v1_verb_is_reported_at_the_call(tmp_path: Path) -> None:
    script = '#!/bin/bash\nrctx() { runai "$@" -p team-a; }\nrctx delete job old-run\n'
    findings = _json(tmp_path, {"ctx.sh": script})
    assert [(f["rule_id"], f["location"]["line"], f["location"]["column"], f["related"]) for f in findings] == [
        ("RA621", 3, 1, []),
    ]


def test_github_gitlab_and_markdown_name_the_other_place(tmp_path: Path) -> None:
    github = _scan(tmp_path, {"client.py": CLIENT}, "--format", "github")
    assert github.splitlines()[0].startswith("::error file=client.py,line=7,col=11,")
    assert "(sent at line 9)" in github.splitlines()[0]
    gitlab = json.loads(_scan(tmp_path, {"client.py": CLIENT}, "--format", "gitlab"))
    assert gitlab[0]["description"].endswith("(sent at line 9)")
    markdown = _scan(tmp_path, {"client.py": CLIENT}, "--format", "markdown")
    assert "- `client.py:7:11` RA101 **error**" in markdown
    assert "(sent at line 9)" in markdown
