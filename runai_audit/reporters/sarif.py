"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers.

One run; the driver lists every catalog rule so viewers can show rule help even for rules with
no result. Suppressed findings stay in the log with a `suppressions` entry, which is how SARIF
viewers (GitHub included) know to show them as dismissed rather than drop them.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from runai_audit.knowledge.catalog.docs import rule_anchor
from runai_audit.models import Finding, Location, Report, RuleInfo
from runai_audit.reporters.common import ordered, related_text, with_replacement
from runai_audit.reporters.levels import sarif_level

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/runai-audit/runai-audit"
# Every rule has a section in the generated rule reference; a rule without its own docs link
# points there, so each rule in a SARIF viewer has a help link.
RULES_REFERENCE_URI = f"{INFORMATION_URI}/blob/main/docs/rules.md"
FINGERPRINT_KEY = "runaiAudit/v1"

# Suppression kinds in our model -> SARIF suppression.kind.
_SUPPRESSION_KIND = {"inline": "inSource"}


def _rule_name(title: str) -> str:
    """SARIF `name` is an identifier-like word: "Deprecated endpoint" -> "DeprecatedEndpoint"."""
    words = re.findall(r"[A-Za-z0-9]+", title)
    return "".join(w[:1].upper() + w[1:] for w in words) or "Rule"


def _descriptor(rule: RuleInfo) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": rule.id,
        "name": _rule_name(rule.title),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.description or rule.title},
        "defaultConfiguration": {"level": "warning"},
        "properties": {"tags": ["runai", rule.family], "family": rule.family},
    }
    known = rule.family != "unknown"
    out["helpUri"] = rule.docs_url or (
        f"{RULES_REFERENCE_URI}#{rule_anchor(rule.id, rule.title)}" if known else RULES_REFERENCE_URI
    )
    help_lines = [rule.description or rule.title]
    help_lines += [f"Source: {s}" for s in rule.sources]
    out["help"] = {"text": "\n".join(help_lines)}
    return out


def _rules(report: Report) -> list[RuleInfo]:
    """Catalog rules, plus a minimal entry for any rule id a finding uses that the catalog
    list lacks, so every result's ruleIndex is valid."""
    known = {r.id: r for r in report.rules}
    for f in report.findings:
        if f.rule_id not in known:
            known[f.rule_id] = RuleInfo(id=f.rule_id, title=f.rule_id, description="", family="unknown")
    return sorted(known.values(), key=lambda r: r.id)


def artifact_uri(path: str) -> str:
    """A relative URI reference for a scan-root-relative POSIX path (spaces, <, > encoded)."""
    return quote(path, safe="/-._~!$&'()*+,;=:@")


def _location(f: Finding) -> dict[str, Any]:
    return _physical(f.location)


def _physical(loc: Location) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": loc.line or 1}
    if loc.line and loc.column:
        region["startColumn"] = loc.column
    physical: dict[str, Any] = {
        "artifactLocation": {"uri": artifact_uri(loc.path), "uriBaseId": "%SRCROOT%"},
        "region": region,
    }
    if loc.pointer:
        physical["properties"] = {"jsonPointer": loc.pointer}
    return {"physicalLocation": physical}


def _fixes(f: Finding) -> list[dict[str, Any]]:
    """SARIF fix objects (on reports of `runai-audit fix`), so code scanning can show the change."""
    if f.fix is None or not f.fix.edits:
        return []
    replacements = [
        {
            "deletedRegion": {"startLine": e.start_line, "startColumn": e.start_column,
                              "endLine": e.end_line, "endColumn": e.end_column},
            "insertedContent": {"text": e.text},
        }
        for e in f.fix.edits
    ]
    change = {
        "artifactLocation": {"uri": artifact_uri(f.location.path), "uriBaseId": "%SRCROOT%"},
        "replacements": replacements,
    }
    text = f"{f.fix.safety} fix: {f.fix.replacement_text}"
    return [{"description": {"text": text}, "artifactChanges": [change]}]


def _properties(f: Finding) -> dict[str, Any]:
    props: dict[str, Any] = {
        "status": f.status.value,
        "severity": f.severity.value,
        "subject": f.subject,
        "replacement": f.replacement,
        "confidence": f.confidence.value,
        "context": f.context,
    }
    for key, value in (
        ("deprecatedIn", f.deprecated_in),
        ("removedIn", f.removed_in),
        ("breaksIn", f.breaks_in),
        ("sunset", f.sunset),
    ):
        if value:
            props[key] = value
    if f.usage is not None:
        props["usageCount"] = f.usage.count
    return props


def _result(f: Finding, rule_index: int) -> dict[str, Any]:
    text = with_replacement(f.message, f.replacement)
    result: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index,
        "level": sarif_level(f.severity),
        "message": {"text": text},
        "locations": [_location(f)],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint},
        "properties": _properties(f),
    }
    if f.related:
        result["relatedLocations"] = [
            {"id": i, **_physical(r.location), "message": {"text": related_text(r.role)}}
            for i, r in enumerate(f.related, start=1)
        ]
    if fixes := _fixes(f):
        result["fixes"] = fixes
    if f.suppression is not None:
        s = f.suppression
        suppression: dict[str, Any] = {
            "kind": _SUPPRESSION_KIND.get(s.kind, "external"),
            "status": "accepted",
            "justification": s.reason or f"{s.kind} suppression",
            "properties": {"source": s.kind},
        }
        if s.owner:
            suppression["properties"]["owner"] = s.owner
        if s.expires:
            suppression["properties"]["expires"] = s.expires
        result["suppressions"] = [suppression]
    return result


def to_sarif(report: Report) -> dict[str, Any]:
    rules = _rules(report)
    index = {r.id: i for i, r in enumerate(rules)}
    prov = report.provenance
    notifications = [
        {
            "level": "warning",
            "message": {"text": f"{e.path}: {e.reason}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": artifact_uri(e.path), "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": e.line or 1},
                    }
                }
            ],
        }
        for e in report.coverage.errors
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": prov.tool_name,
                        "version": prov.tool_version,
                        "informationUri": INFORMATION_URI,
                        "rules": [_descriptor(r) for r in rules],
                    }
                },
                "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": notifications}],
                "originalUriBaseIds": {
                    "%SRCROOT%": {"description": {"text": "The repository root: result paths are relative to it."}}
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index[f.rule_id]) for f in ordered(report.findings)],
                "properties": {
                    "target": {
                        "deployment": report.target.deployment,
                        "version": report.target.version,
                        "asOf": report.target.as_of,
                    },
                    "catalogVersion": prov.catalog_version,
                    "specVersions": list(prov.spec_versions),
                    "specSource": prov.spec_source,
                },
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"
