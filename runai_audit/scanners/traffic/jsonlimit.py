"""A byte-stream filter that keeps JSON inside the bounded-input policy before any parser sees it.

Two things a streaming JSON parser cannot bound by itself:

- nesting: ijson keeps one prefix string per open level ("log.entries.item.a.a.a..."), so memory
  grows with the square of the depth (300 KB of `[` took 20 GB). Past MAX_DEPTH the stream stops
  with `TooDeep`; what was read before still counts.
- long strings: yajl re-reads a string that spans many pushes from its start on every push, so
  a long escaped string costs quadratic time. Strings are cut to MAX_JSON_STRING_BYTES and the
  rest of their content is dropped (still longer than any body limit, so still "too large").

String content never holds a raw newline, so dropping some keeps every line number. The common
case runs at C speed: escaped quotes are masked with bytes.replace, the chunk is split at quotes,
and the brackets outside strings are counted; only a chunk that may break a limit is walked in
Python.
"""

from __future__ import annotations

from typing import BinaryIO

from runai_audit.limits import MAX_DEPTH, MAX_JSON_STRING_BYTES
from runai_audit.scanners.traffic.rawstream import SourceStream

_MARK = 1  # what an escaped backslash or quote becomes in the marked copy (raw JSON never holds 0x01)
_ESCAPE_BYTES = (_MARK, ord("\\"))
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"{}[]")


class TooDeep(Exception):
    """The JSON nests deeper than the policy allows (raised by readers that see `too_deep`)."""

    def __init__(self) -> None:
        super().__init__(f"JSON nests deeper than {MAX_DEPTH} levels; the rest of the file is not read")


class JsonLimiter(SourceStream):
    """Reads `source` through the filter; see the module docstring."""

    def __init__(self, source: BinaryIO, max_string: int = MAX_JSON_STRING_BYTES) -> None:
        super().__init__(source)
        self._max_string = max_string
        self._in_string = False
        self._carry = b""  # an escape the last chunk ended inside, parsed with the next
        self._string_len = 0  # content bytes of the open string kept so far
        self._skipping = False  # dropping the rest of an over-long string
        self._depth = 0
        self._data = b""  # the chunk being filtered
        self._pending = b""  # filtered bytes not yet handed out
        # Past MAX_DEPTH the stream ends after what came before (raising here would lose what
        # a buffered read already holds); the reader checks `too_deep` and reports it.
        self.too_deep = False
        self.cut_strings = 0  # strings cut at max_string, reported by the reader

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        want = len(buffer)
        while not self._pending and not self.too_deep and (data := self._source.read(want)):
            self._pending = self.filter(data)  # may be empty (all dropped): no end of file
        if not self._pending and not self.too_deep:  # an escape cut by the end of file: the parser reports it
            self._pending, self._carry = self._carry, b""
        out, self._pending = self._pending[:want], self._pending[want:]
        buffer[: len(out)] = out
        return len(out)

    def filter(self, data: bytes) -> bytes:
        """The part of `data` to parse (an escape it ends inside waits for the next chunk);
        TooDeep past the nesting limit."""
        data = self._carry + data
        marks = _mark_pairs(data)
        parts = marks.split(b'"')
        in_string = self._in_string
        ends_in_string = in_string ^ (len(parts) % 2 == 0)
        held = _open_escape(data, marks) if ends_in_string else 0
        self._carry = data[len(data) - held :]
        if held:
            data, marks, parts[-1] = data[:-held], marks[:-held], parts[-1][:-held]
        inside = parts[0 if in_string else 1 :: 2]  # string contents (map: no Python per string)
        longest = max(map(len, inside), default=0)
        long = self._skipping or longest > self._max_string or (
            in_string and len(parts[0]) + self._string_len > self._max_string)
        if not self._check_depth(b"".join(parts[1 if in_string else 0 :: 2])):
            self.too_deep = True
            return self._before_too_deep(data, parts)
        self._data = data
        out = self._cut_long(data, marks, parts) if long else data
        self._in_string = ends_in_string
        if ends_in_string and not long:
            self._string_len = len(parts[-1]) + (self._string_len if len(parts) == 1 else 0)
        elif not ends_in_string:
            self._string_len = 0
        return out

    def _check_depth(self, outside: bytes) -> bool:
        """Track the nesting depth; False when this chunk goes past MAX_DEPTH."""
        brackets = outside.translate(None, _NOT_BRACKETS)
        opens = brackets.count(b"{") + brackets.count(b"[")
        if self._depth + opens > MAX_DEPTH and _deepest(self._depth, brackets) > MAX_DEPTH:
            return False
        self._depth = max(self._depth + 2 * opens - len(brackets), 0)
        return True

    def _before_too_deep(self, data: bytes, parts: list[bytes]) -> bytes:
        """`data` up to the bracket that goes past MAX_DEPTH, so what precedes it still parses."""
        depth, offset, in_string = self._depth, 0, self._in_string
        for part in parts:
            if not in_string:
                for position, byte in enumerate(part):
                    if byte in b"{[":
                        depth += 1
                        if depth > MAX_DEPTH:
                            return data[: offset + position]
                    elif byte in b"}]":
                        depth = max(depth - 1, 0)
            offset += len(part) + 1
            in_string = not in_string
        return data

    def _cut_long(self, data: bytes, marks: bytes, parts: list[bytes]) -> bytes:
        """Rebuild `data` with string content past the limit dropped (rare: walked in Python)."""
        pieces: list[bytes] = []
        offset = 0
        in_string = self._in_string
        for index, part in enumerate(parts):
            end = offset + len(part)
            if not in_string:
                pieces.append(data[offset:end])
            else:
                keep = self._keep(marks, offset, end, continuing=index == 0)
                pieces.append(data[offset:keep])
            if index < len(parts) - 1:
                pieces.append(b'"')
                in_string = not in_string
                self._skipping = False
                self._string_len = 0
            offset = end + 1
        return b"".join(pieces)

    def _keep(self, marks: bytes, start: int, end: int, continuing: bool) -> int:
        """Where to stop keeping string content in [start, end)."""
        if self._skipping:
            return start
        room = self._max_string - (self._string_len if continuing else 0)
        if end - start <= room:
            self._string_len = (self._string_len if continuing else 0) + end - start
            return end
        self._skipping = True
        self.cut_strings += 1
        return _safe_cut(self._data, marks, start, start + max(room, 0))


