"""Shell scanner: scripts -> observations for curl, wget, httpie, kubectl and runai commands.

In: the text of a shell script (or a Dockerfile RUN, a Makefile recipe, a notebook cell).
Out: ScanResult. `scan_shell` (in `scanner`) is the entry: lexer -> words -> eval -> emit.
May import: scanners.base, scanners.redact, models.
"""

from __future__ import annotations

from runai_audit.scanners.shell.scanner import scan_shell

__all__ = ["scan_shell"]
