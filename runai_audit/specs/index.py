"""A searchable view of one OpenAPI document: operations, parameters, body fields, deprecations.

Built from an already-parsed document (no I/O here). Request-body fields are flattened the
first time someone reads `Operation.body_fields`: flattening every body of a Run:ai spec takes
0.3-0.6 s, ten times the cost of parsing it, and a scan looks at a few dozen operations.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from runai_audit.paths import WILDCARD, PathTemplate, normalise_path, split_path
from runai_audit.specs.body_fields import (
    FieldInfo,
    example_enum_deprecations,
    flatten_body,
    resolve_pointer,
)
from runai_audit.specs.deprecation_text import replacement_from_text, says_deprecated

METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "trace")
_INDEX_IN_PATH = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class ParamInfo:
    name: str
    location: str  # query | path | header | cookie
    deprecated: bool = False
    replacement: str | None = None
    description: str = ""


class LazyFields(Sequence[FieldInfo]):
    """Body fields of one operation, flattened from the spec on first use and then kept."""

    def __init__(self, flatten: Callable[[], tuple[FieldInfo, ...]]) -> None:
        self._flatten: Callable[[], tuple[FieldInfo, ...]] | None = flatten
        self._fields: tuple[FieldInfo, ...] = ()
        self._by_path: dict[str, FieldInfo] = {}

    def _load(self) -> tuple[FieldInfo, ...]:
        if self._flatten is not None:
            self._fields = self._flatten()
            self._by_path = {f.path: f for f in self._fields}
            self._flatten = None
        return self._fields

    def by_path(self) -> dict[str, FieldInfo]:
        self._load()
        return self._by_path

    @overload
    def __getitem__(self, index: int) -> FieldInfo: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[FieldInfo]: ...
    def __getitem__(self, index: int | slice) -> FieldInfo | Sequence[FieldInfo]:
        return self._load()[index]

    def __len__(self) -> int:
        return len(self._load())

    def __iter__(self) -> Iterator[FieldInfo]:
        return iter(self._load())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(self._load())

    def __repr__(self) -> str:
        return "LazyFields(...)" if self._flatten is not None else f"LazyFields({self._fields!r})"


@dataclass(frozen=True)
class Operation:
    method: str  # upper case
    path: str  # the spec's template, "/api/v1/org-unit/projects/{projectId}"
    operation_id: str | None = None
    summary: str = ""
    deprecated: bool = False
    replacement: str | None = None
    tags: tuple[str, ...] = ()
    params: tuple[ParamInfo, ...] = ()
    body_fields: Sequence[FieldInfo] = ()  # a LazyFields when the operation comes from a SpecIndex
    body_content_types: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    def param(self, name: str, location: str | None = None) -> ParamInfo | None:
        for p in self.params:
            if p.name == name and (location is None or p.location == location):
                return p
        return None


def _text(node: Mapping[str, Any], key: str) -> str:
    value = node.get(key)
    return value if isinstance(value, str) else ""


def _deref(doc: Mapping[str, Any], node: Any) -> Mapping[str, Any]:
    for _ in range(10):  # a chain of references, never a loop
        if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
            break
        node = resolve_pointer(doc, node["$ref"])
    return node if isinstance(node, Mapping) else {}


def _params(doc: Mapping[str, Any], shared: Any, own: Any) -> tuple[ParamInfo, ...]:
    """Path-level parameters, overridden by the operation's own (same name and location)."""
    merged: dict[tuple[str, str], ParamInfo] = {}
    for raw in [*(shared if isinstance(shared, list) else []), *(own if isinstance(own, list) else [])]:
        node = _deref(doc, raw)
        name, location = _text(node, "name"), _text(node, "in")
        if not name:
            continue
        description = _text(node, "description")
        texty = says_deprecated(description)
        merged[(name, location)] = ParamInfo(
            name=name,
            location=location,
            deprecated=node.get("deprecated") is True or texty,
            replacement=replacement_from_text(description) if texty else None,
            description=description,
        )
    return tuple(merged.values())


def _body_fields(doc: Mapping[str, Any], request_body: Any) -> tuple[FieldInfo, ...]:
    """Fields of every media type of a request body, with example-declared enum deprecations."""
    fields: dict[str, FieldInfo] = {}
    content = _deref(doc, request_body).get("content")
    for media in content.values() if isinstance(content, Mapping) else ():
        if not isinstance(media, Mapping):
            continue
        for path, info in flatten_body(doc, media.get("schema")).items():
            fields.setdefault(path, info)
        examples = media.get("examples")
        if isinstance(examples, Mapping):
            resolved = {name: _deref(doc, ex) for name, ex in examples.items()}
            fields.update(example_enum_deprecations(fields, resolved))
    return tuple(fields[p] for p in sorted(fields))


def _operation(
    doc: Mapping[str, Any], method: str, path: str, item: Mapping[str, Any], node: Mapping[str, Any]
) -> Operation:
    summary, description = _text(node, "summary"), _text(node, "description")
    texts = [t for t in (description, summary) if says_deprecated(t)]
    replacement = next((r for r in map(replacement_from_text, texts) if r), None)
    content = _deref(doc, node.get("requestBody")).get("content")
    tags = node.get("tags")
    operation_id = node.get("operationId")
    request_body = node.get("requestBody")
    return Operation(
        method=method.upper(),
        path=path,
        operation_id=operation_id if isinstance(operation_id, str) else None,
        summary=summary,
        deprecated=node.get("deprecated") is True or bool(texts),
        replacement=replacement,
        tags=tuple(t for t in tags if isinstance(t, str)) if isinstance(tags, list) else (),
        params=_params(doc, item.get("parameters"), node.get("parameters")),
        body_fields=LazyFields(lambda: _body_fields(doc, request_body)) if request_body else (),
        body_content_types=tuple(content) if isinstance(content, Mapping) else (),
    )


