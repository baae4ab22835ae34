"""HAR 1.2 (browser and proxy exports), streamed event by event with ijson.

The file is fed to the parser a line (or a 64 KB piece of a long line) at a time, so memory
stays flat whatever the size, and every entry whose `{` opens its line gets an exact line
number (browsers write one key per line; in a minified file the line is left 0 and the JSON
pointer `/log/entries/N` locates the entry). Only the handful of fields the audit needs are
picked out of the event stream; response bodies, cookies and all other header values pass by
without being kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from runai_audit.models import ApiCall, BodyField, InputProblem, Location, Observation, Usage
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.traffic.bodies import (
    form_fields,
    is_form_type,
    is_json_type,
    json_fields,
    urlencoded_fields,
)
from runai_audit.scanners.traffic.guard import guarded
from runai_audit.scanners.traffic.hosts import Verdict
from runai_audit.scanners.traffic.options import TrafficOptions
from runai_audit.scanners.traffic.signals import SIGNAL_HEADERS, caller_name, response_signals
from runai_audit.scanners.traffic.sink import RequestSink
from runai_audit.scanners.traffic.streams import JsonFeed, Segmenter, opens_first_line
from runai_audit.scanners.traffic.times import iso_utc
from runai_audit.scanners.traffic.urls import evidence, merge_names, query_params, split_url

_E = "log.entries.item"
# Prefix -> what it is; everything else in the event stream is skipped with one dict lookup.
# Request and response header items share codes (they differ only in where the item goes).
(HEADER, RESP_HEADER, HEADER_NAME, HEADER_VALUE, HEADER_PAIR, ENTRY, STARTED, METHOD, URL,
 QUERY_NAME, MIME, TEXT, PARAM, PARAM_NAME, PARAM_VALUE, LOG, ENTRIES, ROOT) = range(18)
_PREFIXES = {
    _E: ENTRY,
    f"{_E}.startedDateTime": STARTED,
    f"{_E}.request.method": METHOD,
    f"{_E}.request.url": URL,
    f"{_E}.request.headers.item": HEADER,
    f"{_E}.request.headers.item.name": HEADER_NAME,
    f"{_E}.request.headers.item.value": HEADER_VALUE,
    f"{_E}.request.headers.item.item": HEADER_PAIR,
    f"{_E}.response.headers.item": RESP_HEADER,
    f"{_E}.response.headers.item.name": HEADER_NAME,
    f"{_E}.response.headers.item.value": HEADER_VALUE,
    f"{_E}.response.headers.item.item": HEADER_PAIR,
    f"{_E}.request.queryString.item.name": QUERY_NAME,
    f"{_E}.request.postData.mimeType": MIME,
    f"{_E}.request.postData.text": TEXT,
    f"{_E}.request.postData.params.item": PARAM,
    f"{_E}.request.postData.params.item.name": PARAM_NAME,
    f"{_E}.request.postData.params.item.value": PARAM_VALUE,
    "log": LOG,
    "log.entries": ENTRIES,
    "": ROOT,
}
_REQUEST_HEADERS = frozenset({"user-agent", "content-type"})
_OPENERS = frozenset({"start_map", "start_array"})
_CLOSERS = frozenset({"end_map", "end_array"})


@dataclass
class _Entry:
    index: int
    line: int
    started: str = ""
    method: str = ""
    url: str = ""
    user_agent: str = ""
    content_type: str = ""
    mime: str = ""
    text: str | None = None
    query: list[str] = field(default_factory=list)
    params: list[tuple[str, object]] = field(default_factory=list)
    signals: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Item:
    """A header or form parameter being read: {name, value} or [name, value]."""

    response: bool = False
    name: object = None
    value: object = None
    pair: list[object] = field(default_factory=list)

    def resolved(self) -> tuple[str, object]:
        if self.pair:
            name = self.pair[0]
            value = self.pair[1] if len(self.pair) > 1 else None
        else:
            name, value = self.name, self.value
        return (name if isinstance(name, str) else ""), value


class _HarScan:
    def __init__(self, path: str, stats: StreamStats, options: TrafficOptions) -> None:
        self.path = path
        self.options = options
        self.sink = RequestSink(path, stats, options.hosts)
        self.sink.max_body_kb = options.max_body_kb
        self.line = 0
        self.root_ok = False
        self.saw_log = False
        self.saw_entries = False

    def run(self, stream: BinaryIO) -> Iterator[Observation]:
        feed = JsonFeed()
        events, push = feed.events, feed.push
        pieces = Segmenter(stream)
        prefixes = _PREFIXES
        entry: _Entry | None = None
        item = _Item()
        count = 0
        for line, at_start, piece in pieces:
            self.line = line
            push(piece)
            if events:
                opened_here = 0
                for prefix, event, value in events:
                    kind = prefixes.get(prefix)
                    if kind is None:
                        continue
                    if entry is None:
                        if kind == ENTRY and event == "start_map":
                            exact = at_start and not opened_here and events[0][0] == _E and opens_first_line(piece)
                            if count == 0:
                                pieces.learn(piece) if exact else pieces.stop_learning()
                            entry = _Entry(count, line if exact else 0)
                            opened_here += 1
                            count += 1
                        else:
                            self._structure(kind, event)
                    elif kind <= HEADER_PAIR:  # the frequent ones: header items
                        if kind == HEADER_NAME:
                            item.name = value
                        elif kind == HEADER_VALUE:
                            item.value = value
                        elif kind == HEADER_PAIR:
                            item.pair.append(value)
                        elif event in _OPENERS:
                            item = _Item(response=kind == RESP_HEADER)
                        elif event in _CLOSERS:
                            self._item_done(entry, item)
                    elif kind == ENTRY:
                        if event == "end_map":
                            yield from self._finish(entry)
                            entry = None
                    elif kind == STARTED:
                        entry.started = str(value)
                    elif kind == METHOD:
                        entry.method = str(value)
                    elif kind == URL:
                        entry.url = str(value)
                    elif kind == QUERY_NAME:
                        entry.query.append(str(value))
                    elif kind == MIME:
                        entry.mime = str(value)
                    elif kind == TEXT:
                        entry.text = value if isinstance(value, str) else None
                    elif kind == PARAM:
                        if event in _OPENERS:
                            item = _Item()
                        elif event in _CLOSERS:
                            entry.params.append(item.resolved())
                    elif kind == PARAM_NAME:
                        item.name = value
                    elif kind == PARAM_VALUE:
                        item.value = value
                del events[:]
        feed.close()
        if not (self.root_ok and self.saw_log and self.saw_entries):
            self.sink.stats.problems.append(InputProblem(self.path, "not a HAR file: no log.entries array"))

    def _structure(self, kind: int, event: str) -> None:
        if kind == ROOT and event == "start_map":
            self.root_ok = True
        elif kind == LOG and event == "start_map":
            self.saw_log = True
        elif kind == ENTRIES and event == "start_array":
            self.saw_entries = self.saw_log

    @staticmethod
    def _item_done(entry: _Entry, item: _Item) -> None:
        """Keep the one header value we need from a request or a response, drop the rest."""
        name, value = item.resolved()
        lower = name.lower()
        wanted = SIGNAL_HEADERS if item.response else _REQUEST_HEADERS
        if lower not in wanted:
            return
        text = value if isinstance(value, str) else "" if value is None else str(value)
        if item.response:
            entry.signals.append((lower, text))
        elif lower == "user-agent":
            entry.user_agent = text
        else:
            entry.content_type = text

    def _finish(self, entry: _Entry) -> tuple[Observation, ...]:
        if not entry.url:
            self.sink.stats.entries += 1
            self.sink.stats.unmatched += 1
            return ()
        url = split_url(entry.url)

        def build(verdict: Verdict) -> tuple[Observation, ...]:
            return self._observations(entry, url.url, url.path, merge_names(entry.query, url.query_names), verdict)

        return self.sink.offer(url.host, url.path, build)

    def _observations(
        self, entry: _Entry, url: str, path: str, names: tuple[str, ...], verdict: Verdict
    ) -> tuple[Observation, ...]:
        method = (entry.method or "*").upper()
        location = Location(self.path, entry.line, 0, f"/log/entries/{entry.index}")
        seen = iso_utc(entry.started)
        callers = (caller_name(entry.user_agent),) if entry.user_agent else ()
        usage = Usage(1, seen, seen, callers)
        call = ApiCall(
            method=method,
            url=url,
            location=location,
            query=query_params(names),
            body=self._body(entry),
            confidence=verdict.confidence,
            evidence=evidence(method, path),
            runai_hint=verdict.hint,
            usage=usage,
        )
        if not entry.signals:
            return (call,)
        return (call, *response_signals(entry.signals, method, url, location, usage))

    def _body(self, entry: _Entry) -> tuple[BodyField, ...]:
        mime = entry.mime or entry.content_type
        max_bytes = self.options.max_body_kb * 1024
        if entry.params:
            return form_fields(entry.params)
        if entry.text is None:
            return ()
        if len(entry.text) > max_bytes:
            self.sink.big_bodies += 1
            return ()
        if is_json_type(mime) or (not mime and entry.text.lstrip()[:1] in ("{", "[")):
            return json_fields(entry.text, max_bytes) or ()
        if is_form_type(mime):
            return urlencoded_fields(entry.text, max_bytes)
        return ()


def scan_har(
    file: Path, path: str, stats: StreamStats, options: TrafficOptions | None = None
) -> Iterator[Observation]:
    """Observations for the Run:ai requests recorded in a HAR file (.har, .har.gz, .zhar)."""
    scan = _HarScan(path, stats, options or TrafficOptions())
    yield from guarded(file, path, stats, scan.options.max_inflated_bytes, scan.run, lambda: scan.line)
    scan.sink.finish()
