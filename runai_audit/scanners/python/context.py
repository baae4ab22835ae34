"""What every Python detector shares while scanning one module: source lines, the index, the
resolver, locations and masked evidence, and the set of string nodes already used by a call."""

from __future__ import annotations

import ast
import re

from runai_audit.models import InputProblem, Location
from runai_audit.scanners.python.index import Index
from runai_audit.scanners.python.resolve import Resolver
from runai_audit.scanners.redact import mask_secrets

__all__ = ["Context"]

# Python's tokenizer ends lines only at these; str.splitlines() knows more and would miscount.
_LINE_END = re.compile(r"\r\n|\r|\n")
_EVIDENCE_MAX = 200


class Context:
    def __init__(self, source: str, path: str, line_offset: int, tree: ast.Module) -> None:
        self.path = path
        self.line_offset = line_offset
        self.lines = _LINE_END.split(source)
        self.index = Index(tree)
        self.resolver = Resolver(self.index)
        self.consumed: set[int] = set()  # ids of string nodes that fed a detected call
        self.problems: list[InputProblem] = []  # parts of the source refused by a reader

    def inside(self, node: ast.AST, ancestor: ast.AST) -> bool:
        """Whether `node` sits anywhere below `ancestor` in the tree."""
        current = self.index.parent(node)
        while current is not None:
            if current is ancestor:
                return True
            current = self.index.parent(current)
        return False

    def line(self, lineno: int) -> str:
        return self.lines[lineno - 1] if 0 < lineno <= len(self.lines) else ""

    def column(self, lineno: int, col_offset: int) -> int:
        """1-based character column from the parser's UTF-8 byte offset."""
        text = self.line(lineno)
        if text.isascii():
            return col_offset + 1
        return len(text.encode("utf-8")[:col_offset].decode("utf-8", "replace")) + 1

    def location(self, node: ast.AST) -> Location:
        lineno = getattr(node, "lineno", 0)
        col = getattr(node, "col_offset", 0)
        return self.at(lineno, self.column(lineno, col))

    def at(self, lineno: int, column: int) -> Location:
        return Location(self.path, lineno + self.line_offset, column)

    def evidence(self, lineno: int) -> str:
        masked = mask_secrets(self.line(lineno).strip())
        return masked if len(masked) <= _EVIDENCE_MAX else masked[: _EVIDENCE_MAX - 1] + "…"

    def find(self, node: ast.AST, needle: str) -> Location:
        """Where `needle` first appears in the source of `node` (the node itself if not found)."""
        start, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", None) or 0
        for lineno in range(start, max(start, end) + 1):
            text = self.line(lineno)
            begin = 0
            if lineno == start:
                begin = self.column(lineno, getattr(node, "col_offset", 0)) - 1
            found = text.find(needle, begin)
            if found >= 0:
                return self.at(lineno, found + 1)
        return self.location(node)
