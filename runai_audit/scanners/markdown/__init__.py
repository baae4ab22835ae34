"""Markdown scanner: fenced and indented code blocks in .md/.rst -> observations.

In: Markdown or reStructuredText. Out: ScanResult from each block's own scanner (shell, Python,
HTTP, manifests). `scan_markdown` (in `scanner`) is the entry.
May import: scanners.shell, scanners.manifest, scanners.python (late), scanners.text, models.
"""

from __future__ import annotations

from runai_audit.scanners.markdown.scanner import scan_markdown

__all__ = ["scan_markdown"]
