"""What changed between two OpenAPI specs, as a pre-upgrade reader wants to know it.

Pure: two SpecIndex objects in, a SpecDiff out. Operations are paired by method and path
template with the parameter names blanked ("/apps/{appId}" and "/apps/{id}" are one
operation), so a renamed path parameter is not reported as a removal plus an addition.

Per paired operation the diff lists query/header/cookie parameters, request-body fields (dotted
paths, as the scanners report them) and enum values of those fields: added, removed, and newly
deprecated with the replacement the spec names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from runai_audit.knowledge.specs import FieldInfo, Operation, SpecIndex

__all__ = ["LEVELS", "MemberChange", "OperationChange", "SpecDiff", "diff_specs", "level_of"]

_PATH_PARAM = re.compile(r"\{[^}]*\}")
MEMBER_KINDS = ("parameter", "field", "enum value")
CHANGES = ("added", "removed", "deprecated")
# How a client of the old spec fares, in oasdiff's terms: a removed operation, parameter, body
# field or enum value breaks it; a new deprecation is a warning of a break to come; an addition
# breaks nothing. (The specs' indexes do not keep `required`, so a newly required parameter is
# counted as an addition; oasdiff would call it breaking.)
LEVELS = ("breaking", "deprecation", "non-breaking")
_LEVEL_OF = {"removed": "breaking", "deprecated": "deprecation", "added": "non-breaking"}


def level_of(change: str) -> str:
    """breaking | deprecation | non-breaking for a change (added | removed | deprecated)."""
    return _LEVEL_OF[change]


@dataclass(frozen=True)
class OperationChange:
    method: str
    path: str  # the template as the newer spec writes it (the older one for removals)
    summary: str = ""
    replacement: str | None = None
    deprecated: bool = False  # for additions: published already deprecated

    @property
    def subject(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class MemberChange:
    kind: str  # parameter | field | enum value
    change: str  # added | removed | deprecated
    method: str
    path: str
    name: str  # "query limit", "spec.compute.gpuDevicesRequest", "subjectType=app"
    replacement: str | None = None

    @property
    def subject(self) -> str:
        return f"{self.kind} {self.name} in {self.method} {self.path}"


@dataclass(frozen=True)
class SpecDiff:
    old: str  # labels as the user named them ("2.23", a file, a URL without its query)
    new: str
    added: tuple[OperationChange, ...]
    removed: tuple[OperationChange, ...]
    deprecated: tuple[OperationChange, ...]  # deprecated in `new`, not in `old`
    members: tuple[MemberChange, ...]

    def members_of(self, kind: str, change: str) -> tuple[MemberChange, ...]:
        return tuple(m for m in self.members if m.kind == kind and m.change == change)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.deprecated or self.members)

    def levels(self) -> dict[str, int]:
        """How many changes of each level (LEVELS), operations and members together."""
        counts = dict.fromkeys(LEVELS, 0)
        for change, operations in (("added", self.added), ("removed", self.removed), ("deprecated", self.deprecated)):
            counts[level_of(change)] += len(operations)
        for member in self.members:
            counts[level_of(member.change)] += 1
        return counts


def operation_key(op: Operation) -> tuple[str, str]:
    return (op.method, _PATH_PARAM.sub("{}", op.path.rstrip("/") or "/"))


def _change(op: Operation, replacement: str | None = None) -> OperationChange:
    return OperationChange(op.method, op.path, op.summary, replacement or op.replacement, op.deprecated)


def _param_changes(old: Operation, new: Operation) -> Iterator[MemberChange]:
    """Query, header and cookie parameters; path parameters belong to the template."""
    def named(op: Operation) -> dict[tuple[str, str], object]:
        return {(p.location, p.name): p for p in op.params if p.location != "path"}

    before, after = named(old), named(new)
    for key in sorted(after.keys() - before.keys()):
        yield MemberChange("parameter", "added", new.method, new.path, f"{key[0]} {key[1]}")
    for key in sorted(before.keys() - after.keys()):
        yield MemberChange("parameter", "removed", new.method, new.path, f"{key[0]} {key[1]}")
    for location, name in sorted(after.keys() & before.keys()):
        was, now = old.param(name, location), new.param(name, location)
        if now is not None and was is not None and now.deprecated and not was.deprecated:
            yield MemberChange("parameter", "deprecated", new.method, new.path, f"{location} {name}", now.replacement)


def _enum_changes(new: Operation, was: FieldInfo, now: FieldInfo) -> Iterator[MemberChange]:
    def member(change: str, value: str, replacement: str | None = None) -> MemberChange:
        return MemberChange("enum value", change, new.method, new.path, f"{now.path}={value}", replacement)

    for value in now.enum:
        if value not in was.enum and was.enum:
            yield member("added", value)
    for value in was.enum:
        if value not in now.enum and now.enum:
            yield member("removed", value)
    old_flags = dict(was.deprecated_enum)
    for value, replacement in now.deprecated_enum:
        if value not in old_flags:
            yield member("deprecated", value, replacement or None)


def _field_changes(old: Operation, new: Operation) -> Iterator[MemberChange]:
    before = {f.path: f for f in old.body_fields}
    after = {f.path: f for f in new.body_fields}
    for path in sorted(after.keys() - before.keys()):
        yield MemberChange("field", "added", new.method, new.path, path)
    for path in sorted(before.keys() - after.keys()):
        yield MemberChange("field", "removed", new.method, new.path, path)
    for path in sorted(after.keys() & before.keys()):
        was, now = before[path], after[path]
        if now.deprecated and not was.deprecated:
            yield MemberChange("field", "deprecated", new.method, new.path, path, now.replacement)
        yield from _enum_changes(new, was, now)


def _member_changes(pairs: Iterable[tuple[Operation, Operation]], fields: bool) -> Iterator[MemberChange]:
    for old, new in pairs:
        yield from _param_changes(old, new)
        if fields:
            yield from _field_changes(old, new)


def diff_specs(old: SpecIndex, new: SpecIndex, *, old_label: str = "", new_label: str = "",
               fields: bool = True) -> SpecDiff:
    """Everything that changed from `old` to `new`. `fields=False` skips request bodies (the
    costly part: flattening every body of a Run:ai spec takes about a second)."""
    before = {operation_key(op): op for op in old.operations}
    after = {operation_key(op): op for op in new.operations}
    added = tuple(_change(after[k]) for k in sorted(after.keys() - before.keys()))
    removed = tuple(_change(before[k]) for k in sorted(before.keys() - after.keys()))
    both = sorted(after.keys() & before.keys())
    deprecated = tuple(
        _change(after[k]) for k in both if after[k].deprecated and not before[k].deprecated
    )
    members = tuple(_member_changes(((before[k], after[k]) for k in both), fields))
    return SpecDiff(
        old=old_label or old.version or old.source,
        new=new_label or new.version or new.source,
        added=added,
        removed=removed,
        deprecated=deprecated,
        members=members,
    )
