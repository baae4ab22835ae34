"""Indented code blocks of Markdown that hold runai or curl command lines.

An indented block is as often program output or configuration as it is commands, so one is read
as shell only when a line of it starts with `runai ` or `curl ` (a `$ ` prompt and `sudo` allowed).
Following CommonMark, a block needs a blank line before it, and indented text under a list item
or a MkDocs container (`!!! note`, `??? tip`, `=== "Tab"`) is that item's content, not code.
Lines of fenced blocks are never part of one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_COMMAND_LINE = re.compile(r"[ \t]*(?:\$[ \t]+)?(?:sudo[ \t]+)?(?:runai|curl)[ \t]")
_CONTAINER = re.compile(r"[ \t]*(?:(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)|!!!|\?\?\?|===)")
_CODE_INDENT = 4


def _indent(line: str) -> int:
    expanded = line.expandtabs(_CODE_INDENT)
    return len(expanded) - len(expanded.lstrip())


def indented_blocks(lines: list[str], fenced: Iterable[int]) -> list[tuple[int, list[str]]]:
    """(0-based index of the first line, lines) of every indented block holding a runai or curl
    command. `fenced` holds the indexes of lines that belong to fenced blocks (fences included)."""
    covered = frozenset(fenced)
    found: list[tuple[int, list[str]]] = []
    after_blank, in_container = True, False
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        if not line.strip():
            after_blank = True
            i += 1
            continue
        indent = _indent(line)
        if indent >= _CODE_INDENT and after_blank and not in_container and i not in covered:
            end = i
            while end < len(lines) and end not in covered and (not lines[end].strip() or _indent(lines[end]) >= _CODE_INDENT):
                end += 1
            while not lines[end - 1].strip():
                end -= 1
            body = [text.rstrip("\r") for text in lines[i:end]]
            if any(_COMMAND_LINE.match(text) for text in body):
                found.append((i, body))
            after_blank = False
            i = end
            continue
        container = bool(_CONTAINER.match(line))
        if indent == 0:
            in_container = container
        elif indent < _CODE_INDENT and container:
            in_container = True  # a nested list item
        after_blank = False
        i += 1
    return found
