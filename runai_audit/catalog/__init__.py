"""The rule catalog: YAML rows in rules/, validated and loaded with their file and line."""

from __future__ import annotations

from runai_audit.catalog.docs import render_markdown
from runai_audit.catalog.loader import Catalog, UnknownRuleError, load_catalog, rule_infos
from runai_audit.catalog.matchkinds import MATCH_KINDS, MatchKind
from runai_audit.catalog.model import Rule
from runai_audit.catalog.releases import Policy, Release, Releases, load_releases
from runai_audit.catalog.source import CatalogError

__all__ = [
    "MATCH_KINDS",
    "Catalog",
    "CatalogError",
    "MatchKind",
    "Policy",
    "Release",
    "Releases",
    "Rule",
    "UnknownRuleError",
    "load_catalog",
    "load_releases",
    "render_markdown",
    "rule_infos",
]
