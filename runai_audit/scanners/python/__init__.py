"""Python scanner: source text -> observations (HTTP calls, SDK calls, field reads, manifests).

In: the text of a .py file (or a block of a notebook or Markdown file). Out: ScanResult.
`scan_python` (in `scanner`) is the entry; the rest resolve names, URLs and bodies.
May import: scanners.base, scanners.redact, knowledge.paths, models.
"""

from __future__ import annotations

from runai_audit.scanners.python.scanner import scan_python

__all__ = ["scan_python"]
