"""The errors that mean "the tool could not do its job" (exit 3, one clear line, no traceback).

Each lives beside the code that raises it; this module only lists them for the CLI.
"""

from __future__ import annotations

import importlib

ERROR_CLASSES = (
    ("runai_audit.api", "ScanError"),
    ("runai_audit.catalog", "CatalogError"),
    ("runai_audit.specs", "SpecError"),
    ("runai_audit.config", "ConfigError"),
    ("runai_audit.baseline", "BaselineError"),
    ("runai_audit.changed", "GitError"),
    ("runai_audit.spec_fetch", "FetchError"),
    ("runai_audit.history", "HistoryError"),
    ("runai_audit.merge", "MergeError"),
)


def _load() -> tuple[type[BaseException], ...]:
    classes = []
    for module, name in ERROR_CLASSES:
        cls = getattr(importlib.import_module(module), name)
        classes.append(cls)
    return tuple(classes)


KNOWN_ERRORS: tuple[type[BaseException], ...] = _load()
