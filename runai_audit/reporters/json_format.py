"""The JSON report: the stable machine contract (schema_version 1), and its inverse.

`render` writes every field a consumer needs; `load_report_json` reads it back into a Report
so per-repository results can be merged into one estate report. Keys are only ever added,
never renamed, within one schema version.
"""

from __future__ import annotations

import json
from typing import Any

from runai_audit.models import (
    Confidence,
    Coverage,
    Finding,
    FixSuggestion,
    InputProblem,
    Location,
    Provenance,
    RelatedLocation,
    Report,
    RuleInfo,
    Severity,
    SkippedFile,
    Status,
    Suppression,
    Target,
    UnknownHost,
    Usage,
)
from runai_audit.reporters.common import ordered

SCHEMA_VERSION = 1
EXTRA_SECTIONS = ("upgrade", "history", "repositories")


def _suppression(s: Suppression | None) -> dict[str, str] | None:
    if s is None:
        return None
    return {"kind": s.kind, "reason": s.reason, "owner": s.owner, "expires": s.expires}


def _usage(u: Usage | None) -> dict[str, Any] | None:
    if u is None:
        return None
    return {
        "count": u.count,
        "first_seen": u.first_seen,
        "last_seen": u.last_seen,
        "callers": list(u.callers),
    }


def _fix(f: Finding) -> dict[str, Any]:
    """Only on reports of `runai-audit fix`: how the finding is (or is not) fixed."""
    assert f.fix is not None
    out: dict[str, Any] = {"safety": f.fix.safety, "replacement_text": f.fix.replacement_text, "status": f.fix.status}
    if f.fix.note:
        out["note"] = f.fix.note
    return out


def finding_to_dict(f: Finding) -> dict[str, Any]:
    loc = f.location
    data = {
        "rule_id": f.rule_id,
        "severity": f.severity.value,
        "status": f.status.value,
        "message": f.message,
        "subject": f.subject,
        "replacement": f.replacement,
        "location": {"path": loc.path, "line": loc.line, "column": loc.column, "pointer": loc.pointer},
        "fingerprint": f.fingerprint,
        "suppressed": f.suppressed,
        "suppression": _suppression(f.suppression),
        "confidence": f.confidence.value,
        "context": f.context,
        "deprecated_in": f.deprecated_in,
        "removed_in": f.removed_in,
        "sunset": f.sunset,
        "breaks_in": f.breaks_in,
        "sources": list(f.sources),
        "docs_url": f.docs_url,
        "evidence": f.evidence,
        "snippet": f.snippet,
        "usage": _usage(f.usage),
        "related": [
            {"path": r.location.path, "line": r.location.line, "column": r.location.column, "role": r.role}
            for r in f.related
        ],
    }
    if f.fix is not None:
        data["fix"] = _fix(f)
    return data


def report_to_dict(report: Report) -> dict[str, Any]:
    counts = report.counts()
    cov = report.coverage
    prov = report.provenance
    data: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": prov.tool_name, "version": prov.tool_version},
        "target": {
            "deployment": report.target.deployment,
            "version": report.target.version,
            "as_of": report.target.as_of,
        },
        "summary": {
            **counts,
            "files_scanned": cov.files_scanned,
            "suppressed": sum(1 for f in report.findings if f.suppressed),
        },
        "fail_on": report.fail_on,
        "findings": [finding_to_dict(f) for f in ordered(report.findings)],
        "coverage": {
            "files_scanned": cov.files_scanned,
            "files_skipped": [{"path": s.path, "reason": s.reason} for s in cov.files_skipped],
            "errors": [{"path": e.path, "reason": e.reason, "line": e.line} for e in cov.errors],
            "traffic_entries": cov.traffic_entries,
            "traffic_unmatched": cov.traffic_unmatched,
            "notes": list(cov.notes),
            # Run:ai-shaped calls to hosts nobody named: not judged, listed so a self-hosted
            # estate never looks clean by accident (--host or `hosts:` makes them findings).
            "unknown_hosts": [
                {"host": h.host, "calls": h.calls, "locations": list(h.locations)} for h in cov.unknown_hosts
            ],
        },
        "provenance": {
            "catalog_version": prov.catalog_version,
            "spec_versions": list(prov.spec_versions),
            "spec_source": prov.spec_source,
        },
        "rules": [
            {
                "id": r.id,
                "title": r.title,
                "description": r.description,
                "family": r.family,
                "docs_url": r.docs_url,
                "sources": list(r.sources),
            }
            for r in report.rules
        ],
        "releases": [{"version": v, "date": d} for v, d in report.releases],
    }
    # Sections some commands attach (upgrade plan, scan history, estate repositories), already plain JSON.
    for key in EXTRA_SECTIONS:
        if key in report.extras:
            data[key] = report.extras[key]
    return data


