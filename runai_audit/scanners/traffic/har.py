"""HAR 1.2 (browser and proxy exports), streamed with ijson: memory is bounded by the largest
single entry, never by the file.

Two parsers share the input. ijson's C builder assembles each `log.entries` item (the fast
path, no Python per JSON token); a Python event parser reads only the head of the file, to check
that it is a HAR and to see how the first entry is laid out. When that entry opens its own line
(browsers write one key per line), its indentation is learnt and the input is cut into pieces
just before each line that opens an entry the same way, so every entry gets its exact start
line for free. In a minified file the line is left 0 and the JSON pointer `/log/entries/N`
locates the entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from runai_audit.models import InputProblem, Location, Observation
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.traffic.guard import guarded
from runai_audit.scanners.traffic.har_entry import entry_observations, request_of
from runai_audit.scanners.traffic.hosts import Verdict
from runai_audit.scanners.traffic.options import TrafficOptions
from runai_audit.scanners.traffic.sink import RequestSink
from runai_audit.scanners.traffic.streams import BadJson, JsonFeed, Segmenter, opens_first_line
from runai_audit.scanners.traffic.urls import split_url

ENTRY = "log.entries.item"


class _HeadProbe:
    """Reads events up to the first entry: is this a HAR, and where does the first entry open?"""

    def __init__(self, pieces: Segmenter) -> None:
        self.pieces = pieces
        self.feed = JsonFeed()
        self.active = True
        self.root_map = self.log_map = self.entries_array = False
        self.first_line = 0

    def push(self, piece: bytes, line: int, at_start: bool) -> None:
        events = self.feed.events
        self.feed.push(piece)
        for position, (prefix, event, _) in enumerate(events):
            if event == "start_map" and prefix == ENTRY:
                exact = at_start and position == 0 and opens_first_line(piece)
                self.first_line = line if exact else 0
                self.pieces.learn(piece) if exact else self.pieces.stop_learning()
                self.active = False
                break
            if prefix == "" and event == "start_map":
                self.root_map = True
            elif prefix == "log" and event == "start_map":
                self.log_map = True
            elif prefix == "log.entries" and event == "start_array":
                self.entries_array = True
        del events[:]

    @property
    def is_har(self) -> bool:
        return not self.active or (self.root_map and self.log_map and self.entries_array)


class _HarScan:
    def __init__(self, path: str, stats: StreamStats, options: TrafficOptions) -> None:
        self.path = path
        self.options = options
        self.sink = RequestSink(path, stats, options.hosts)
        self.sink.max_body_kb = options.max_body_kb
        self.line = 0

    def run(self, stream: BinaryIO) -> Iterator[Observation]:
        built = ijson.sendable_list()
        entries = ijson.items_coro(built, ENTRY, use_float=True)
        pieces = Segmenter(stream)
        probe = _HeadProbe(pieces)
        index = 0
        start = 0  # line where the entry being read opened
        fresh = False  # `start` belongs to the entry being read (not to one already finished)
        line, piece = 1, b""
        for line, at_start, piece in pieces:
            self.line = line
            if probe.active:
                probe.push(piece, line, at_start)
                if not probe.active:  # the first entry opened in this piece
                    start, fresh = probe.first_line, bool(probe.first_line)
            elif not fresh and at_start and pieces.marker and piece.startswith(pieces.marker):
                start, fresh = line, True
            try:
                entries.send(piece)
            except ijson.JSONError:  # a piece may span lines: name them all
                last = line + piece.rstrip(b"\n").count(b"\n")
                raise BadJson("invalid JSON" + (f" (lines {line}-{last})" if last > line else "")) from None
            for entry in built:
                yield from self._entry(entry, index, start if fresh else 0)
                fresh = False
                index += 1
            del built[:]
        self.line = line + piece.rstrip(b"\n").count(b"\n")  # the last line read
        try:
            entries.close()
        except ijson.JSONError:
            raise BadJson("the file ends inside a JSON value (truncated?)") from None
        if not probe.is_har:
            self.sink.stats.problems.append(InputProblem(self.path, "not a HAR file: no log.entries array"))

    def _entry(self, entry: Any, index: int, line: int) -> tuple[Observation, ...]:
        url_text = request_of(entry).get("url") if isinstance(entry, dict) else None
        if not isinstance(url_text, str) or not url_text.strip():
            self.sink.stats.entries += 1
            self.sink.stats.unmatched += 1
            return ()
        url = split_url(url_text)
        location = Location(self.path, line, 0, f"/log/entries/{index}")

        def build(verdict: Verdict) -> tuple[Observation, ...]:
            found, too_large = entry_observations(entry, url, location, verdict, self.options.max_body_kb * 1024)
            self.sink.big_bodies += too_large
            return found

        return self.sink.offer(url.host, url.path, build)


def scan_har(
    file: Path, path: str, stats: StreamStats, options: TrafficOptions | None = None
) -> Iterator[Observation]:
    """Observations for the Run:ai requests recorded in a HAR file (.har, .har.gz, .zhar)."""
    scan = _HarScan(path, stats, options or TrafficOptions())
    yield from guarded(file, path, stats, scan.options.max_inflated_bytes, scan.run, lambda: scan.line, json=True)
    scan.sink.finish()
