"""When a subject appeared in, was flagged in, or left the bundled specs.

Findings name what they are about in a few fixed shapes ("POST /api/v1/logout",
"query parameter sortBy in GET /api/v1/x", "field a.b in POST /api/v1/x",
"value a.b=old in POST /api/v1/x"); these functions look those up release by release, for
the upgrade plan to date findings that carry no release of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from runai_audit.knowledge.specs import SpecIndex

__all__ = ["SpecLookup", "first_flagged", "gone_from", "specs_in_order"]

SpecLookup = Callable[[str], "SpecIndex | None"]  # a release -> its bundled spec, None when there is none

_ENDPOINT = re.compile(r"^(?P<method>[A-Z]+) (?P<path>/\S*)$")
_MEMBER = re.compile(r"^(?P<kind>query parameter|field|value) (?P<name>\S+) in (?P<method>[A-Z]+) (?P<path>/\S*)$")


def _present(spec: SpecIndex, subject: str) -> bool | None:
    m = _ENDPOINT.match(subject)
    if m is None:
        return None
    method = "*" if m["method"] == "ANY" else m["method"]
    return spec.find(method, m["path"]) is not None


def _flagged(spec: SpecIndex, subject: str) -> bool | None:
    m = _ENDPOINT.match(subject)
    if m is not None:
        op = spec.find(m["method"], m["path"])
        return bool(op and op.deprecated)
    m = _MEMBER.match(subject)
    if m is None:
        return None
    op = spec.find(m["method"], m["path"])
    if op is None:
        return False
    if m["kind"] == "query parameter":
        param = op.param(m["name"], "query")
        return bool(param and param.deprecated)
    if m["kind"] == "field":
        info = spec.field(op, m["name"])
        return bool(info and info.deprecated)
    path, _, value = m["name"].partition("=")
    info = spec.field(op, path)
    return bool(info and value in dict(info.deprecated_enum))


def specs_in_order(versions: Iterable[str], spec_of: SpecLookup | None) -> list[tuple[str, SpecIndex]]:
    """(release, spec) for every release that has a spec, oldest first."""
    if spec_of is None:
        return []
    return [(v, s) for v in versions if (s := spec_of(v)) is not None]


def gone_from(subject: str, specs: list[tuple[str, SpecIndex]]) -> str | None:
    """The first bundled release after the last one whose spec still has the operation."""
    present = [i for i, (_, spec) in enumerate(specs) if _present(spec, subject)]
    if not present or present[-1] + 1 >= len(specs):
        return None
    return specs[present[-1] + 1][0]


def first_flagged(subject: str, specs: list[tuple[str, SpecIndex]]) -> str | None:
    return next((v for v, spec in specs if _flagged(spec, subject)), None)
