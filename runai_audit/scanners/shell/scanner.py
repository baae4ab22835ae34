"""The shell scanner: HTTP calls (curl, wget, HTTPie, `kubectl --raw`) and runai command lines
in shell scripts and in shell text embedded elsewhere (Markdown fences, Dockerfile RUN lines,
Makefile recipes, notebook `!` lines, CI run steps).

Reading is split by job:
- `shell.words` (words and commands), `shell.wordread` + `shell.lexer` (the tokenizer);
- `shell.eval` decides what each command runs (wrappers, aliases, functions, variables), with
  `shell.vars` for assignments and positional parameters;
- `shell.curl`, `shell.http` (wget and what the clients share), `shell.httpie` and `shell.cli`
  read command lines; `shell.emit` turns them into observations;
- `shell.url` and `shell.json` shape URLs and bodies; `shell.positions` places offsets in files.
"""

from __future__ import annotations

from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.shell.eval import walk_commands, walk_source
from runai_audit.scanners.shell.positions import LineIndex, Locator, shifted_locator
from runai_audit.scanners.shell.words import Command, Word

__all__ = ["scan_commands", "scan_script", "scan_shell"]


def scan_shell(text: str, path: str, *, line_offset: int = 0, col_offset: int = 0) -> ScanResult:
    """Observations of a shell script.

    `text` may be a piece of a larger file: its first line is file line `line_offset + 1` and
    every column is shifted by `col_offset` (the indentation removed from a YAML block, say).
    """
    index = LineIndex(text)
    return scan_script(text, path, shifted_locator(path, index, line_offset, col_offset))


def scan_script(text: str, path: str, locate: Locator, *, dialect: str = "sh",
                known: dict[str, Word] | None = None) -> ScanResult:
    """Observations of a script whose offsets `locate` places in the file.

    dialect "make" reads Makefile recipes (`$(VAR)` is a make variable, `$$` the shell's `$`),
    "ipython" reads notebook `!` lines (`{expr}` is interpolated). `known` holds variables whose
    literal values were set outside the text (Makefile assignments).
    """
    return walk_source(text, path, locate, dialect, known)


def scan_commands(commands: list[Command], path: str, locate: Locator) -> ScanResult:
    """Observations of commands whose words were read by another parser (exec-form JSON arrays)."""
    return walk_commands(commands, path, locate)
