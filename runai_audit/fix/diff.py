"""Unified diffs of fixed files (a/ and b/ prefixes, as git and patch -p1 read them)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence


def file_diff(path: str, before: str, after: str) -> str:
    """The unified diff of one file; empty when nothing changed. A last line without a newline
    is marked the way diff marks it."""
    if before == after:
        return ""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    out = []
    for line in difflib.unified_diff(old, new, f"a/{path}", f"b/{path}", n=3):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out.append(line)
    return "".join(out)


def render_diffs(diffs: Sequence[str]) -> str:
    return "".join(d for d in diffs if d)
