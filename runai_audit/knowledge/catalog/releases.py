"""Run:ai releases in order, their dates, and the deprecation policy (rules/releases.yaml).

The lifecycle arithmetic ("deprecated in N, removable from N+3") needs the releases as an
ordered list and their dates; this module loads and checks them and answers those questions.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from runai_audit.knowledge.catalog.source import (
    CatalogError,
    items,
    key_lines,
    line_of,
    parse_yaml,
    type_name,
    value_node,
)

GA_BASES = ("documented", "derived", "proxy", "secondary", "unknown")
_VERSION = re.compile(r"^\d+\.\d+$")


def version_key(version: str) -> tuple[int, ...]:
    """"2.9" < "2.10" < "3.0": versions compare as numbers, part by part."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        raise ValueError(f"{version!r} is not a release version such as 2.20") from None


@dataclass(frozen=True)
class Release:
    version: str
    ga: dt.date | None  # general availability, when known or derivable
    ga_basis: str  # one of GA_BASES: how `ga` was obtained
    sources: tuple[str, ...]
    ga_note: str = ""
    end_of_full_support: dt.date | None = None
    end_of_extended_support: dt.date | None = None


@dataclass(frozen=True)
class Policy:
    """The published deprecation policy, as numbers the lifecycle can use plus its wording."""

    supported_releases_after_deprecation: int  # self-hosted: deprecated in N, supported in N+1..N+k
    saas_grace_months: int  # SaaS: deprecation date + this many months
    self_hosted_rule: str
    saas_rule: str
    sources: tuple[str, ...]
    support_lifecycle: tuple[str, ...] = ()  # how long each release line is supported, in words


@dataclass(frozen=True)
class Releases:
    releases: tuple[Release, ...]
    policy: Policy
    catalog_version: str
    _index: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._index.update({r.version: i for i, r in enumerate(self.releases)})

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(r.version for r in self.releases)

    def __contains__(self, version: object) -> bool:
        return version in self._index

    def index(self, version: str) -> int:
        try:
            return self._index[version]
        except KeyError:
            raise KeyError(f"unknown release {version!r} (known: {', '.join(self.versions)})") from None

    def get(self, version: str) -> Release:
        return self.releases[self.index(version)]

    def offset(self, version: str, n: int) -> str | None:
        """The release n steps after (or before, n < 0) `version`; None past either end."""
        i = self.index(version) + n
        return self.releases[i].version if 0 <= i < len(self.releases) else None

    def date_of(self, version: str) -> dt.date | None:
        return self.get(version).ga

    def compare(self, a: str, b: str) -> int:
        """-1, 0 or 1, numerically, so it also orders versions the list does not hold."""
        ka, kb = version_key(a), version_key(b)
        return (ka > kb) - (ka < kb)

    def resolve(self, version: str) -> str:
        """A user's "v2.20" or "2.20.5" as the known release "2.20"; KeyError when unknown."""
        text = version.strip().lstrip("vV")
        if text not in self._index and re.match(r"^\d+\.\d+\.\d+$", text):
            text = text.rsplit(".", 1)[0]
        self.index(text)
        return text


# --------------------------------------------------------------------------- loading


class _Problems:
    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.found: list[str] = []

    def add(self, line: int, text: str) -> None:
        self.found.append(f"{self.origin}:{line}: {text}")


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and value and all(isinstance(s, str) and s.strip() for s in value):
        return tuple(value)
    return None


def _date(value: Any) -> dt.date | str | None:
    """A date, None, or the problem text."""
    if value is None or isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return f"must be an ISO date (YYYY-MM-DD), not {value!r}"


def _check_keys(data: dict[str, Any], node: yaml.Node | None, allowed: set[str], required: set[str],
                where: str, problems: _Problems) -> None:
    lines = key_lines(node)
    for key in data:
        if key not in allowed:
            problems.add(lines.get(str(key), line_of(node)), f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(allowed))})")
    for key in sorted(required - set(data)):
        problems.add(line_of(node), f"{where}: missing key {key!r}")


def _release(data: Any, node: yaml.Node | None, problems: _Problems) -> Release | None:
    if not isinstance(data, dict):
        problems.add(line_of(node), f"a release must be a mapping, not {type_name(data)}")
        return None
    version = data.get("version")
    where = f"release {version}" if isinstance(version, str) else "release"
    allowed = {"version", "ga", "ga_basis", "ga_note", "end_of_full_support", "end_of_extended_support", "sources"}
    _check_keys(data, node, allowed, {"version", "ga", "ga_basis", "sources"}, where, problems)
    lines = key_lines(node)
    before = len(problems.found)
    if not isinstance(version, str) or not _VERSION.match(version):
        problems.add(lines.get("version", line_of(node)), f"{where}: version must be a quoted string such as \"2.20\", not {type_name(version) if not isinstance(version, str) else repr(version)}")
    dates: dict[str, dt.date | None] = {}
    for key in ("ga", "end_of_full_support", "end_of_extended_support"):
        parsed = _date(data.get(key))
        if isinstance(parsed, str):
            problems.add(lines.get(key, line_of(node)), f"{where}: {key} {parsed}")
        else:
            dates[key] = parsed
    basis = data.get("ga_basis")
    if basis not in GA_BASES:
        problems.add(lines.get("ga_basis", line_of(node)), f"{where}: ga_basis must be one of {', '.join(GA_BASES)}")
    elif (basis == "unknown") != (data.get("ga") is None):
        problems.add(lines.get("ga_basis", line_of(node)), f"{where}: ga_basis is 'unknown' exactly when ga is empty")
    sources = _strings(data.get("sources"))
    if sources is None and "sources" in data:
        problems.add(lines.get("sources", line_of(node)), f"{where}: sources must be a non-empty list of strings")
    if len(problems.found) > before or sources is None:
        return None
    return Release(
        version=str(version), ga=dates["ga"], ga_basis=str(basis), sources=sources,
        ga_note=str(data.get("ga_note") or ""),
        end_of_full_support=dates["end_of_full_support"],
        end_of_extended_support=dates["end_of_extended_support"],
    )


