"""Operation records and how they are read from an OpenAPI document.

Deprecation comes from `deprecated: true`, from the summary or description ("Deprecated - use
X instead") and from the operation's tags when a tag's description declares it deprecated.
Request-body fields are flattened the first time someone reads `Operation.body_fields`:
flattening every body of a Run:ai spec takes 0.3-0.6 s, ten times the cost of parsing it, and a
scan looks at a few dozen operations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, overload

from runai_audit.knowledge.specs.body_fields import (
    FieldInfo,
    example_enum_deprecations,
    flatten_body,
    resolve_pointer,
)
from runai_audit.knowledge.specs.deprecation_text import replacement_from_text, says_deprecated

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE")


@dataclass(frozen=True)
class ParamInfo:
    name: str
    location: str  # query | path | header | cookie
    deprecated: bool = False
    replacement: str | None = None
    description: str = ""
    typed: bool = False  # a UUID or integer value: never a plain word such as `minimal`


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

    def __reduce__(self) -> tuple[Callable[[tuple[FieldInfo, ...]], LazyFields], tuple[tuple[FieldInfo, ...]]]:
        # The flattening closure holds the whole document; a pickled copy (for a worker
        # process) carries the finished fields instead.
        return (_loaded, (self._load(),))


def _loaded(fields: tuple[FieldInfo, ...]) -> LazyFields:
    return LazyFields(lambda: fields)


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


# --------------------------------------------------------------------------- building


def _text(node: Mapping[str, Any], key: str) -> str:
    value = node.get(key)
    return value if isinstance(value, str) else ""


def _deref(doc: Mapping[str, Any], node: Any) -> Mapping[str, Any]:
    for _ in range(10):  # a chain of references, never a loop
        if not (isinstance(node, Mapping) and isinstance(node.get("$ref"), str)):
            break
        node = resolve_pointer(doc, node["$ref"])
    return node if isinstance(node, Mapping) else {}


def _typed(doc: Mapping[str, Any], schema: Any) -> bool:
    node = _deref(doc, schema)
    return node.get("format") == "uuid" or node.get("type") == "integer"


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
            typed=_typed(doc, node.get("schema")),
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


def deprecated_tags(doc: Mapping[str, Any]) -> dict[str, str | None]:
    """Tags whose description declares them deprecated ("**DEPRECATED:** Applications have been
    renamed to Service Accounts ..."), with the replacement the text names."""
    found: dict[str, str | None] = {}
    tags = doc.get("tags")
    for tag in tags if isinstance(tags, list) else ():
        if isinstance(tag, Mapping) and isinstance(tag.get("name"), str):
            description = _text(tag, "description")
            if says_deprecated(description):
                found[tag["name"]] = replacement_from_text(description)
    return found


def _operation(
    doc: Mapping[str, Any],
    method: str,
    path: str,
    item: Mapping[str, Any],
    node: Mapping[str, Any],
    old_tags: Mapping[str, str | None],
) -> Operation:
    summary, description = _text(node, "summary"), _text(node, "description")
    raw_tags = node.get("tags")
    tags = tuple(t for t in raw_tags if isinstance(t, str)) if isinstance(raw_tags, list) else ()
    texts = [t for t in (description, summary) if says_deprecated(t)]
    tag_notes = [old_tags[t] for t in tags if t in old_tags]
    replacement = next((r for r in map(replacement_from_text, texts) if r), None)
    replacement = replacement or next((r for r in tag_notes if r), None)
    request_body = node.get("requestBody")
    content = _deref(doc, request_body).get("content")
    operation_id = node.get("operationId")
    return Operation(
        method=method,
        path=path,
        operation_id=operation_id if isinstance(operation_id, str) else None,
        summary=summary,
        deprecated=node.get("deprecated") is True or bool(texts) or bool(tag_notes),
        replacement=replacement,
        tags=tags,
        params=_params(doc, item.get("parameters"), node.get("parameters")),
        body_fields=LazyFields(lambda: _body_fields(doc, request_body)) if request_body else (),
        body_content_types=tuple(content) if isinstance(content, Mapping) else (),
    )


def read_operations(doc: Mapping[str, Any]) -> list[Operation]:
    """Every operation of the document, in document order."""
    old_tags = deprecated_tags(doc)
    ops: list[Operation] = []
    paths = doc.get("paths")
    for path, item in paths.items() if isinstance(paths, Mapping) else ():
        if not isinstance(item, Mapping):
            continue
        for method in METHODS:
            node = item.get(method.lower())
            if isinstance(node, Mapping):
                ops.append(_operation(doc, method, str(path), item, node, old_tags))
    return ops
