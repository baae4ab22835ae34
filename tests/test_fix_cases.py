"""Property over the rule case files (tests/cases): for every case of a rule with an automatic
fix that expects findings, the fixed text still loads as its kind and re-scans clean of that
rule. Safe and unsafe fixes alike; the only cases allowed to stay unfixed are the ones listed,
each with the reason the planner gives."""

from __future__ import annotations

from typing import Any

import pytest

from runai_audit.api import default_catalog, scan_text
from runai_audit.fix.plan import Selection, fix_text
from runai_audit.fix.verify import syntax_problem
from tests.test_rule_cases import AS_OF, DEFAULT_OPTIONS, case_files, read_case_file

RULES = {r.id: r for r in default_catalog().rules}
# An apptoken call whose body is not written next to it: the URL alone is not rewritten.
NOT_FIXED = {
    "RA502::fail_py_multiline_post": "the body field id was not found next to the URL",
    "RA502::fail_sh_multiline_post": "the body field id was not found next to the URL",
}


def _cases() -> list[Any]:
    out = []
    for path in case_files():
        data = read_case_file(path)
        rule = RULES[data["rule"]]
        if rule.fix is None or not rule.fix.automatic or rule.match_kind == "crd":
            continue
        for case in data["cases"]:
            if case["expect"]:
                out.append(pytest.param(rule.id, case, id=f"{rule.id}::{case['name']}"))
    return out


CASES = _cases()


def test_the_property_covers_every_fix_kind() -> None:
    kinds = {RULES[p.values[0]].match_kind for p in CASES}
    assert kinds == {"cli", "metric", "body_field", "enum_value", "endpoint"}
    assert len(CASES) >= 100
    assert sum(1 for p in CASES if RULES[p.values[0]].fix.safety == "safe") >= 80  # type: ignore[union-attr]


@pytest.mark.parametrize(("rule_id", "case"), CASES)
def test_fixed_case_loads_and_rescans_clean(rule_id: str, case: dict[str, Any]) -> None:
    options = {**DEFAULT_OPTIONS, **(case.get("options") or {})}
    scan = {"target": options["target"], "deployment": options["deployment"], "as_of": AS_OF}
    findings = scan_text(case["code"], case["file"], **scan)
    fixed, plan = fix_text(case["file"], case["code"], findings, RULES, Selection(select=(rule_id,), unsafe=True))
    outcomes = [o for o in plan.outcomes if o.finding.rule_id == rule_id]
    assert outcomes, f"{rule_id}::{case['name']}: no finding of the rule to fix"
    key = f"{rule_id}::{case['name']}"
    if key in NOT_FIXED:
        assert [(o.status, o.reason) for o in outcomes] == [("failed", NOT_FIXED[key])] * len(outcomes)
        assert fixed == case["code"]
        return
    assert {o.status for o in outcomes} == {"fixed"}, [(o.status, o.reason) for o in outcomes]
    assert fixed != case["code"]
    if syntax_problem(case["file"], case["code"]) is None:
        assert syntax_problem(case["file"], fixed) is None
    left = [(f.location.line, f.location.column) for f in scan_text(fixed, case["file"], **scan) if f.rule_id == rule_id]
    assert left == [], f"{key}: still reported at {left}:\n{fixed}"
