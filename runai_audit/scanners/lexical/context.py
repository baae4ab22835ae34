"""Where a use is written: in code that runs, in documentation, or in a comment of code.

A finding's context decides how loud it is (config `contexts:`): a README that teaches
`runai submit` is migration debt to list, not a build to break. The answer comes from the
file kind and, in code, from the comment syntax of the line; Python comments and docstrings
are found with the tokenizer, so a `#` inside a string is not mistaken for one.
"""

from __future__ import annotations

import io
import re
import tokenize
from bisect import bisect_right
from dataclasses import dataclass, field

CODE = "code"
DOCS = "docs"
COMMENT = "comment"
CONTEXTS = (CODE, DOCS, COMMENT)

# File kinds that are prose by nature; "text" files are prose only with these endings.
DOCS_KINDS = frozenset({"markdown"})
DOCS_SUFFIXES = (".html", ".htm", ".txt", ".adoc", ".asciidoc", ".org", ".textile", ".tex", ".rst", ".md")
HASH_COMMENT_KINDS = frozenset({"shell", "yaml", "dockerfile", "makefile", "python", "json"})
# Line comments of the C family, and the continuation lines of block comments.
_SLASH_COMMENT = re.compile(r"(?:^|\s)//|^\s*(?:/\*|\*(?:\s|$))")
_HASH_COMMENT = re.compile(r"(?:^|\s)#")
_LEADING_HASH = re.compile(r"^\s*#")


def kind_context(kind: str, path: str) -> str | None:
    """DOCS for files that are prose, None when the line decides."""
    if kind in DOCS_KINDS:
        return DOCS
    if kind == "text" and path.lower().endswith(DOCS_SUFFIXES):
        return DOCS
    return None


@dataclass
class PythonComments:
    """Comment and docstring spans of a Python source, as (line, column) ranges."""

    starts: list[tuple[int, int]] = field(default_factory=list)
    ends: list[tuple[int, int]] = field(default_factory=list)

    def covers(self, line: int, column: int) -> bool:
        index = bisect_right(self.starts, (line, column)) - 1
        return index >= 0 and (line, column) < self.ends[index]


def python_comments(text: str) -> PythonComments | None:
    """Comments and docstrings (string statements) of a Python file; None when it does not
    tokenize (the line heuristic is used then)."""
    spans = PythonComments()
    previous = tokenize.NEWLINE
    pending: tokenize.TokenInfo | None = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = token.type
            if kind == tokenize.COMMENT:
                spans.starts.append((token.start[0], token.start[1] + 1))
                spans.ends.append((token.end[0], token.end[1] + 1))
            elif kind == tokenize.STRING and previous in (tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.NL):
                pending = token  # a string that opens a statement: a docstring if nothing follows
            elif kind in (tokenize.NEWLINE, tokenize.ENDMARKER) and pending is not None:
                spans.starts.append((pending.start[0], pending.start[1] + 1))
                spans.ends.append((pending.end[0], pending.end[1] + 1))
                pending = None
            elif kind not in (tokenize.NL, tokenize.COMMENT):
                pending = None
            if kind not in (tokenize.NL, tokenize.COMMENT):
                previous = kind
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return spans


@dataclass
class ContextReader:
    """The context of any (line, column) of one file; built lazily, once per file."""

    text: str
    kind: str
    path: str
    _lines: list[str] | None = None
    _python: PythonComments | None = None
    _python_done: bool = False

    def at(self, line: int, column: int) -> str:
        whole = kind_context(self.kind, self.path)
        if whole is not None:
            return whole
        if self.kind == "python":
            if not self._python_done:
                self._python, self._python_done = python_comments(self.text), True
            if self._python is not None:
                return COMMENT if self._python.covers(line, column) else CODE
        if self._lines is None:
            self._lines = self.text.split("\n")
        before = self._lines[line - 1][: column - 1] if 0 < line <= len(self._lines) else ""
        pattern = _HASH_COMMENT if self.kind in HASH_COMMENT_KINDS else _SLASH_COMMENT
        if pattern.search(before) or (self.kind not in HASH_COMMENT_KINDS and _LEADING_HASH.match(before)):
            return COMMENT
        return CODE
