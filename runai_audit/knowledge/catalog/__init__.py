"""The rule catalog: YAML rows in rules/, validated and loaded with their file and line.

In: rules/*.yaml (bundled, or --rules). Out: Catalog (Rule rows) and Releases (the calendar).
May import: knowledge.resources, models.
"""

from __future__ import annotations

from runai_audit.knowledge.catalog.docs import render_markdown
from runai_audit.knowledge.catalog.loader import Catalog, UnknownRuleError, load_catalog, rule_infos
from runai_audit.knowledge.catalog.matchkinds import MATCH_KINDS, MatchKind
from runai_audit.knowledge.catalog.model import Rule
from runai_audit.knowledge.catalog.releases import Policy, Release, Releases, load_releases
from runai_audit.knowledge.catalog.source import CatalogError

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
