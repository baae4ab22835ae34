"""Flatten a request-body schema into dotted field paths with their deprecation facts.

A scanner reports the fields a request body sets as dotted paths (`spec.compute.gpuDevicesRequest`,
list items as `items[].name`); this module gives the same paths for a spec schema. `$ref`s are
followed, `allOf` parts merged, `oneOf` / `anyOf` variants united (a field is in the body if any
variant has it). A `$ref` already being expanded on the current branch stops the walk (schemas
may be recursive) and so does the depth limit.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from runai_audit.knowledge.specs.deprecation_text import (
    closest_example,
    deprecated_values_from_text,
    example_is_deprecated,
    replaced_field_from_text,
    replacement_from_text,
    says_deprecated,
)

MAX_DEPTH = 10  # property levels below the body; Run:ai bodies go about six deep
_COMBINERS = ("allOf", "oneOf", "anyOf")


@dataclass(frozen=True)
class FieldInfo:
    path: str  # "spec.compute.migProfile", "items[].name"
    deprecated: bool = False
    replacement: str | None = None
    enum: tuple[str, ...] = ()
    deprecated_enum: tuple[tuple[str, str], ...] = ()  # (value, replacement or "")


@dataclass
class _Facts:
    """What is known about one field path so far; variants and allOf parts add to it."""

    deprecated: bool = False
    replacement: str | None = None
    enum: dict[str, None] = field(default_factory=dict)
    deprecated_enum: dict[str, str] = field(default_factory=dict)

    def frozen(self, path: str) -> FieldInfo:
        return FieldInfo(
            path=path,
            deprecated=self.deprecated,
            replacement=self.replacement,
            enum=tuple(self.enum),
            deprecated_enum=tuple(sorted(self.deprecated_enum.items())),
        )


def resolve_pointer(doc: Mapping[str, Any], ref: str) -> Any:
    """Follow a local "#/components/..." reference; None when it points nowhere or elsewhere."""
    if not ref.startswith("#/"):
        return None
    node: Any = doc
    for raw in ref[2:].split("/"):
        key = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, Mapping) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return None
    return node


class _Flattener:
    def __init__(self, doc: Mapping[str, Any]) -> None:
        self.doc = doc
        self.fields: dict[str, _Facts] = {}
        self.replaces: list[tuple[str, str]] = []  # (field path, name of the field it replaces)

    def deref(self, node: Any, stack: frozenset[str]) -> tuple[Mapping[str, Any] | None, frozenset[str]]:
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in stack:
                return None, stack  # recursive schema: this branch is already being expanded
            stack = stack | {ref}
            node = resolve_pointer(self.doc, ref)
        return (node if isinstance(node, Mapping) else None), stack

    def shallow(self, node: Any, stack: frozenset[str], depth: int = 0) -> Iterator[Mapping[str, Any]]:
        """The schema nodes that describe one value: itself, its refs, combiner parts, array items."""
        resolved, stack = self.deref(node, stack)
        if resolved is None or depth > MAX_DEPTH:
            return
        yield resolved
        for key in _COMBINERS:
            for part in _list(resolved.get(key)):
                yield from self.shallow(part, stack, depth + 1)
        if "items" in resolved and "properties" not in resolved:
            yield from self.shallow(resolved["items"], stack, depth + 1)

    def describe(self, path: str, node: Any, stack: frozenset[str]) -> None:
        facts = self.fields.setdefault(path, _Facts())
        parts = list(self.shallow(node, stack))
        texts = [p["description"] for p in parts if isinstance(p.get("description"), str)]
        for part in parts:
            for value in _list(part.get("enum")):
                if isinstance(value, str):
                    facts.enum.setdefault(value, None)
            if part.get("deprecated") is True:
                facts.deprecated = True
        for text in texts:
            if says_deprecated(text):
                facts.deprecated = True
                facts.replacement = facts.replacement or replacement_from_text(text)
            for value, replacement in deprecated_values_from_text(text, tuple(facts.enum)):
                if replacement or value not in facts.deprecated_enum:
                    facts.deprecated_enum[value] = replacement
            replaced = replaced_field_from_text(text)
            if replaced:
                self.replaces.append((path, replaced))

    def walk(self, node: Any, prefix: str, depth: int, stack: frozenset[str]) -> None:
        resolved, stack = self.deref(node, stack)
        if resolved is None:
            return
        for key in _COMBINERS:
            for part in _list(resolved.get(key)):
                self.walk(part, prefix, depth, stack)
        properties = resolved.get("properties")
        if isinstance(properties, Mapping) and depth < MAX_DEPTH:
            for name, prop in properties.items():
                path = f"{prefix}.{name}" if prefix else str(name)
                self.describe(path, prop, stack)
                self.walk(prop, path, depth + 1, stack)
        if "items" in resolved:
            self.walk(resolved["items"], prefix + "[]", depth, stack)

    def apply_replaces(self) -> None:
        """"Replaces the deprecated 'x' field": mark x, a sibling if there is one, else any x."""
        for path, name in self.replaces:
            parent = path.rpartition(".")[0]
            sibling = f"{parent}.{name}" if parent else name
            targets = [sibling] if sibling in self.fields else [
                p for p in self.fields if p.rpartition(".")[2] == name
            ]
            for target in targets:
                facts = self.fields[target]
                facts.deprecated = True
                facts.replacement = facts.replacement or path


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def flatten_body(doc: Mapping[str, Any], schema: Any) -> dict[str, FieldInfo]:
    """Every field path a request body with this schema may set, keyed by path."""
    flattener = _Flattener(doc)
    flattener.walk(schema, "", 0, frozenset())
    flattener.apply_replaces()
    return {path: facts.frozen(path) for path, facts in flattener.fields.items()}


def _scalars(value: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """("grantType", "app_token") pairs from an example body, lists as "[]"."""
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from _scalars(child, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for child in value:
            yield from _scalars(child, prefix + "[]")
    elif isinstance(value, str):
        yield prefix, value


def example_enum_deprecations(
    fields: Mapping[str, FieldInfo], examples: Mapping[str, Any]
) -> dict[str, FieldInfo]:
    """Enum values set by request examples marked deprecated ("app_token (deprecated)").

    The replacement is the value the same field has in the closest non-deprecated example.
    Returns the fields that changed, by path.
    """
    plain: list[tuple[str, str | None, Mapping[str, Any]]] = []
    marked: list[tuple[str | None, Mapping[str, Any]]] = []
    for name, example in examples.items():
        if not isinstance(example, Mapping) or not isinstance(example.get("value"), Mapping):
            continue
        description = example.get("description") if isinstance(example.get("description"), str) else None
        if example_is_deprecated(str(name), description):
            marked.append((description, example["value"]))
        else:
            plain.append((str(name), description, example["value"]))
    changed: dict[str, FieldInfo] = {}
    for description, value in marked:
        for path, literal in _scalars(value):
            info = changed.get(path) or fields.get(path)
            if info is None or literal not in info.enum:
                continue
            twin = closest_example((description, value), plain, discriminator=path.rpartition(".")[2])
            twin_value = dict(_scalars(next(v for n, _, v in plain if n == twin))).get(path, "") if twin else ""
            replacement = twin_value if twin_value in info.enum and twin_value != literal else ""
            merged = dict(info.deprecated_enum)
            merged[literal] = merged.get(literal) or replacement
            changed[path] = FieldInfo(
                path, info.deprecated, info.replacement, info.enum, tuple(sorted(merged.items()))
            )
    return changed
