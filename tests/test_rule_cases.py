"""Every case in tests/cases/RAxxx.yaml, run through the public scan_text entry point.

A case is a small file (its name picks the scanner) and the exact (line, column) of every
finding it must produce for its own rule; `expect: []` means the rule must stay silent. Other
rules may fire on the same code; only the case's rule is compared. Ids read "RA101::name".
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

CASES_DIR = Path(__file__).parent / "cases"
AS_OF = "2026-11-28"  # a fixed "today", so sunsets never move under the tests
DEFAULT_OPTIONS = {"target": "2.24", "deployment": "self-hosted"}
CASE_KEYS = {"name", "file", "code", "expect", "options"}
OPTION_KEYS = set(DEFAULT_OPTIONS)


def case_files() -> list[Path]:
    return sorted(CASES_DIR.glob("*.yaml"))


def read_case_file(path: Path) -> dict[str, Any]:
    """The parsed file, checked just enough that a malformed case fails loudly by name."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and set(data) == {"rule", "cases"}, f"{path.name}: needs exactly rule and cases"
    assert data["rule"] == path.stem, f"{path.name}: rule {data['rule']!r} must match the file name"
    assert isinstance(data["cases"], list) and data["cases"], f"{path.name}: cases must be a non-empty list"
    for case in data["cases"]:
        assert isinstance(case, dict) and {"name", "file", "code", "expect"} <= set(case) <= CASE_KEYS, (
            f"{path.name}: every case needs name, file, code and expect (options optional): {case!r}"
        )
        assert set(case.get("options") or {}) <= OPTION_KEYS, f"{path.name}::{case['name']}: unknown option"
        assert all(isinstance(p, list) and len(p) == 2 for p in case["expect"]), (
            f"{path.name}::{case['name']}: expect is a list of [line, column] pairs"
        )
    return data


def _params() -> Iterator[Any]:
    for path in case_files():
        data = read_case_file(path)
        for case in data["cases"]:
            yield pytest.param(data["rule"], case, id=f"{data['rule']}::{case['name']}")


def _scan_text() -> Callable[..., list[Any]]:
    """The entry point under test; its absence is a failure, never a skip."""
    try:
        module = importlib.import_module("runai_audit.api")
    except ImportError as exc:
        pytest.fail(f"runai_audit.api cannot be imported, so no rule case can run: {exc}")
    scan_text = getattr(module, "scan_text", None)
    if scan_text is None:
        pytest.fail("runai_audit.api.scan_text is missing, so no rule case can run")
    return scan_text  # type: ignore[no-any-return]


def _describe(findings: list[Any]) -> str:
    return "\n".join(
        f"  {f.rule_id} {f.location.line}:{f.location.column} {f.message}" for f in findings
    ) or "  (no findings at all)"


@pytest.mark.parametrize(("rule_id", "case"), list(_params()))
def test_rule_case(rule_id: str, case: dict[str, Any]) -> None:
    options = {**DEFAULT_OPTIONS, **(case.get("options") or {})}
    findings = _scan_text()(
        case["code"], case["file"], target=options["target"], deployment=options["deployment"], as_of=AS_OF
    )
    got = sorted([f.location.line, f.location.column] for f in findings if f.rule_id == rule_id)
    assert got == sorted(case["expect"]), (
        f"{rule_id}::{case['name']}: expected {rule_id} at {sorted(case['expect'])}, got {got}.\n"
        f"All findings:\n{_describe(findings)}"
    )
