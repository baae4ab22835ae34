"""Postman collections (v2.1, and v2.0 which has the same request shape).

Two streamed passes: the first reads the collection's `variable` list (Postman writes it after
the items, and a literal `{{baseUrl}}` decides the URLs), the second walks the item tree -
folders nest to any depth - and builds each `request`, and each saved example (`response`)
without its body, one at a time. Examples carry the request that produced them
(`originalRequest`) and the response headers, so a saved Deprecation or Sunset header becomes a
ServerSignal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

import ijson

from runai_audit.models import ApiCall, InputProblem, Location, Observation, Usage
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.traffic.builder import Subtree
from runai_audit.scanners.traffic.guard import guarded
from runai_audit.scanners.traffic.hosts import Verdict
from runai_audit.scanners.traffic.options import TrafficOptions
from runai_audit.scanners.traffic.postman_requests import request_body, resolve_url, response_headers
from runai_audit.scanners.traffic.signals import SIGNAL_HEADERS, response_signals
from runai_audit.scanners.traffic.sink import RequestSink
from runai_audit.scanners.traffic.streams import JsonFeed, open_stream, read_pieces
from runai_audit.scanners.traffic.urls import evidence, query_params

MAX_VARIABLES = 1000
_REQUEST = re.compile(r"item(?:\.item\.item)*\.item\.request")
_EXAMPLE = re.compile(r"item(?:\.item\.item)*\.item\.response\.item")
_SKIPPED = frozenset({"body", "cookie", "stream"})  # bulky parts of a saved example


def read_variables(stream: BinaryIO, found: dict[str, str]) -> None:
    """Add the collection's literal string variables (the first MAX_VARIABLES) to `found`."""
    for variable in ijson.items(stream, "variable.item"):
        if isinstance(variable, dict) and isinstance(variable.get("value"), str) and not variable.get("disabled"):
            found[str(variable.get("key", ""))] = variable["value"]
            if len(found) >= MAX_VARIABLES:
                return


class _Pointer:
    """Tracks the JSON pointer of the current position from the event stream."""

    def __init__(self) -> None:
        self.frames: list[list[Any]] = []  # [is_array, key or last index]

    def event(self, event: str, value: object) -> str | None:
        """Update; return the pointer of a value that starts here."""
        frames = self.frames
        if event == "map_key":
            frames[-1][1] = value
            return None
        if event in ("end_map", "end_array"):
            frames.pop()
            return None
        if frames and frames[-1][0]:
            frames[-1][1] += 1
        pointer = "".join("/" + str(f[1]).replace("~", "~0").replace("/", "~1") for f in frames)
        if event == "start_map":
            frames.append([False, None])
        elif event == "start_array":
            frames.append([True, -1])
        return pointer


class _Building:
    """A request or saved example being built from the event stream."""

    def __init__(self, kind: str, line: int, pointer: str, prefix: str) -> None:
        self.kind = kind
        self.line = line
        self.column = 0
        self.pointer = pointer
        self.original = f"{prefix}.originalRequest"
        request = self.original if kind == "example" else prefix
        # The URL is where the request is written: `"url": "..."` or the `"raw"` of a URL object.
        self.url_prefixes = (f"{request}.url", f"{request}.url.raw")
        self.subtree = Subtree(_SKIPPED if kind == "example" else frozenset())

    def url_seen(self, line: int, piece: bytes) -> None:
        self.line = line
        # A column only when the line holds one URL key (not a minified collection on one line).
        keys = [piece.find(key) for key in (b'"raw"', b'"url"') if piece.count(key) == 1]
        found = [at for at in keys if at >= 0]
        self.column = len(piece[: min(found)].decode("utf-8", "replace")) + 1 if len(found) == 1 else 0


