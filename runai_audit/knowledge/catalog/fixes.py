"""A row's `fix:` entry: checked against the row's match kind, then frozen into a FixSpec.

    fix: safe                                   # the match kind says how (a CLI row's rewrite)
    fix: {safety: safe, to: clientID}           # the new field name, enum value or metric name
    fix: {safety: safe, to: /api/v1/cli-exposer/installer/linux}   # a drop-in endpoint
    fix: {safety: unsafe, to: /api/v1/token, body: {rename: {id: clientID}, drop: [name],
          add: {grantType: client_credentials}}, leaves: [RA505], reason: the response keys change}
    fix: {safety: manual, reason: the v2 noun depends on the workload type}

Which kinds can be fixed, and what `to` means for each, lives here so the loader, the docs and
the fix planner agree.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from runai_audit.knowledge.catalog.model import FIX_SAFETIES, BodyRewrite, FixSpec

FIX_KEYS = ("safety", "to", "reason", "leaves", "body")
BODY_KEYS = ("rename", "drop", "add")
# Match kinds with a mechanical rewrite, and whether the row must say `to`.
FIXABLE_KINDS: dict[str, bool] = {
    "cli": False,  # the row's match.rewrite says the CLI v2 words
    "metric": True,
    "body_field": True,
    "enum_value": True,
    "endpoint": True,
    "crd": False,  # the REST request `migrate` builds, written with --migrate-dir
}
_WORD = re.compile(r"^[A-Za-z_][A-Za-z0-9_.:-]*$")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_RULE_ID = re.compile(r"^RA[1-9]\d\d$")


def _shape(path: str) -> list[str]:
    return ["{}" if _PLACEHOLDER.fullmatch(seg) else seg for seg in path.split("/")]


def path_swap(old: str, new: str) -> tuple[str, str] | None:
    """The literal text to swap when a path moves: ("/api/v1/cli/", "/api/v1/cli-exposer/") for
    a drop-in whose paths differ only before their first parameter, the whole paths when neither
    has a parameter; None otherwise (the parameters would have to move, which is no text swap)."""
    a, b = _shape(old), _shape(new)
    if "{}" not in a and "{}" not in b:
        return (old, new) if old != new else None
    if len(a) != len(b) or any((x == "{}") != (y == "{}") for x, y in zip(a, b, strict=True)):
        return None
    differing = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if not differing or "{}" in a[: differing[-1] + 1]:
        return None
    last = differing[-1]
    return "/".join(a[: last + 1]) + "/", "/".join(b[: last + 1]) + "/"


def _check_body(body: Any) -> str | None:
    if not isinstance(body, dict) or set(body) - set(BODY_KEYS):
        return f"fix.body must be a mapping with {', '.join(BODY_KEYS)}"
    rename, add = body.get("rename", {}), body.get("add", {})
    for name, value in (("rename", rename), ("add", add)):
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            return f"fix.body.{name} must map field names to strings"
    drop = body.get("drop", [])
    if not isinstance(drop, list) or not all(isinstance(d, str) for d in drop):
        return "fix.body.drop must be a list of field names"
    return None


def _check_to(kind: str, match: Mapping[str, Any], to: Any) -> str | None:
    if not isinstance(to, str) or not to.strip():
        return "fix.to must be a non-empty string"
    if kind == "metric":
        names = list(match.get("names") or ())
        if len(names) != 1 or "*" in names[0]:
            return "a metric fix needs a row that names exactly one metric"
        return None if _WORD.match(to) else f"fix.to {to!r} must be a metric name"
    if kind in ("body_field", "enum_value"):
        return None if _WORD.match(to) else f"fix.to {to!r} must be one word"
    if kind == "endpoint" and path_swap(str(match.get("path", "")), to) is None:
        return (f"fix.to {to!r} is not a drop-in for {match.get('path')!r}: the paths must differ only in "
                "literal segments before the first parameter")
    return None


def check_fix(value: Any, kind: str, match: Mapping[str, Any]) -> list[str]:
    """Problems with one row's fix entry (empty when it is fine)."""
    entry = {"safety": value} if isinstance(value, str) else value
    if not isinstance(entry, dict):
        return [f"fix must be safe, unsafe, manual or a mapping with {', '.join(FIX_KEYS)}"]
    problems = [f"unknown key fix.{k} (allowed: {', '.join(FIX_KEYS)})" for k in entry if k not in FIX_KEYS]
    safety = entry.get("safety")
    if safety not in FIX_SAFETIES:
        return [*problems, f"fix.safety must be one of {', '.join(FIX_SAFETIES)}, not {safety!r}"]
    reason = entry.get("reason")
    if reason is not None and not (isinstance(reason, str) and reason.strip()):
        problems.append("fix.reason must be a non-empty string")
    leaves = entry.get("leaves", [])
    if not isinstance(leaves, list) or not all(isinstance(r, str) and _RULE_ID.match(r) for r in leaves):
        problems.append("fix.leaves must be a list of rule ids")
    if safety == "manual":
        if not reason:
            problems.append("a manual fix must give its reason")
        if set(entry) - {"safety", "reason"}:
            problems.append("a manual fix takes only a reason")
        return problems
    if kind not in FIXABLE_KINDS:
        return [*problems, f"match kind {kind} has no automatic fix (fixable: {', '.join(FIXABLE_KINDS)})"]
    if kind == "cli" and not isinstance(match.get("rewrite"), Mapping):
        problems.append("a CLI fix needs match.rewrite (the CLI v2 words)")
    if FIXABLE_KINDS[kind]:
        if "to" not in entry:
            problems.append(f"a {kind} fix needs fix.to")
        elif (problem := _check_to(kind, match, entry["to"])) is not None:
            problems.append(problem)
    elif "to" in entry:
        problems.append(f"a {kind} fix takes no fix.to")
    if "body" in entry:
        if kind != "endpoint":
            problems.append("fix.body is only for endpoint rows")
        elif (problem := _check_body(entry["body"])) is not None:
            problems.append(problem)
    return problems


def build_fix(value: Any) -> FixSpec:
    """The FixSpec of an entry check_fix accepted."""
    entry = {"safety": value} if isinstance(value, str) else dict(value)
    body = entry.get("body")
    rewrite = None
    if isinstance(body, dict):
        rewrite = BodyRewrite(
            rename=MappingProxyType(dict(body.get("rename", {}))),
            drop=tuple(body.get("drop", ())),
            add=MappingProxyType(dict(body.get("add", {}))),
        )
    reason = entry.get("reason")
    return FixSpec(
        safety=str(entry["safety"]),
        to=str(entry["to"]).strip() if entry.get("to") is not None else None,
        reason=" ".join(str(reason).split()) if reason else None,
        leaves=tuple(entry.get("leaves", ())),
        body=rewrite,
    )


def describe_fix(fix: FixSpec | None) -> str:
    """One line for `rules` and docs/rules.md."""
    if fix is None:
        return "manual"
    parts = [fix.safety]
    if fix.to:
        parts.append(f"to `{fix.to}`")
    if fix.body:
        parts.append("body rewritten")
    if fix.reason:
        parts.append(f"({fix.reason})")
    return " ".join(parts)
