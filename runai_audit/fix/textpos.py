"""Positions in decoded text: 1-based (line, column) <-> character offsets.

Scanners count columns in characters of the decoded text; lines end at \\n (a \\r before it
belongs to the line's end, not to any column a scanner reports).
"""

from __future__ import annotations

from bisect import bisect_right


class Lines:
    """Line starts of one text, for converting positions both ways."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        for index, char in enumerate(text):
            if char == "\n":
                self.starts.append(index + 1)

    def offset(self, line: int, column: int) -> int:
        """Character offset of (line, column); clamped to the text."""
        if line < 1:
            return 0
        if line > len(self.starts):
            return len(self.text)
        return min(self.starts[line - 1] + max(column, 1) - 1, len(self.text))

    def line_end(self, offset: int) -> int:
        """Offset of the \\n ending the line that holds `offset` (or the text's end)."""
        end = self.text.find("\n", offset)
        return len(self.text) if end < 0 else end

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column) of a character offset."""
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1