def _deepest(depth: int, brackets: bytes) -> int:
    deepest = depth
    for byte in brackets:
        depth = depth + 1 if byte in b"{[" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def _mark_pairs(data: bytes) -> bytes:
    """A same-length copy of `data` in which escaped backslashes and escaped quotes are _MARK
    bytes, so the quotes left are exactly the string boundaries and every backslash left starts
    an escape. (Pairs are taken from the left, as JSON does; bytes.replace runs at C speed.)"""
    return data.replace(b"\\\\", b"\x01\x01").replace(b'\\"', b"\x01\x01")


def _open_escape(data: bytes, marks: bytes) -> int:
    """How many bytes at the end of `data` (inside a string) are an unfinished escape (a lone
    backslash, `\\u` with fewer than four hex digits) or an unfinished UTF-8 character."""
    if marks.endswith(b"\\"):
        return 1
    escape = marks.rfind(b"\\u", max(0, len(marks) - 5))
    if escape >= 0:
        return len(marks) - escape
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 != 0x80:  # the last character's first byte
            size = 2 if byte & 0xE0 == 0xC0 else 3 if byte & 0xF0 == 0xE0 else 4 if byte & 0xF8 == 0xF0 else 1
            return back if size > back else 0
    return 0


def _safe_cut(data: bytes, marks: bytes, start: int, cut: int) -> int:
    """Move `cut` back so that it splits no escape nor character: the JSON stays valid."""
    while True:
        while cut > start and (marks[cut - 1] in _ESCAPE_BYTES or data[cut] & 0xC0 == 0x80):
            cut -= 1  # before an escape, or to the start of a UTF-8 character
        escape = marks.rfind(b"\\u", max(start, cut - 5), cut)
        if escape < 0:
            return cut
        cut = escape  # inside \\uXXXX: before its backslash
