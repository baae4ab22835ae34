"""Kubernetes objects written in Markdown code blocks, read by the manifest scanner.

A yaml, yml or json block is a manifest when it has both an `apiVersion` and a `kind` key; an
unlabelled block when, besides, its first line of content (after comments and `---`) is one of
those keys. Shell blocks keep their here-documents (`kubectl apply -f - <<EOF`). Locations are
the file's own: a block's common indentation (list items) is removed and given back in columns.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from runai_audit.models import InputProblem, Location
from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.manifest.heredoc import scan_shell_heredocs
from runai_audit.scanners.manifest.scanner import scan_manifest
from runai_audit.scanners.shell.positions import relocate

MANIFEST_LANGS = frozenset({"yaml", "yml", "json"})
# `apiVersion:` / `- kind:` at the start of a line (YAML) or `"apiVersion":` anywhere (JSON)
_MANIFEST_KEY = re.compile(r'(?:^[ \t]*(?:-[ \t]+)?|")(apiVersion|kind)"?[ \t]*:', re.M)
_OPENS_MANIFEST = re.compile(r"[ \t]*(?:apiVersion|kind)[ \t]*:")


def holds_manifest(language: str, lines: list[str]) -> bool:
    if {m.group(1) for m in _MANIFEST_KEY.finditer("\n".join(lines))} != {"apiVersion", "kind"}:
        return False
    if language in MANIFEST_LANGS:
        return True
    first = next((line for line in lines if line.strip() and not line.lstrip().startswith(("#", "---"))), "")
    return language == "" and bool(_OPENS_MANIFEST.match(first))


def scan_manifest_block(lines: list[str], first_line: int, path: str) -> ScanResult:
    """The manifest scanner on a block whose first line is file line `first_line + 1`."""
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    text = "\n".join(line[cut:] for line in lines)
    return scan_manifest(text, path, line_offset=first_line, col_offset=cut)


def scan_block_heredocs(text: str, first_line: int, path: str) -> ScanResult:
    """Manifests in the here-documents of a shell block whose first line is file line `first_line + 1`."""
    found = scan_shell_heredocs(text, path)
    shift: Callable[[Location], Location] = lambda loc: (  # noqa: E731
        Location(loc.path, loc.line + first_line, loc.column, loc.pointer) if loc.line else loc)
    return ScanResult(
        observations=[relocate(o, shift) for o in found.observations],
        problems=[InputProblem(p.path, p.reason, p.line + first_line if p.line else 0) for p in found.problems],
    )
