"""Turn character offsets into file locations, and move observations found in an embedded text.

Every scanner of this family works on character offsets into some text (a script, a fenced
block, a notebook cell) and needs 1-based file line/column. A `Locator` is that mapping. When an
embedded text was scanned by a scanner that only knows its own coordinates (the Python scanner on
a notebook cell), `relocate` rewrites every location of the observations it returned.
"""

from __future__ import annotations

import bisect
import dataclasses
from collections.abc import Callable, Sequence

from runai_audit.models import ApiCall, Location, ManifestObject, Observation

Locator = Callable[[int], Location]


class LineIndex:
    """Offsets <-> (line, column) for one text; both 1-based, columns counted in characters."""

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        pos = find("\n")
        while pos >= 0:
            starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self.starts = starts
        self.length = len(text)

    def position(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, self.length))
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def offset(self, line: int, column: int) -> int | None:
        """The offset of a (line, column); None when the line does not exist."""
        if line < 1 or line > len(self.starts):
            return None
        return self.starts[line - 1] + max(column, 1) - 1


def shifted_locator(path: str, index: LineIndex, line_offset: int = 0, col_offset: int = 0) -> Locator:
    """Offsets of a text that starts `line_offset` lines down and is indented `col_offset`."""

    def locate(offset: int) -> Location:
        line, col = index.position(offset)
        return Location(path, line + line_offset, col + col_offset)

    return locate


def mapped_locator(path: str, offsets: Sequence[int], target: LineIndex, pointer: str = "") -> Locator:
    """Offsets of a derived text whose characters came from `offsets` in another text.

    Used when a text was rebuilt from pieces of a file (JSON strings of a notebook): each character
    of the derived text knows where it sits in the file.
    """

    def locate(offset: int) -> Location:
        if not offsets:
            return Location(path, 0, 0, pointer)
        raw = offsets[min(max(offset, 0), len(offsets) - 1)]
        if raw < 0:
            return Location(path, 0, 0, pointer)
        line, col = target.position(raw)
        return Location(path, line, col)

    return locate


def _move(loc: Location | None, fn: Callable[[Location], Location]) -> Location | None:
    return None if loc is None else fn(loc)


def relocate(obs: Observation, fn: Callable[[Location], Location]) -> Observation:
    """The same observation with every location (call, query names, body fields) passed through fn."""
    if isinstance(obs, ApiCall):
        return dataclasses.replace(
            obs,
            location=fn(obs.location),
            query=tuple(dataclasses.replace(q, location=_move(q.location, fn)) for q in obs.query),
            body=tuple(dataclasses.replace(b, location=_move(b.location, fn)) for b in obs.body),
        )
    if isinstance(obs, ManifestObject):  # its field refs carry their own locations
        fields = tuple(dataclasses.replace(f, location=fn(f.location)) for f in obs.fields)
        return dataclasses.replace(obs, location=fn(obs.location), fields=fields)
    return dataclasses.replace(obs, location=fn(obs.location))
