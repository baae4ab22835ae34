"""Make Helm (Go template) and Jinja manifests readable as YAML without moving anything.

Every tag is overwritten in place, so every line and column the YAML parser reports is still
the right one in the original file. A tag that produces text (`{{ .Values.image }}`) becomes
filler characters of the same length, a plain scalar to YAML; a tag that produces nothing
(Jinja `{% ... %}` statements and `{# ... #}` comments, Helm `if`/`else`/`end`/`range`/
`with`/`define`, assignments and comments) becomes spaces. A line that held nothing but tags
(`{{- if .Values.x }}`, `{{ toYaml .Values.resources | nindent 4 }}`) is blanked: such lines
are control flow or whole generated blocks, and as filler they would break the indentation.
Both branches of an `if` are kept, which YAML tolerates (a list gets both items, a mapping
repeats a key).

The masked spans are remembered so that scalars touched by a template are known to be
unresolved: their values are not trusted, a templated key becomes `{*}` in field paths.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field

FILLER = "_"
_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_OPEN = re.compile(r"\{\{|\{%|\{#")
# Helm actions that print nothing: control flow, definitions, assignments, comments.
_SILENT_ACTION = re.compile(r"^\{\{-?\s*(?:if|else|end|range|with|define|break|continue|/\*|\$\w+\s*:?=)")


class TemplateError(ValueError):
    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line  # 0-based


@dataclass
class Masked:
    text: str
    # 0-based line -> [(start column, end column)) that were template text
    spans: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    # Blanking a line removes its characters: where (offset in `text`) and how many in all so
    # far, so that an offset in `text` can be turned back into one in the original.
    removed_at: list[int] = field(default_factory=list)
    removed_total: list[int] = field(default_factory=list)

    def source_index(self, index: int) -> int:
        """The offset in the original text of offset `index` in the masked text."""
        before = bisect_left(self.removed_at, index)
        return index + (self.removed_total[before - 1] if before else 0)

    def touches(self, line: int, column: int, end_line: int, end_column: int) -> bool:
        """Whether the region [line:column, end_line:end_column) overlaps a masked span."""
        for number in range(line, end_line + 1):
            for start, end in self.spans.get(number, ()):
                lo = column if number == line else 0
                hi = end_column if number == end_line else 1 << 30
                if start < hi and end > lo:
                    return True
        return False


def has_template(text: str) -> bool:
    return "{{" in text or "{%" in text


def tag_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of every template tag, in order."""
    spans: list[tuple[int, int]] = []
    position = 0
    while True:
        found = _OPEN.search(text, position)
        if found is None:
            return spans
        closer = _OPENERS[found.group()]
        end = text.find(closer, found.end())
        if end < 0:
            line = text.count("\n", 0, found.start())
            raise TemplateError(f"template tag {found.group()} opened here is never closed", line)
        spans.append((found.start(), end + len(closer)))
        position = end + len(closer)


def mask_templates(text: str, hidden: Sequence[tuple[int, int]] = ()) -> Masked:
    """The text with template tags masked; raises TemplateError for an unclosed tag.

    `hidden` character ranges (the branches of an if/else that this reading leaves out) are
    masked like tags that print nothing.
    """
    chars = list(text)
    spans = tag_spans(text)
    tag_chars: set[int] = set()  # characters of every tag
    silent_chars: set[int] = set()  # of those, the tags that print nothing
    for start, end in spans:
        tag = text[start:end]
        silent = tag.startswith(("{%", "{#")) or bool(_SILENT_ACTION.match(tag))
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = " " if silent else FILLER
                tag_chars.add(i)
                if silent:
                    silent_chars.add(i)
    for start, end in hidden:
        for i in range(start, end):
            if chars[i] not in "\r\n":
                chars[i] = " "
                tag_chars.add(i)
                silent_chars.add(i)
    masked = Masked(text="")
    lines_out: list[str] = []
    offset = out_offset = 0
    for number, line in enumerate("".join(chars).split("\n")):
        covered = [i for i in range(len(line)) if offset + i in tag_chars]
        offset += len(line) + 1
        if covered:
            rest = "".join(c for i, c in enumerate(line) if offset - len(line) - 1 + i not in tag_chars)
            if not rest.strip():
                # A line of tags only: control flow or a generated block; keep just its "\r".
                blank = "\r" if line.endswith("\r") else ""
                masked.removed_at.append(out_offset)
                masked.removed_total.append((masked.removed_total or [0])[-1] + len(line) - len(blank))
                line = blank
            else:
                printed = [c for c in covered if offset - len(line) - 1 + c not in silent_chars]
                if printed:
                    masked.spans[number] = _runs(printed)
        lines_out.append(line)
        out_offset += len(line) + 1
    masked.text = "\n".join(lines_out)
    return masked


def _runs(columns: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for column in columns:
        if runs and runs[-1][1] == column:
            runs[-1] = (runs[-1][0], column + 1)
        else:
            runs.append((column, column + 1))
    return runs
