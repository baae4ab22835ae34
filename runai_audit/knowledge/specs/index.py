"""A searchable view of one OpenAPI document: operations by method and (wildcarded) path,
their parameters and body fields. Built from an already-parsed document; no I/O here."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from runai_audit.knowledge.paths import BASE_WILDCARD, PathTemplate, parse_url
from runai_audit.knowledge.specs.body_fields import FieldInfo
from runai_audit.knowledge.specs.operations import METHODS, LazyFields, Operation, ParamInfo, read_operations
from runai_audit.knowledge.specs.template_set import TemplateSet

__all__ = ["FieldInfo", "LazyFields", "Operation", "ParamInfo", "SpecIndex"]

_INDEX_IN_PATH = re.compile(r"\[\d+\]")
_FIND_CACHE_SIZE = 4096


def _typed_params(operations: Iterable[Operation]) -> frozenset[str]:
    """Path parameters every operation on a path types as a UUID or an integer."""
    typed: set[str] | None = None
    for op in operations:
        names = {p.name for p in op.params if p.location == "path" and p.typed}
        typed = names if typed is None else typed & names
    return frozenset(typed or ())


class SpecIndex:
    """Operations of one spec, found by method and (possibly wildcarded) path."""

    def __init__(self, doc: Mapping[str, Any], source: str, version: str | None = None) -> None:
        raw_info = doc.get("info")
        info: Mapping[str, Any] = raw_info if isinstance(raw_info, Mapping) else {}
        self.title = str(info.get("title", ""))
        spec_version = str(info.get("version", ""))
        self.version = version or spec_version
        self.source = source
        ops = read_operations(doc)
        self.operations: tuple[Operation, ...] = tuple(sorted(ops, key=lambda o: (o.path, o.method)))
        self._by_key = {op.key: op for op in self.operations}
        self._by_id = {op.operation_id: op for op in self.operations if op.operation_id}
        self._methods: dict[str, dict[str, Operation]] = {}
        for op in self.operations:
            self._methods.setdefault(op.path, {})[op.method] = op
        self._templates = TemplateSet(PathTemplate(path, _typed_params(ops.values())) for path, ops in self._methods.items())
        # Scans ask about the same URL over and over (one endpoint, many files or requests).
        self._found: dict[tuple[str, str, bool], Operation | None] = {}

    def __repr__(self) -> str:
        return f"SpecIndex(version={self.version!r}, source={self.source!r}, operations={len(self.operations)})"

    # ------------------------------------------------------------------ operations

    @staticmethod
    def _path_of(path_or_url: str) -> str:
        """Lookups take a path ("/api/v1/x", "{**}/x") or a whole URL ("https://{*}/api/v1/x?y=1")."""
        if path_or_url.startswith(("/", BASE_WILDCARD)) and "?" not in path_or_url and "#" not in path_or_url:
            return path_or_url
        return parse_url(path_or_url).path

    def find(self, method: str, path: str, allow_prefix: bool = False) -> Operation | None:
        """The operation for `method` ("*" for any) on the most specific template that has it."""
        key = (method.upper(), path, allow_prefix)
        if key not in self._found:
            if len(self._found) >= _FIND_CACHE_SIZE:
                self._found.clear()
            self._found[key] = self._find(key[0], self._path_of(path), allow_prefix)
        return self._found[key]

    def _find(self, wanted: str, path: str, allow_prefix: bool) -> Operation | None:
        for _, template in self._templates.matches(path, allow_prefix):
            by_method = self._methods[template.template]
            if wanted == "*":
                return by_method[next(m for m in METHODS if m in by_method)]
            if wanted in by_method:
                return by_method[wanted]
        return None

    def find_any_method(self, path: str, allow_prefix: bool = False) -> tuple[Operation, ...]:
        """Every operation on the most specific template for `path` (to tell a wrong method)."""
        best = self._templates.best(self._path_of(path), allow_prefix)
        if best is None:
            return ()
        by_method = self._methods[best.template]
        return tuple(by_method[m] for m in METHODS if m in by_method)

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
        fields = (
            op.body_fields.by_path()
            if isinstance(op.body_fields, LazyFields)
            else {f.path: f for f in op.body_fields}
        )
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
