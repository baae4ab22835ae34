"""A catalog row, as the engine sees it after the loader has validated it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Rule-id families. Ids are permanent once shipped.
FAMILIES: dict[str, str] = {
    "1": "endpoint",
    "2": "field",
    "3": "cluster-api",
    "4": "metrics",
    "5": "auth",
    "6": "cli",
    "7": "signal",
    "9": "tool",
}


def family_of(rule_id: str) -> str:
    """RA101 -> "endpoint". The loader guarantees ids look like RA[1-9]\\d\\d."""
    return FAMILIES.get(rule_id[2:3], "unknown")


FIX_SAFETIES = ("safe", "unsafe", "manual")


@dataclass(frozen=True)
class BodyRewrite:
    """How a request body changes with a fix that moves it to another endpoint."""

    rename: Mapping[str, str] = field(default_factory=dict)  # old field -> new field
    drop: tuple[str, ...] = ()
    add: Mapping[str, str] = field(default_factory=dict)  # new field -> literal string value


@dataclass(frozen=True)
class FixSpec:
    """A row's `fix:` entry. safe: meaning-preserving, applied by `fix --write`; unsafe: changes
    behaviour a person must check, applied only with --unsafe; manual: no rewrite (say why)."""

    safety: str
    to: str | None = None  # the new metric name, field name, enum value or drop-in path
    reason: str | None = None  # why manual, or what to check after an unsafe fix
    leaves: tuple[str, ...] = ()  # rules that may still report the fixed text (RA441 on a renamed metric)
    body: BodyRewrite | None = None

    @property
    def automatic(self) -> bool:
        return self.safety in ("safe", "unsafe")


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    match_kind: str  # endpoint | body_field | query_param | enum_value | crd | ... (see catalog.matchkinds)
    match: Mapping[str, Any]  # kind-specific keys, validated by the loader
    replacement: str  # what to use instead, or the explicit word "none"
    sources: tuple[str, ...]
    description: str = ""  # a sentence or two: SARIF fullDescription and the rule reference
    deprecated_in: str | None = None
    removed_in: str | None = None
    docs_url: str | None = None
    message: str | None = None  # an extra sentence for the finding, beyond the generated one
    severity: str | None = None  # fixed severity (tool and signal rules); None = from lifecycle
    origin: str = ""  # "rules/endpoints.yaml:12", for error messages
    overrides: str | None = None  # a user row that deliberately replaces a built-in id
    notes: str | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    fix: FixSpec | None = None  # None: manual, no reason given

    @property
    def family(self) -> str:
        return family_of(self.id)