class _PostmanScan:
    def __init__(self, path: str, stats: StreamStats, options: TrafficOptions) -> None:
        self.path = path
        self.options = options
        self.sink = RequestSink(path, stats, options.hosts)
        self.variables: dict[str, str] = {}
        self.line = 0
        self.saw_items = False

    def load_variables(self, file: Path) -> None:
        """First pass. A fault here is left for the second pass to report, with its line."""
        try:
            with open_stream(file, self.options.max_inflated_bytes, json=True) as stream:
                read_variables(stream, self.variables)
        except Exception:  # reported by the second pass, which meets the same fault
            return

    def run(self, stream: BinaryIO) -> Iterator[Observation]:
        feed = JsonFeed()
        pointers = _Pointer()
        building: _Building | None = None
        for line, _, piece in read_pieces(stream):
            self.line = line
            feed.push(piece)
            for prefix, event, value in feed.events:
                pointer = pointers.event(event, value)
                if building is not None:
                    if event == "start_map" and prefix == building.original:
                        building.line = line  # point at the example's request, not the example
                    elif event == "string" and prefix in building.url_prefixes:
                        building.url_seen(line, piece)
                    finished, built = building.subtree.event(event, value)
                    if finished:
                        yield from self._built(building, built)
                        building = None
                    continue
                if prefix == "item" and event == "start_array":
                    self.saw_items = True
                if pointer is None:
                    continue
                if event == "start_map" and (kind := _root_kind(prefix)):
                    building = _Building(kind, line, pointer, prefix)
                    building.subtree.event(event, value)
                elif event == "string" and _REQUEST.fullmatch(prefix):  # "request": "https://..."
                    yield from self._request({"url": value}, line, pointer)
            del feed.events[:]
        feed.close()
        if not self.saw_items:
            self.sink.stats.problems.append(InputProblem(self.path, "not a Postman collection: no item array"))

    def _built(self, building: _Building, built: Any) -> Iterator[Observation]:
        if not isinstance(built, dict):
            return
        if building.kind == "request":
            yield from self._request(built, building.line, building.pointer, column=building.column)
            return
        original = built.get("originalRequest")
        if isinstance(original, str):
            original = {"url": original}
        if isinstance(original, dict):
            headers = [(n, v) for n, v in response_headers(built) if n in SIGNAL_HEADERS]
            yield from self._request(original, building.line, f"{building.pointer}/originalRequest", headers,
                                     column=building.column)

    def _request(
        self, request: Mapping[str, Any], line: int, pointer: str, signals: list[tuple[str, str]] | None = None,
        column: int = 0,
    ) -> tuple[Observation, ...]:
        url = resolve_url(request.get("url"), self.variables)
        method = str(request.get("method") or "GET").upper()

        def build(verdict: Verdict) -> tuple[Observation, ...]:
            location = Location(self.path, line, column, pointer)
            usage = Usage(1)
            call = ApiCall(
                method=method,
                url=url.url,
                location=location,
                query=query_params(url.query_names),
                body=request_body(request, self.options.max_body_kb * 1024),
                confidence=verdict.confidence,
                evidence=evidence(method, url.path),
                runai_hint=verdict.hint or url.runai_hint,
                usage=usage,
            )
            return (call, *response_signals(signals or (), method, url.url, location, usage))

        return self.sink.offer(url.host, url.path, build, hinted=url.runai_hint)


def _root_kind(prefix: str) -> str | None:
    if _REQUEST.fullmatch(prefix):
        return "request"
    if _EXAMPLE.fullmatch(prefix):
        return "example"
    return None


def scan_postman(
    file: Path, path: str, stats: StreamStats, options: TrafficOptions | None = None
) -> Iterator[Observation]:
    """Observations for the Run:ai requests and saved examples of a Postman collection."""
    scan = _PostmanScan(path, stats, options or TrafficOptions())
    scan.load_variables(file)
    yield from guarded(file, path, stats, scan.options.max_inflated_bytes, scan.run, lambda: scan.line, json=True)
    scan.sink.finish()
