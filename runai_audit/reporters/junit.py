"""JUnit XML for GitLab test reports, Jenkins and anything else that reads it.

One testcase per (rule, file): the test "RA101 in scripts/sync.py" fails when that file has a
finding of that rule at or above the fail-on level. Findings below it, and suppressed ones,
leave the test passing and are listed in its system-out so they are still seen.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from runai_audit.models import Finding, Report
from runai_audit.reporters.common import ordered, suppression_label
from runai_audit.reporters.levels import fails_gate
from runai_audit.safetext import neutralise

# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str) -> str:
    """XML-safe, and no bidi override reordering what a CI page shows."""
    return neutralise(_NOT_XML.sub("\ufffd", text), keep="\t\n\r")


def finding_line(f: Finding) -> str:
    """`path:line:col: RA101 severity message`, with the suppression in brackets."""
    line = f"{f.location}: {f.rule_id} {f.severity.value} {f.message}"
    if f.usage is not None:
        line += f" ({f.usage.count} calls)"
    if f.suppression is not None:
        line += f" [suppressed: {suppression_label(f.suppression)}]"
    return _clean(line)


def _testcase(rule_id: str, path: str, findings: list[Finding], fail_on: str) -> ET.Element:
    case = ET.Element(
        "testcase", {"classname": rule_id, "name": _clean(f"{rule_id} in {path}"), "file": _clean(path)}
    )
    failing = [f for f in findings if fails_gate(f, fail_on)]
    passing = [f for f in findings if not fails_gate(f, fail_on)]
    if failing:
        first = failing[0]
        failure = ET.SubElement(
            case,
            "failure",
            {
                "message": _clean(f"{len(failing)} x {first.rule_id}: {first.subject}"),
                "type": first.severity.value,
            },
        )
        failure.text = "\n".join(finding_line(f) for f in failing) + "\n"
    if passing:
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(finding_line(f) for f in passing) + "\n"
    return case


def render(report: Report) -> str:
    groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in ordered(report.findings):
        groups[(f.rule_id, f.location.path)].append(f)
    cases = [_testcase(rule, path, found, report.fail_on) for (rule, path), found in sorted(groups.items())]
    failures = sum(1 for c in cases if c.find("failure") is not None)
    attrs = {
        "name": "runai-audit",
        "tests": str(len(cases)),
        "failures": str(failures),
        "errors": "0",
        "skipped": "0",
    }
    root = ET.Element("testsuites", attrs)
    suite = ET.SubElement(root, "testsuite", attrs)
    props = ET.SubElement(suite, "properties")
    target = report.target
    for name, value in (
        ("target", f"{target.deployment} {target.version}"),
        ("as_of", target.as_of),
        ("fail_on", report.fail_on),
        ("tool_version", report.provenance.tool_version),
    ):
        ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
    suite.extend(cases)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