def _policy_part(data: dict[str, Any], node: yaml.Node | None, key: str, number_key: str,
                 problems: _Problems) -> tuple[int, str, tuple[str, ...]] | None:
    part, part_node = data.get(key), value_node(node, key)
    if not isinstance(part, dict):
        problems.add(line_of(part_node or node), f"policy.{key} must be a mapping")
        return None
    _check_keys(part, part_node, {number_key, "rule", "sources"}, {number_key, "rule", "sources"}, f"policy.{key}", problems)
    number, rule, sources = part.get(number_key), part.get("rule"), _strings(part.get("sources"))
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        problems.add(line_of(part_node), f"policy.{key}.{number_key} must be a whole number")
        return None
    if not isinstance(rule, str) or sources is None:
        problems.add(line_of(part_node), f"policy.{key} needs a rule (text) and a non-empty list of sources")
        return None
    return number, rule, sources


def _policy(data: Any, node: yaml.Node | None, problems: _Problems) -> Policy | None:
    if not isinstance(data, dict):
        problems.add(line_of(node), "policy must be a mapping")
        return None
    _check_keys(data, node, {"self_hosted", "saas", "support_lifecycle"}, {"self_hosted", "saas"}, "policy", problems)
    hosted = _policy_part(data, node, "self_hosted", "supported_releases_after_deprecation", problems)
    saas = _policy_part(data, node, "saas", "grace_months", problems)
    lifecycle = data.get("support_lifecycle", [])
    texts: list[str] = []
    entries = lifecycle if isinstance(lifecycle, list) else []
    for entry, entry_node in zip(entries, items(value_node(node, "support_lifecycle")), strict=True):
        if not (isinstance(entry, dict) and isinstance(entry.get("rule"), str) and _strings(entry.get("sources"))):
            problems.add(line_of(entry_node), "policy.support_lifecycle entries need a rule and sources")
            continue
        texts.append(f"{entry.get('applies_to', 'all releases')}: {entry['rule']}")
    if hosted is None or saas is None:
        return None
    return Policy(hosted[0], saas[0], hosted[1], saas[1], hosted[2] + saas[2], tuple(texts))


def parse_releases(text: str, origin: str) -> Releases:
    doc = parse_yaml(text, origin)
    problems = _Problems(origin)
    if not isinstance(doc.data, dict):
        raise CatalogError([f"{origin}:1: must be a mapping with catalog_version, policy and releases"])
    _check_keys(doc.data, doc.node, {"catalog_version", "policy", "releases"}, {"catalog_version", "policy", "releases"}, "releases file", problems)
    version = doc.data.get("catalog_version")
    if not isinstance(version, str) or not version:
        problems.add(key_lines(doc.node).get("catalog_version", 1), "catalog_version must be a quoted string such as \"2026.11.28\"")
    policy = _policy(doc.data.get("policy"), value_node(doc.node, "policy"), problems)
    release_data = doc.data.get("releases")
    release_nodes = items(value_node(doc.node, "releases"))
    if not isinstance(release_data, list) or not release_data:
        problems.add(key_lines(doc.node).get("releases", 1), "releases must be a non-empty list")
        release_data = []
    parsed = [(r, n) for r, n in ((_release(d, n, problems), n) for d, n in zip(release_data, release_nodes, strict=True)) if r]
    for (earlier, _), (later, node) in itertools.pairwise(parsed):
        if version_key(later.version) <= version_key(earlier.version):
            problems.add(line_of(node), f"release {later.version} must come after {earlier.version} (oldest first, no repeats)")
    releases = [r for r, _ in parsed]
    if problems.found or policy is None:
        raise CatalogError(problems.found or [f"{origin}:1: invalid policy"])
    return Releases(tuple(releases), policy, str(version))


def load_releases(path: Path, origin: str | None = None) -> Releases:
    """Load rules/releases.yaml; CatalogError (every problem, as file:line) when it is wrong."""
    name = origin or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError([f"{name}: cannot read the releases file: {exc.strerror or exc}"]) from None
    return parse_releases(text, name)
