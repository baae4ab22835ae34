"""OpenAPI specs of Run:ai releases: the bundled ones and a user's own, as searchable indexes.

In: the gzipped specs in data/ (or a user's file). Out: SpecIndex (operations, parameters,
body fields, deprecation flags). May import: knowledge.paths, models.
"""

from __future__ import annotations

from runai_audit.knowledge.specs.body_fields import FieldInfo
from runai_audit.knowledge.specs.index import LazyFields, Operation, ParamInfo, SpecIndex
from runai_audit.knowledge.specs.loader import (
    SpecError,
    bundled_versions,
    load_bundled,
    load_spec_document,
    load_spec_file,
    operations_in_any,
    parse_spec_text,
    validate_spec_document,
    versions_with,
)

__all__ = [
    "FieldInfo",
    "LazyFields",
    "Operation",
    "ParamInfo",
    "SpecError",
    "SpecIndex",
    "bundled_versions",
    "load_bundled",
    "load_spec_document",
    "load_spec_file",
    "operations_in_any",
    "parse_spec_text",
    "validate_spec_document",
    "versions_with",
]