def render(report: Report) -> str:
    return json.dumps(report_to_dict(report), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- reading back


class _Reader:
    """Typed access to one JSON object, naming the exact place of any mistake."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise ValueError(f"{where}: expected an object, got {type(data).__name__}")
        self.data: dict[str, Any] = data
        self.where = where

    def _get(self, key: str, kinds: tuple[type, ...], optional: bool) -> Any:
        if key not in self.data:
            if optional:
                return None
            raise ValueError(f"{self.where}: missing key {key!r}")
        value = self.data[key]
        if value is None and optional:
            return None
        # bool is an int in Python; a count must not be true/false.
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            names = "/".join(k.__name__ for k in kinds)
            raise ValueError(f"{self.where}.{key}: expected {names}, got {type(value).__name__}")
        return value

    def string(self, key: str) -> str:
        return str(self._get(key, (str,), False))

    def opt_string(self, key: str) -> str | None:
        value = self._get(key, (str,), True)
        return None if value is None else str(value)

    def integer(self, key: str) -> int:
        return int(self._get(key, (int,), False))

    def strings(self, key: str) -> tuple[str, ...]:
        items = self._get(key, (list,), True) or []
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise ValueError(f"{self.where}.{key}[{i}]: expected str")
        return tuple(items)

    def obj(self, key: str) -> _Reader:
        return _Reader(self._get(key, (dict,), False), f"{self.where}.{key}")

    def opt_obj(self, key: str) -> _Reader | None:
        value = self._get(key, (dict,), True)
        return None if value is None else _Reader(value, f"{self.where}.{key}")

    def objs(self, key: str) -> list[_Reader]:
        items = self._get(key, (list,), True) or []
        return [_Reader(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(items)]

    def enum(self, key: str, kind: type[Severity] | type[Status] | type[Confidence]) -> Any:
        value = self.string(key)
        try:
            return kind(value)
        except ValueError:
            valid = ", ".join(m.value for m in kind)
            raise ValueError(f"{self.where}.{key}: {value!r} is not one of {valid}") from None


def _finding(r: _Reader) -> Finding:
    loc = r.obj("location")
    sup = r.opt_obj("suppression")
    use = r.opt_obj("usage")
    return Finding(
        rule_id=r.string("rule_id"),
        severity=r.enum("severity", Severity),
        status=r.enum("status", Status),
        message=r.string("message"),
        subject=r.string("subject"),
        replacement=r.string("replacement"),
        location=Location(
            loc.string("path"), loc.integer("line"), loc.integer("column"), loc.string("pointer")
        ),
        evidence=r.string("evidence"),
        deprecated_in=r.opt_string("deprecated_in"),
        removed_in=r.opt_string("removed_in"),
        sunset=r.opt_string("sunset"),
        sources=r.strings("sources"),
        docs_url=r.opt_string("docs_url"),
        confidence=r.enum("confidence", Confidence),
        context=r.opt_string("context") or "code",
        fingerprint=r.string("fingerprint"),
        usage=None
        if use is None
        else Usage(
            use.integer("count"),
            use.opt_string("first_seen"),
            use.opt_string("last_seen"),
            use.strings("callers"),
        ),
        snippet=r.opt_string("snippet"),
        suppression=None
        if sup is None
        else Suppression(
            sup.string("kind"), sup.string("reason"), sup.string("owner"), sup.string("expires")
        ),
        breaks_in=r.opt_string("breaks_in"),
        related=tuple(
            RelatedLocation(Location(rel.string("path"), rel.integer("line"), rel.integer("column")), rel.string("role"))
            for rel in r.objs("related")
        ),
        fix=_read_fix(r.opt_obj("fix")),
    )


def _read_fix(r: _Reader | None) -> FixSuggestion | None:
    if r is None:
        return None
    return FixSuggestion(r.string("safety"), r.string("replacement_text"), note=r.opt_string("note") or "",
                         status=r.opt_string("status") or "manual")


def load_report_json(text: str) -> Report:
    """Read a JSON report back. Raises ValueError naming the key when the text is not one."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:  # a planted [[[[...]]]]: the parser's recursion limit, not ours to crash on
        raise ValueError("not a report: JSON nested too deeply") from None
    root = _Reader(data, "report")
    version = root.integer("schema_version")
    if version != SCHEMA_VERSION:
        raise ValueError(
            f"report.schema_version: {version} is not supported (this tool reads {SCHEMA_VERSION})"
        )
    tool, target, cov, prov = (
        root.obj("tool"),
        root.obj("target"),
        root.obj("coverage"),
        root.obj("provenance"),
    )
    return Report(
        target=Target(target.string("deployment"), target.string("version"), target.string("as_of")),
        provenance=Provenance(
            tool_name=tool.string("name"),
            tool_version=tool.string("version"),
            catalog_version=prov.string("catalog_version"),
            spec_versions=prov.strings("spec_versions"),
            spec_source=prov.string("spec_source"),
        ),
        findings=tuple(_finding(f) for f in root.objs("findings")),
        coverage=Coverage(
            files_scanned=cov.integer("files_scanned"),
            files_skipped=tuple(
                SkippedFile(s.string("path"), s.string("reason")) for s in cov.objs("files_skipped")
            ),
            errors=tuple(
                InputProblem(e.string("path"), e.string("reason"), e.integer("line"))
                for e in cov.objs("errors")
            ),
            traffic_entries=cov.integer("traffic_entries"),
            traffic_unmatched=cov.integer("traffic_unmatched"),
            notes=cov.strings("notes"),
            unknown_hosts=tuple(
                UnknownHost(h.string("host"), h.integer("calls"), h.strings("locations"))
                for h in cov.objs("unknown_hosts")
            ),
        ),
        rules=tuple(
            RuleInfo(
                id=r.string("id"),
                title=r.string("title"),
                description=r.string("description"),
                family=r.string("family"),
                docs_url=r.opt_string("docs_url"),
                sources=r.strings("sources"),
            )
            for r in root.objs("rules")
        ),
        fail_on=root.opt_string("fail_on") or "error",
        releases=tuple((r.string("version"), r.string("date")) for r in root.objs("releases")),
    )
