"""The errors that mean "the tool could not do its job" (exit 3, one clear line, no traceback).

Each lives beside the code that raises it; this module only lists them for the CLI.
"""

from __future__ import annotations

import importlib

ERROR_CLASSES = (
    ("runai_audit.api", "ScanError"),
    ("runai_audit.knowledge.catalog", "CatalogError"),
    ("runai_audit.knowledge.specs", "SpecError"),
    ("runai_audit.gate.config", "ConfigError"),
    ("runai_audit.gate.baseline", "BaselineError"),
    ("runai_audit.collect.changed", "GitError"),
    ("runai_audit.upgrade.spec_fetch", "FetchError"),
    ("runai_audit.compliance.history", "HistoryError"),
    ("runai_audit.compliance.merge", "MergeError"),
    ("runai_audit.atomic", "WriteError"),
)


def _load() -> tuple[type[BaseException], ...]:
    classes = []
    for module, name in ERROR_CLASSES:
        cls = getattr(importlib.import_module(module), name)
        classes.append(cls)
    return tuple(classes)


KNOWN_ERRORS: tuple[type[BaseException], ...] = _load()
