"""The explicit registry of matchers, by catalog match kind. Nothing registers itself."""

from __future__ import annotations

import importlib

from runai_audit.judge.matchers.base import Matcher

# Modules that export a MATCHERS dict: match kind -> matcher function.
MATCHER_MODULES = (
    "runai_audit.judge.matchers.rest",
    "runai_audit.judge.matchers.crd",
    "runai_audit.judge.matchers.metric",
    "runai_audit.judge.matchers.cli_command",
)


# Kinds the engine handles itself because they need more than one observation: endpoint rows
# are ranked against each other (most concrete wins), response fields need the file's calls,
# generic rows are the engine's own findings (spec checks, signals, input problems).
ENGINE_KINDS = frozenset({"endpoint", "response_field", "generic"})


def matchers_by_kind() -> dict[str, Matcher]:
    registry: dict[str, Matcher] = {}
    for name in MATCHER_MODULES:
        module = importlib.import_module(name)
        for kind, matcher in module.MATCHERS.items():
            if kind in registry:
                raise RuntimeError(f"match kind {kind!r} is registered twice ({name})")
            registry[kind] = matcher
    return registry
