"""Opening recorded-traffic files as bounded byte streams, and feeding them to ijson line by line.

Everything here reads in pieces of at most `PIECE_BYTES`, so no file - however large, compressed
or single-line - is ever held whole. Compressed input (gzip by its magic bytes, zlib for `.zhar`)
is inflated through a streaming decompressor that stops with `InputTooLarge` once the inflated
size passes the caller's limit, which is what keeps a decompression bomb harmless.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import ijson

from runai_audit.limits import INFLATE_RATIO_FREE_BYTES, MAX_INFLATE_RATIO, open_regular
from runai_audit.scanners.traffic.jsonlimit import JsonLimiter
from runai_audit.scanners.traffic.rawstream import SourceStream

PIECE_BYTES = 1 << 16
GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

JsonEvent = tuple[str, str, object]


class InputTooLarge(Exception):
    """The inflated stream passed the configured limit."""

    def __init__(self, limit: int, ratio: bool = False) -> None:
        super().__init__(
            f"decompresses more than {MAX_INFLATE_RATIO} times its compressed size (a decompression bomb?)"
            if ratio else f"decompressed size exceeds {limit} bytes"
        )
        self.limit = limit


class CorruptCompression(Exception):
    """The compressed stream is damaged or ends early."""


class UnsupportedEncoding(Exception):
    """The file is text in an encoding other than UTF-8 (a UTF-16 BOM)."""


class BadJson(Exception):
    """Truncated JSON. (The parser's own messages quote the input, so they are never shown.)"""


class _Inflater(SourceStream):
    """A raw stream inflating gzip (every member) or zlib data, capped at `limit` bytes out."""

    def __init__(self, source: BinaryIO, wbits: int, limit: int) -> None:
        super().__init__(source)
        self._wbits = wbits
        self._limit = limit
        self._inflater = zlib.decompressobj(wbits)
        self._out = 0
        self._in = 0  # compressed bytes read, for the ratio cap
        self._pending = b""
        self._done = False

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        want = len(buffer)
        while not self._pending and not self._done:
            self._pending = self._inflate_more(want)
        data, self._pending = self._pending[:want], self._pending[want:]
        self._out += len(data)
        if self._out > self._limit:
            raise InputTooLarge(self._limit)
        if self._out > INFLATE_RATIO_FREE_BYTES and self._out > MAX_INFLATE_RATIO * max(self._in, 1):
            raise InputTooLarge(self._limit, ratio=True)
        buffer[: len(data)] = data
        return len(data)

    def _inflate_more(self, want: int) -> bytes:
        try:
            # eof first: at the end of a member zlib may still report the bytes after it as
            # unconsumed_tail, and inflating those again returns nothing, forever
            if self._inflater.eof:
                return self._next_member(want)
            data = self._inflater.unconsumed_tail or self._read()
            if not data:
                self._done = True
                raise CorruptCompression("compressed stream ends early (truncated file?)")
            return self._inflater.decompress(data, want)
        except zlib.error as exc:
            self._done = True
            raise CorruptCompression("compressed stream is corrupt") from exc

    def _read(self) -> bytes:
        chunk = self._source.read(PIECE_BYTES)
        self._in += len(chunk)
        return chunk

    def _next_member(self, want: int) -> bytes:
        """Start the next gzip member (concatenated .gz files are valid gzip); zero padding
        after the last member is ignored, as gzip(1) does; anything else is reported."""
        rest = self._inflater.unused_data
        while len(rest.lstrip(b"\x00")) < 2 and (chunk := self._read()):
            rest += chunk
        rest = rest.lstrip(b"\x00")
        if not rest:
            self._done = True
            return b""
        if self._wbits == zlib.MAX_WBITS or not rest.startswith(GZIP_MAGIC):
            self._done = True
            raise CorruptCompression("unexpected bytes after the compressed data (ignored from there)")
        self._inflater = zlib.decompressobj(self._wbits)
        return self._inflater.decompress(rest, want)


def open_stream(file: Path, max_inflated: int, json: bool = False) -> BinaryIO:
    """Open `file` for buffered reading, inflating gzip / zlib and skipping a UTF-8 BOM;
    `json` passes it through JsonLimiter (nesting and string length within the policy).

    Raises OSError when the file cannot be opened, UnsupportedEncoding for UTF-16 text.
    """
    raw = open_regular(file)  # never a FIFO or device: they block or never end
    head = raw.read(2)
    raw.seek(0)
    stream: BinaryIO
    if head == GZIP_MAGIC:
        stream = io.BufferedReader(_Inflater(raw, 16 + zlib.MAX_WBITS, max_inflated), PIECE_BYTES)
    elif file.name.lower().endswith(".zhar") and _looks_like_zlib(head):
        stream = io.BufferedReader(_Inflater(raw, zlib.MAX_WBITS, max_inflated), PIECE_BYTES)
    else:
        stream = raw
    start = stream.peek(3)[:3] if isinstance(stream, io.BufferedReader) else b""
    if start.startswith(UTF8_BOM):
        stream.read(3)
    elif start[:2] in UTF16_BOMS:
        stream.close()
        raise UnsupportedEncoding("UTF-16 text is not supported; save the file as UTF-8")
    return io.BufferedReader(JsonLimiter(stream), PIECE_BYTES) if json else stream


def _looks_like_zlib(head: bytes) -> bool:
    return len(head) == 2 and head[0] & 0x0F == 8 and (head[0] * 256 + head[1]) % 31 == 0


def inflate_head(head: bytes) -> bytes:
    """The first inflated bytes of a gzip head, for sniffing; b"" when it cannot be inflated."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, PIECE_BYTES)
    except zlib.error:
        return b""


def read_pieces(stream: BinaryIO) -> Iterator[tuple[int, bool, bytes]]:
    """Yield (line number, starts_line, piece): whole lines, or pieces of at most PIECE_BYTES of
    a longer line. Line numbers are 1-based and count newlines already read."""
    line = 1
    at_start = True
    readline = stream.readline
    while True:
        piece = readline(PIECE_BYTES)
        if not piece:
            return
        yield line, at_start, piece
        at_start = piece.endswith(b"\n")
        if at_start:
            line += 1


class Segmenter:
    """Cuts a JSON stream into pieces for the parser so that records get exact line numbers.

    While learning, it yields one line at a time (a long line in PIECE_BYTES pieces). Once the
    caller has seen the first record open a line and calls `learn(line)`, the record's indent
    (say six spaces and `{`) becomes a marker: from then on it yields 64 KB chunks, cut just
    before every line that starts with the marker, so each record still begins a piece while the
    parser is called a few times per record instead of once per line. `stop_learning()` (the
    first record did not open its line: a minified file) switches to plain chunks.

    Yields (line number of the piece's first byte, starts at a line start, piece).
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._learning = True
        self._marker = b""

    def learn(self, line: bytes) -> None:
        if self._learning:
            indent = line[: line.find(b"{") + 1]
            if indent.endswith(b"{") and not indent[:-1].strip(b" \t"):
                self._marker = b"\n" + indent
            self._learning = False

    def stop_learning(self) -> None:
        self._learning = False

    @property
    def marker(self) -> bytes:
        """The learnt opening of a record's line (indent and `{`), b"" when none was learnt."""
        return self._marker[1:]

    def __iter__(self) -> Iterator[tuple[int, bool, bytes]]:
        line = 1
        at_start = True
        readline, read = self._stream.readline, self._stream.read
        while self._learning:
            piece = readline(PIECE_BYTES)
            if not piece:
                return
            yield line, at_start, piece
            at_start = piece.endswith(b"\n")
            line += at_start
        while chunk := read(PIECE_BYTES):
            if not chunk.endswith(b"\n"):
                chunk += readline(PIECE_BYTES)  # finish the line when it is short
            start = 0
            marker = self._marker
            while marker and (cut := chunk.find(marker, start)) >= 0:
                piece = chunk[start : cut + 1]
                yield line, at_start, piece
                line += piece.count(b"\n")
                at_start = True
                start = cut + 1
            piece = chunk[start:] if start else chunk
            if piece:
                yield line, at_start, piece
                line += piece.count(b"\n")
                at_start = piece.endswith(b"\n")


def opens_first_line(piece: bytes) -> bool:
    """Does the first `{` of the piece sit on its first line, after nothing but indentation?"""
    brace = piece.find(b"{")
    return brace >= 0 and not piece[:brace].strip(b" \t")


class JsonFeed:
    """Feeds pieces to ijson's push parser; the events each piece completes land in `events`.

    Because a piece never spans two lines, every event produced by one `push` belongs to that
    piece's line: that is how HAR and Postman entries get an exact line number at no extra
    parsing cost. `push` is the parser's own bound method (the hot loop of a gigabyte file calls
    it millions of times) and raises ijson.JSONError on invalid input; callers empty `events`
    after each push.
    """

    def __init__(self, multiple_values: bool = False) -> None:
        self.events: list[JsonEvent] = ijson.sendable_list()
        self._coro = ijson.parse_coro(self.events, use_float=True, multiple_values=multiple_values)
        self.push = self._coro.send

    def close(self) -> list[JsonEvent]:
        """Finish and return the last events; BadJson when the input ends inside a value."""
        events = self.events
        del events[:]
        try:
            self._coro.close()
        except ijson.JSONError:
            raise BadJson("the file ends inside a JSON value (truncated?)") from None
        return events