def _version(doc: Mapping[str, Any]) -> tuple[str, str]:
    info = doc.get("info")
    info = info if isinstance(info, Mapping) else {}
    return str(info.get("version", "")), str(info.get("title", ""))


_Rank = tuple[int, int, int, int]
_UPPER_METHODS = tuple(m.upper() for m in METHODS)


class SpecIndex:
    """Operations of one spec, found by method and (possibly wildcarded) path."""

    def __init__(self, doc: Mapping[str, Any], source: str, version: str | None = None) -> None:
        spec_version, self.title = _version(doc)
        self.version = version or spec_version
        self.source = source
        ops: list[Operation] = []
        paths = doc.get("paths")
        for path, item in paths.items() if isinstance(paths, Mapping) else ():
            if not isinstance(item, Mapping):
                continue
            for method in METHODS:
                node = item.get(method)
                if isinstance(node, Mapping):
                    ops.append(_operation(doc, method, str(path), item, node))
        self.operations: tuple[Operation, ...] = tuple(sorted(ops, key=lambda o: (o.path, o.method)))
        self._by_key = {op.key: op for op in self.operations}
        self._by_id = {op.operation_id: op for op in self.operations if op.operation_id}
        self._methods: dict[str, dict[str, Operation]] = {}
        # Candidate templates by their literal last segment (None: ends in a parameter). The
        # observed path's end always lines up with the template's end, so this cuts the search
        # to a handful of templates, whatever the prefix or unknown base.
        self._by_last: dict[str | None, list[PathTemplate]] = {}
        self._all: list[PathTemplate] = []
        for op in self.operations:
            if op.path not in self._methods:
                template = PathTemplate(op.path)
                self._all.append(template)
                self._by_last.setdefault(template.last, []).append(template)
            self._methods.setdefault(op.path, {})[op.method] = op

    def __repr__(self) -> str:
        return f"SpecIndex(version={self.version!r}, source={self.source!r}, operations={len(self.operations)})"

    # ------------------------------------------------------------------ paths

    def _ranked(self, path: str, allow_prefix: bool) -> list[tuple[_Rank, PathTemplate]]:
        observed, unknown_base = split_path(normalise_path(path))
        last = observed[-1] if observed else None
        if last is None or last == WILDCARD:
            candidates: Iterable[PathTemplate] = self._all
        else:
            candidates = [*self._by_last.get(last, ()), *self._by_last.get(None, ())]
        found = []
        for template in candidates:
            score = template.match_segments(observed, unknown_base, allow_prefix)
            if score is not None:
                found.append((score.rank, template))
        # Best rank first; the template text breaks ties so results never depend on spec order.
        found.sort(key=lambda pair: (tuple(-r for r in pair[0]), pair[1].template))
        return found

    def find(self, method: str, path: str, allow_prefix: bool = False) -> Operation | None:
        """The operation for `method` ("*" for any) on the most specific template that has it."""
        wanted = method.upper()
        for _, template in self._ranked(path, allow_prefix):
            by_method = self._methods[template.template]
            if wanted == "*":
                return by_method[next(m for m in _UPPER_METHODS if m in by_method)]
            if wanted in by_method:
                return by_method[wanted]
        return None

    def find_any_method(self, path: str, allow_prefix: bool = False) -> tuple[Operation, ...]:
        """Every operation on the most specific template for `path` (to tell a wrong method)."""
        ranked = self._ranked(path, allow_prefix)
        if not ranked:
            return ()
        by_method = self._methods[ranked[0][1].template]
        return tuple(by_method[m] for m in _UPPER_METHODS if m in by_method)

    def get(self, method: str, template: str) -> Operation | None:
        """The operation at exactly this spec template ("GET", "/api/v1/projects/{id}")."""
        return self._by_key.get((method.upper(), template))

    def by_operation_id(self, operation_id: str) -> Operation | None:
        return self._by_id.get(operation_id)

    def deprecated_operations(self) -> tuple[Operation, ...]:
        return tuple(op for op in self.operations if op.deprecated)

    # ------------------------------------------------------------------ body fields

    def field(self, op: Operation, field_path: str) -> FieldInfo | None:
        """A body field by dotted path. List indexes ("items[0]") count as "[]"; when the exact
        spelling is absent a case-insensitive match is used (docs write clientId, the spec clientID)."""
        fields = op.body_fields.by_path() if isinstance(op.body_fields, LazyFields) else {
            f.path: f for f in op.body_fields
        }
        wanted = _INDEX_IN_PATH.sub("[]", field_path)
        found = fields.get(wanted)
        if found is None:
            lowered = wanted.lower()
            found = next((info for path, info in fields.items() if path.lower() == lowered), None)
        return found

    def deprecated_ancestor(self, op: Operation, field_path: str) -> FieldInfo | None:
        """The field if deprecated, else its nearest deprecated parent: setting
        "resources.gpu.deserved" still sends the deprecated "resources"."""
        path = _INDEX_IN_PATH.sub("[]", field_path)
        while path:
            info = self.field(op, path)
            if info is not None and info.deprecated:
                return info
            path = path.rpartition(".")[0]
            path = path[:-2] if path.endswith("[]") else path
        return None
