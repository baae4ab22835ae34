"""Kubernetes API server audit logs: JSON lines of audit.k8s.io/v1 Events (the log backend),
EventList documents (the webhook backend, one per line or pretty-printed), or a JSON array.

Lines are read one at a time with a length cap. Most events in a cluster's log are not about
run.ai resources, so a line without the bytes `run.ai` is only counted and deduplicated (its
auditID found by a regex) and never parsed. A line longer than the cap - a RequestResponse
event with a large object - is streamed through ijson instead of being loaded; so is a file that
is one pretty-printed document. Response objects (a list of every pod, say) are never kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from runai_audit.models import InputProblem, Location, Observation
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.traffic.audit_events import (
    AUDITED,
    IGNORED,
    SIGNALLED,
    RecentIds,
    deprecation_signal,
    event_call,
    is_excluded,
    is_runai_event,
    username,
)
from runai_audit.scanners.traffic.builder import Subtree
from runai_audit.scanners.traffic.guard import guarded
from runai_audit.scanners.traffic.options import TrafficOptions
from runai_audit.scanners.traffic.streams import PIECE_BYTES, JsonFeed

_SKIPPED = frozenset({"responseObject"})
_AUDIT_ID = re.compile(rb'"auditID"\s*:\s*"([^"\\]{1,128})"')


class _AuditScan:
    def __init__(self, path: str, stats: StreamStats, options: TrafficOptions) -> None:
        self.path = path
        self.stats = stats
        self.options = options
        self.excluded = options.excluded_users
        self.recent = RecentIds()
        self.line = 0
        self.bad_lines = 0
        self.first_bad = 0

    # ------------------------------------------------------------------ one event

    def event(self, event: Mapping[str, Any], line: int, pointer: str) -> tuple[Observation, ...]:
        audit_id = event.get("auditID")
        if not isinstance(audit_id, str) or not isinstance(event.get("verb"), str):
            self._bad(line)
            return ()
        state = self.recent.get(audit_id)
        if state is not None:  # a later stage of a request already counted
            if state == AUDITED:
                signal = deprecation_signal(event, event_call(event, Location(self.path, line, 0, pointer)))
                if signal:
                    self.recent.put(audit_id, SIGNALLED)
                    return (signal,)
            return ()
        self.stats.entries += 1
        if not is_runai_event(event) or is_excluded(username(event), self.excluded):
            self.stats.unmatched += 1
            self.recent.put(audit_id, IGNORED)
            return ()
        call = event_call(event, Location(self.path, line, 0, pointer))
        signal = deprecation_signal(event, call)
        self.recent.put(audit_id, SIGNALLED if signal else AUDITED)
        return (call, signal) if signal else (call,)

    def _skim(self, raw: bytes, line: int) -> None:
        """Count a line that cannot be about run.ai without parsing it."""
        body = raw.strip()
        found = _AUDIT_ID.search(body) if body.startswith(b"{") and body.endswith(b"}") else None
        if found is None:
            self._bad(line)
            return
        audit_id = found.group(1).decode("ascii", "replace")
        if self.recent.get(audit_id) is not None:
            return
        self.recent.put(audit_id, IGNORED)
        self.stats.entries += 1
        self.stats.unmatched += 1

    def _bad(self, line: int) -> None:
        self.bad_lines += 1
        self.first_bad = self.first_bad or line

    # ------------------------------------------------------------------ reading

    def run(self, stream: BinaryIO) -> Iterator[Observation]:
        limit = self.options.max_line_kb * 1024
        readline = stream.readline
        line = 0
        first = True
        while raw := readline(limit):
            line += 1
            self.line = line
            if not raw.endswith(b"\n") and len(raw) >= limit:  # longer than the cap: stream it
                yield from self._document(stream, raw, line, whole_file=False)
                continue
            if not raw.strip():
                continue
            if first:
                first = False
                if _opens_document(raw):  # not one value per line: a pretty-printed document
                    yield from self._document(stream, raw, line, whole_file=True)
                    return
            if b"run.ai" in raw or b"EventList" in raw or raw.lstrip().startswith(b"["):
                yield from self._parse_line(raw, line)
            else:
                self._skim(raw, line)

    def _parse_line(self, raw: bytes, line: int) -> Iterator[Observation]:
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):
            self._bad(line)
            return
        if isinstance(value, dict) and value.get("kind") == "EventList" and isinstance(value.get("items"), list):
            for index, item in enumerate(value["items"]):
                if isinstance(item, dict):
                    yield from self.event(item, line, f"/items/{index}")
                else:
                    self._bad(line)
        elif isinstance(value, dict):
            yield from self.event(value, line, "")
        elif isinstance(value, list):  # a JSON array of events on one line
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    yield from self.event(item, line, f"/{index}")
                else:
                    self._bad(line)
        else:
            self._bad(line)

    def _document(self, stream: BinaryIO, head: bytes, line: int, whole_file: bool) -> Iterator[Observation]:
        """Stream one over-long line (whole_file=False) or the rest of the file through ijson,
        building each event without its responseObject."""
        feed = JsonFeed(multiple_values=True)
        builder = _DocumentBuilder()
        piece = head
        while piece:
            self.line = line
            feed.push(piece)
            for start, pointer, event in builder.feed(feed.events, line):
                yield from self.event(event, start, pointer)
            del feed.events[:]
            if piece.endswith(b"\n"):
                if not whole_file:
                    break
                line += 1
            piece = stream.readline(PIECE_BYTES)
        for start, pointer, event in builder.feed(feed.close(), line):
            yield from self.event(event, start, pointer)

    def finish(self) -> None:
        if self.bad_lines:
            noun = "line is" if self.bad_lines == 1 else "lines are"
            self.stats.problems.append(InputProblem(
                self.path,
                f"{self.bad_lines} {noun} not JSON audit events (first at line {self.first_bad})",
                self.first_bad,
            ))


def _opens_document(first: bytes) -> bool:
    """Does the first line open a pretty-printed document, rather than hold one event? A line
    that reads as a whole value (`{...}`) but does not parse is one bad line of a JSON-lines
    log: the events after it must still count."""
    try:
        json.loads(first)
        return False
    except (ValueError, RecursionError):
        pass
    body = first.strip()
    return body.startswith((b"{", b"[")) and not body.endswith((b"}", b"]"))


class _RootBuilder:
    """Builds each object that starts at `root` (an ijson prefix), without its responseObject."""

    def __init__(self, root: str, pointer: str) -> None:
        self.root = root
        self.pointer = pointer  # "/items/" -> "/items/3"; "" for top-level objects
        self.count = 0
        self.subtree: Subtree | None = None
        self.start = 0

    def event(self, prefix: str, event: str, value: object, line: int) -> tuple[int, str, Any] | None:
        if self.subtree is None:
            if event != "start_map" or prefix != self.root:
                return None
            self.subtree = Subtree(_SKIPPED)
            self.start = line
        finished, built = self.subtree.event(event, value)
        if not finished:
            return None
        self.subtree = None
        index, self.count = self.count, self.count + 1
        return self.start, f"{self.pointer}{index}" if self.pointer else "", built


class _DocumentBuilder:
    """Routes a streamed document's events to the builder of the root they belong to: top-level
    Events, the items of an EventList, or the elements of a JSON array of events."""

    def __init__(self) -> None:
        self.top = _RootBuilder("", "")
        self.items = _RootBuilder("items.item", "/items/")
        self.array = _RootBuilder("item", "/")

    def feed(self, events: list[tuple[str, str, object]], line: int) -> Iterator[tuple[int, str, Any]]:
        for prefix, event, value in events:
            if prefix.startswith("items"):
                built = self.items.event(prefix, event, value, line)
            elif prefix.startswith("item"):
                built = self.array.event(prefix, event, value, line)
            else:
                built = self.top.event(prefix, event, value, line)
            if built is not None and not (isinstance(built[2], dict) and built[2].get("kind") == "EventList"):
                yield built


def scan_audit_log(
    file: Path, path: str, stats: StreamStats, options: TrafficOptions | None = None
) -> Iterator[Observation]:
    """Observations for the run.ai Cluster API calls in a Kubernetes audit log."""
    scan = _AuditScan(path, stats, options or TrafficOptions())
    yield from guarded(file, path, stats, scan.options.max_inflated_bytes, scan.run, lambda: scan.line)
    scan.finish()
