"""One catalog row, checked key by key, becomes a Rule; every mistake becomes `file:line: problem`.

Row schema (see docs/rules.md for the generated reference):

    - id: RA101                      # RA + family digit + two digits; permanent once shipped
      title: Legacy v1 projects API  # short: SARIF shortDescription
      description: one or two sentences
      match: {kind: endpoint, methods: [GET, POST], path: /v1/k8s/clusters/{clusterId}/projects}
      deprecated_in: "2.18"          # a known release, quoted; or null
      removed_in: null               # documented removal release, when known
      replacement: /api/v1/org-unit/projects   # or the word none
      docs: https://...              # optional
      sources: [...]                 # where the facts come from; at least one
      message / notes / severity / tags / overrides   # optional
      fix: safe | unsafe | {safety, to, reason, leaves, body}   # optional; see catalog.fixes
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import yaml

from runai_audit.knowledge.catalog.fixes import build_fix, check_fix
from runai_audit.knowledge.catalog.matchkinds import MATCH_KINDS, check_match
from runai_audit.knowledge.catalog.model import FAMILIES, Rule
from runai_audit.knowledge.catalog.releases import Releases
from runai_audit.knowledge.catalog.source import key_lines, line_of, repeated_keys, type_name, value_node

REQUIRED_KEYS = ("id", "title", "description", "match", "replacement", "sources")
OPTIONAL_KEYS = ("deprecated_in", "removed_in", "docs", "message", "notes", "severity", "overrides", "tags", "fix")
SEVERITIES = ("error", "warning", "note")
RULE_ID = re.compile(r"^RA[1-9]\d\d$")


class _RowProblems:
    """Collects problems for one row, each placed on the line of the key it concerns."""

    def __init__(self, origin: str, node: yaml.Node | None, label: str) -> None:
        self.origin, self.node, self.label = origin, node, label
        self.lines = key_lines(node)
        self.found: list[str] = []

    def add(self, key: str | None, text: str, line: int | None = None) -> None:
        where = line or (self.lines.get(key, line_of(self.node)) if key else line_of(self.node))
        self.found.append(f"{self.origin}:{where}: {self.label}{text}")


def _freeze(value: Any) -> Any:
    """Lists become tuples and mappings read-only, so a loaded rule cannot be changed."""
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    return value


def _label(data: Mapping[str, Any]) -> str:
    rule_id = data.get("id")
    valid = isinstance(rule_id, str) and RULE_ID.match(rule_id) and rule_id[2] in FAMILIES
    return f"{rule_id}: " if valid else ""


def _check_keys(data: Mapping[str, Any], problems: _RowProblems) -> None:
    for key, line in repeated_keys(problems.node):
        problems.add(None, f"key {key!r} is written twice", line)
    allowed = REQUIRED_KEYS + OPTIONAL_KEYS
    for key in data:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(allowed)}"
            problems.add(str(key), f"unknown key {key!r} ({hint})")
    for key in REQUIRED_KEYS:
        if key not in data:
            problems.add(None, f"missing key {key!r}")


def _check_id(data: Mapping[str, Any], problems: _RowProblems) -> None:
    rule_id = data.get("id")
    if "id" not in data:
        return
    if not isinstance(rule_id, str) or not RULE_ID.match(rule_id):
        shown = repr(rule_id) if isinstance(rule_id, str) else type_name(rule_id)
        problems.add("id", f"id {shown} must look like RA101 (RA, a family digit 1-9, two digits)")
    elif rule_id[2] not in FAMILIES:
        families = ", ".join(f"{d}xx {name}" for d, name in sorted(FAMILIES.items()))
        problems.add("id", f"id {rule_id} is in no rule family (families: {families})")


def _check_text(data: Mapping[str, Any], problems: _RowProblems) -> None:
    for key in ("title", "description", "replacement"):
        value = data.get(key, "?")
        if isinstance(value, str) and value.strip():
            continue
        hint = " (write the word none when there is no replacement)" if key == "replacement" else ""
        what = "must not be empty" if isinstance(value, str) else f"must be a string, not {type_name(value)}"
        problems.add(key, f"{key} {what}{hint}")
    if isinstance(data.get("title"), str) and "\n" in data["title"].strip():
        problems.add("title", "title must fit on one line")
    for key in ("message", "notes"):
        if data.get(key) is not None and not isinstance(data[key], str):
            problems.add(key, f"{key} must be a string, not {type_name(data[key])}")
    docs = data.get("docs")
    if docs is not None and not (isinstance(docs, str) and re.match(r"^https?://\S+$", docs)):
        problems.add("docs", f"docs must be an http(s) URL, not {docs!r}")
    severity = data.get("severity")
    if severity is not None and severity not in SEVERITIES:
        problems.add("severity", f"severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")


def _check_lists(data: Mapping[str, Any], problems: _RowProblems) -> None:
    if "sources" in data:
        sources = data["sources"]
        if not isinstance(sources, list):
            problems.add("sources", f"sources must be a list of strings, not {type_name(sources)}")
        elif not sources:
            problems.add("sources", "sources must list at least one source")
        elif not all(isinstance(s, str) and s.strip() for s in sources):
            problems.add("sources", "every source must be a non-empty string")
    tags = data.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        problems.add("tags", "tags must be a list of strings")


def _check_versions(data: Mapping[str, Any], releases: Releases, problems: _RowProblems) -> None:
    known = True
    for key in ("deprecated_in", "removed_in"):
        version = data.get(key)
        if version is None:
            continue
        if not isinstance(version, str):
            problems.add(key, f"{key} must be a quoted string such as \"2.20\", not {type_name(version)}")
            known = False
        elif version not in releases:
            problems.add(key, f"{key} {version!r} is not a known release (known: {', '.join(releases.versions)})")
            known = False
    deprecated, removed = data.get("deprecated_in"), data.get("removed_in")
    if known and isinstance(deprecated, str) and isinstance(removed, str) and releases.compare(removed, deprecated) <= 0:
        problems.add("removed_in", f"removed_in {removed} must come after deprecated_in {deprecated}")


def _check_match(data: Mapping[str, Any], problems: _RowProblems) -> None:
    if "match" not in data:
        return
    match, node = data["match"], value_node(problems.node, "match")
    if not isinstance(match, dict):
        problems.add("match", f"match must be a mapping with a kind, not {type_name(match)}")
        return
    kind_name = match.get("kind")
    kind = MATCH_KINDS.get(kind_name) if isinstance(kind_name, str) else None
    match_lines = key_lines(node)
    if kind is None:
        known = ", ".join(sorted(MATCH_KINDS))
        text = f"unknown match kind {kind_name!r}" if "kind" in match else "match has no kind"
        problems.add("match", f"{text} (known: {known})", match_lines.get("kind"))
        return
    for name, line in repeated_keys(node):
        problems.add(None, f"key match.{name} is written twice", line)
    for key, problem in check_match(kind, match):
        problems.add("match", problem, match_lines.get(key) if key else None)


def _check_fix(data: Mapping[str, Any], problems: _RowProblems) -> None:
    match = data.get("match")
    if "fix" not in data or not isinstance(match, dict):
        return
    for problem in check_fix(data["fix"], str(match.get("kind")), match):
        problems.add("fix", problem)


def _check_overrides(data: Mapping[str, Any], user: bool, problems: _RowProblems) -> None:
    overrides = data.get("overrides")
    if overrides is None:
        return
    if not user:
        problems.add("overrides", "overrides is only for user rule files (--rules)")
    elif overrides != data.get("id"):
        problems.add("overrides", f"overrides must repeat the row's own id ({data.get('id')!r}), not {overrides!r}")


def parse_row(data: Any, node: yaml.Node | None, origin: str, releases: Releases, *, user: bool) -> tuple[Rule | None, list[str]]:
    """A validated Rule, or None and the list of problems (never both a rule and problems)."""
    if not isinstance(data, dict):
        return None, [f"{origin}:{line_of(node)}: each rule must be a mapping (- id: RA101 ...), not {type_name(data)}"]
    problems = _RowProblems(origin, node, _label(data))
    _check_keys(data, problems)
    _check_id(data, problems)
    _check_text(data, problems)
    _check_lists(data, problems)
    _check_versions(data, releases, problems)
    _check_match(data, problems)
    _check_overrides(data, user, problems)
    if not problems.found:
        _check_fix(data, problems)  # only once the match itself is sound
    if problems.found:
        return None, problems.found
    match = dict(data["match"])
    kind = match.pop("kind")
    rule = Rule(
        id=data["id"],
        title=data["title"].strip(),
        description=" ".join(data["description"].split()),
        match_kind=kind,
        match=_freeze(match),
        replacement=data["replacement"].strip(),
        sources=tuple(data["sources"]),
        deprecated_in=data.get("deprecated_in"),
        removed_in=data.get("removed_in"),
        docs_url=data.get("docs"),
        message=" ".join(data["message"].split()) if data.get("message") else None,
        severity=data.get("severity"),
        origin=f"{origin}:{line_of(node)}",
        overrides=data.get("overrides"),
        notes=" ".join(data["notes"].split()) if data.get("notes") else None,
        tags=tuple(data.get("tags") or ()),
        fix=build_fix(data["fix"]) if "fix" in data else None,
    )
    return rule, []
