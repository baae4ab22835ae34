"""Inline suppression comments and config exemptions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from runai_audit.gate.exemptions import Exemption, apply_exemptions, glob_match
from runai_audit.gate.suppress import Directive, apply_inline, find_directives
from runai_audit.models import Finding, Location, Severity, Status, Suppression


def finding(rule_id: str, path: str, line: int, column: int = 1, subject: str = "GET /v1/k8s/clusters") -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=Severity.WARNING,
        status=Status.DEPRECATED,
        message="deprecated",
        subject=subject,
        replacement="GET /api/v1/clusters",
        location=Location(path, line, column),
    )


# --------------------------------------------------------------------------- find_directives


DIRECTIVE_CASES = [
    ("python_trailing", 'r = get(url)  # runai-audit: ignore[RA101] legacy job, removed in Q3\n',
     Directive(1, ("RA101",), "legacy job, removed in Q3", 17, standalone=False)),
    ("python_own_line", "x = 1\n    # runai-audit: ignore[RA101, ra201] migrating\n",
     Directive(2, ("RA101", "RA201"), "migrating", 7, standalone=True)),
    ("no_ids_no_reason", "curl $URL/v1/k8s  # runai-audit: ignore\n",
     Directive(1, (), "", 21, standalone=False)),
    ("jinja_comment", "{# runai-audit: ignore[RA101] template only #}\n",
     Directive(1, ("RA101",), "template only", 4, standalone=True)),
    ("markdown_html_comment", "<!-- runai-audit: ignore[RA301] example of the old CRD -->\n",
     Directive(1, ("RA301",), "example of the old CRD", 6, standalone=True)),
    ("js_slashes", "fetch(u) // runai-audit: ignore[RA101] - kept for 2.18 clusters\n",
     Directive(1, ("RA101",), "kept for 2.18 clusters", 13, standalone=False)),
    ("c_block", "/* runai-audit: ignore[RA101]: vendored */\n",
     Directive(1, ("RA101",), "vendored", 4, standalone=True)),
    ("block_continuation", "/*\n * runai-audit: ignore[RA102] old client\n */\n",
     Directive(2, ("RA102",), "old client", 4, standalone=True)),
    ("helm_comment", "{{/* runai-audit: ignore[RA301] chart for old clusters */}}\n",
     Directive(1, ("RA301",), "chart for old clusters", 6, standalone=True)),
    ("crlf_line_endings", "a\r\n# runai-audit: ignore[RA101] why\r\nb\r\n",
     Directive(2, ("RA101",), "why", 3, standalone=True)),
]


@pytest.mark.parametrize(("name", "text", "expected"), DIRECTIVE_CASES, ids=[c[0] for c in DIRECTIVE_CASES])
def test_find_directives(name: str, text: str, expected: Directive) -> None:
    assert find_directives(text) == (expected,)


@pytest.mark.parametrize(
    "text",
    [
        "print('runai-audit: ignore[RA101] not a comment')\n",  # inside a string, no comment opener
        "Write `runai-audit: ignore[RA101] reason` above the line.\n",  # prose in Markdown
        "# runai-audit: ignored[RA101]\n",  # a different word
        "# runai-audit: ignore-all\n",
        "# runai-audit is great\n",
        "nothing to see here\n",
    ],
)
def test_not_a_directive(text: str) -> None:
    assert find_directives(text) == ()


def test_find_directives_several_lines_keep_their_numbers() -> None:
    text = "a = 1\n# runai-audit: ignore[RA101] one\nb = 2\n\nc()  # runai-audit: ignore two\n"
    assert find_directives(text) == (
        Directive(2, ("RA101",), "one", 3, True),
        Directive(5, (), "two", 8, False),
    )


# --------------------------------------------------------------------------- apply_inline


def test_own_line_and_line_above_and_rule_ids() -> None:
    text = (
        "import requests\n"  # 1
        "# runai-audit: ignore[RA101] old cluster, dropped in Q3\n"  # 2
        "requests.get(a)\n"  # 3  RA101 suppressed by line 2; RA201 not named
        "requests.get(b)  # runai-audit: ignore moving to v2\n"  # 4  every rule
        "requests.get(c)\n"  # 5  not covered: line 4's directive is trailing
    )
    directives = {"jobs/run.py": find_directives(text)}
    findings = [
        finding("RA101", "jobs/run.py", 3, 1),
        finding("RA201", "jobs/run.py", 3, 14),
        finding("RA101", "jobs/run.py", 4, 1),
        finding("RA205", "jobs/run.py", 4, 14),
        finding("RA101", "jobs/run.py", 5, 1),
        finding("RA101", "other.py", 3, 1),  # same line, other file
    ]
    out = apply_inline(findings, directives)
    assert [(f.rule_id, f.location.path, f.location.line, f.suppression) for f in out] == [
        ("RA101", "jobs/run.py", 3, Suppression("inline", "old cluster, dropped in Q3")),
        ("RA201", "jobs/run.py", 3, None),
        ("RA101", "jobs/run.py", 4, Suppression("inline", "moving to v2")),
        ("RA205", "jobs/run.py", 4, Suppression("inline", "moving to v2")),
        ("RA101", "jobs/run.py", 5, None),
        ("RA101", "other.py", 3, None),
    ]


def test_own_line_directive_wins_over_the_line_above() -> None:
    directives = {"a.sh": (Directive(1, ("RA101",), "above", 3, True), Directive(2, ("RA101",), "same line", 20, False))}
    out = apply_inline([finding("RA101", "a.sh", 2)], directives)
    assert out == [
        replace(finding("RA101", "a.sh", 2), suppression=Suppression("inline", "same line")),
        Finding(
            rule_id="RA902",
            severity=Severity.NOTE,
            status=Status.TOOL,
            message="`runai-audit: ignore[RA101]` suppressed no finding on its line or the next; "
            "remove it or fix the rule ids.",
            subject="runai-audit: ignore[RA101]",
            replacement="remove the comment",
            location=Location("a.sh", 1, 3),
        ),
    ]


def test_missing_reason_adds_ra901_and_still_suppresses() -> None:
    text = "steps:\n  - run: runai submit job  # runai-audit: ignore[RA601]\n"
    out = apply_inline([finding("RA601", ".gitlab-ci.yml", 2, 10)], {".gitlab-ci.yml": find_directives(text)})
    assert out[0].suppression == Suppression("inline", "")
    assert len(out) == 2
    note = out[1]
    assert (note.rule_id, note.severity, note.status) == ("RA901", Severity.NOTE, Status.TOOL)
    assert note.location == Location(".gitlab-ci.yml", 2, 30)
    assert note.subject == "runai-audit: ignore[RA601]"
    assert note.message == (
        "`runai-audit: ignore[RA601]` gives no reason; write why after it, "
        "e.g. `runai-audit: ignore[RA601] migrating in Q3`."
    )


def test_unused_directive_adds_ra902_at_the_directive() -> None:
    text = "x = 1\ny = 2  # runai-audit: ignore[RA101] gone already\n"
    out = apply_inline([finding("RA201", "m.py", 2)], {"m.py": find_directives(text)})
    assert out[0].suppression is None
    assert [(f.rule_id, f.location) for f in out[1:]] == [("RA902", Location("m.py", 2, 10))]
    assert out[1].message == "`runai-audit: ignore[RA101]` suppressed no finding on its line; remove it or fix the rule ids."


def test_directive_without_reason_that_matches_nothing_gets_both_notes() -> None:
    out = apply_inline([], {"b.md": find_directives("text\n<!-- runai-audit: ignore -->\n")})
    assert [(f.rule_id, f.location) for f in out] == [
        ("RA901", Location("b.md", 2, 6)),
        ("RA902", Location("b.md", 2, 6)),
    ]


def test_tool_findings_are_never_suppressed_inline() -> None:
    directives = {"a.yaml": (Directive(3, (), "all", 20, False), Directive(5, ("RA900",), "broken", 1, True))}
    tool = finding("RA900", "a.yaml", 3)
    tool2 = finding("RA900", "a.yaml", 6)
    out = apply_inline([tool, tool2], directives)
    assert out[:2] == [tool, tool2]
    assert [(f.rule_id, f.location.line) for f in out[2:]] == [("RA902", 3), ("RA902", 5)]


def test_already_suppressed_and_lineless_findings_are_left_alone() -> None:
    earlier = Suppression("exemption", "parked", "team", "2030-01-01")
    done = replace(finding("RA101", "a.py", 2), suppression=earlier)
    traffic = Finding(
        rule_id="RA101", severity=Severity.ERROR, status=Status.REMOVED, message="m", subject="s",
        replacement="r", location=Location("capture.har", 0, 0, "/log/entries/3"),
    )
    out = apply_inline([done, traffic], {"a.py": (Directive(2, (), "x", 5, False),), "capture.har": (Directive(1, (), "x", 1, True),)})
    assert out[0].suppression == earlier
    assert out[1].suppression is None
    assert [(f.rule_id, f.location.path) for f in out[2:]] == [("RA902", "a.py"), ("RA902", "capture.har")]


# --------------------------------------------------------------------------- exemptions


def exemption(rule: str, path: str, expires: date, subject: str | None = None, line: int = 7) -> Exemption:
    return Exemption(
        rule=rule, path=path, reason="migration planned", owner="team-ml", expires=expires,
        subject=subject, source=".runai-audit.yaml", line=line, column=5,
    )


TODAY = date(2025, 6, 1)


def test_live_exemption_marks_matching_findings_only() -> None:
    findings = [
        finding("RA301", "legacy/jobs/train.yaml", 4, subject="run.ai/v2alpha1 TrainingWorkload"),
        finding("RA301", "legacy/jobs/train.yaml", 30, subject="run.ai/v1 Project"),  # subject glob misses
        finding("RA101", "legacy/jobs/train.yaml", 9),  # other rule
        finding("RA301", "current/train.yaml", 4, subject="run.ai/v2alpha1 TrainingWorkload"),  # other path
    ]
    ex = exemption("RA301", "legacy/**", date(2025, 6, 1), subject="run.ai/v2alpha1 *")  # last valid day
    out = apply_exemptions(findings, [ex], TODAY)
    assert [f.suppression for f in out] == [
        Suppression("exemption", "migration planned", "team-ml", "2025-06-01"),
        None,
        None,
        None,
    ]


def test_exact_subject_with_glob_characters() -> None:
    subject = "GET /v1/k8s/clusters/[id]/projects"
    ex = exemption("RA101", "a.py", date(2026, 1, 1), subject=subject)
    out = apply_exemptions([finding("RA101", "a.py", 1, subject=subject)], [ex], TODAY)
    assert out[0].suppression is not None and out[0].suppression.kind == "exemption"


def test_expired_exemption_stops_applying_and_warns() -> None:
    f = finding("RA101", "scripts/old.py", 12)
    ex = exemption("RA101", "scripts/*.py", date(2025, 5, 31), line=14)
    out = apply_exemptions([f], [ex], TODAY)
    assert out[0] == f
    assert out[1] == Finding(
        rule_id="RA903",
        severity=Severity.WARNING,
        status=Status.TOOL,
        message="Exemption for RA101 on 'scripts/*.py' (owner: team-ml) expired on 2025-05-31 and no longer "
        "applies; fix the findings or renew it.",
        subject="exemption RA101 on 'scripts/*.py'",
        replacement="none",
        location=Location(".runai-audit.yaml", 14, 5),
    )


def test_expired_exemption_from_pyproject_has_line_zero() -> None:
    ex = Exemption("RA301", "k8s/**", "r", "ops", date(2024, 1, 1), subject="run.ai/v1 *", source="pyproject.toml")
    out = apply_exemptions([], [ex], TODAY)
    assert [(f.rule_id, f.location, f.subject) for f in out] == [
        ("RA903", Location("pyproject.toml", 0, 0), "exemption RA301 on 'k8s/**' for 'run.ai/v1 *'")
    ]
    assert "(owner: ops)" in out[0].message


def test_inline_suppression_is_kept_over_an_exemption() -> None:
    inline = Suppression("inline", "own reason")
    f = replace(finding("RA101", "a.py", 1), suppression=inline)
    out = apply_exemptions([f], [exemption("RA101", "**", date(2026, 1, 1))], TODAY)
    assert out == [f]


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("scripts/*.py", "scripts/a.py", True),
        ("scripts/*.py", "scripts/sub/a.py", False),  # * stays inside one folder
        ("scripts/**/*.py", "scripts/a.py", True),  # **/ may be zero folders
        ("scripts/**/*.py", "scripts/x/y/a.py", True),
        ("**/*.yaml", "deep/er/k.yaml", True),
        ("**", "anything/at/all", True),
        ("legacy/**", "legacy/a/b", True),
        ("legacy/**", "legacy2/a", False),
        ("job?.sh", "job1.sh", True),
        ("job?.sh", "job/.sh", False),
        ("job[0-9].sh", "job7.sh", True),
        ("job[!0-9].sh", "job7.sh", False),
        ("a+b(c).py", "a+b(c).py", True),  # regex characters are literal
        ("a.py", "xa.py", False),
    ],
)
def test_glob_match(pattern: str, path: str, expected: bool) -> None:
    assert glob_match(pattern, path) is expected


def test_the_catalog_describes_the_tool_findings_with_the_severity_they_carry() -> None:
    from runai_audit.api import default_catalog

    rules = {rule.id: rule for rule in default_catalog().rules}
    emitted = {
        "RA901": apply_inline([], {"a.py": (Directive(1, (), "", 3, True),)})[0].severity,
        "RA902": apply_inline([], {"a.py": (Directive(1, (), "r", 3, True),)})[0].severity,
        "RA903": apply_exemptions([], [exemption("RA101", "a.py", date(2025, 1, 1))], TODAY)[0].severity,
    }
    assert {rule_id: rules[rule_id].severity for rule_id in emitted} == {k: v.value for k, v in emitted.items()}
    assert rules["RA904"].severity == "note"
