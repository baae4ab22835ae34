"""Web server access logs: nginx `combined`, ingress-nginx `upstreaminfo`, or a custom format.

Each matching line is one request. Where the line names a host ($host) or an ingress upstream
($proxy_upstream_name, e.g. `runai-backend-runai-backend-frontend-80`), that decides whether the
request was Run:ai's; where it names neither, the log is taken as one server's and judged by
the paths it serves (see hosts.py). Lines that match no format are counted and reported once,
with the first such line's number and never its text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from runai_audit.models import ApiCall, InputProblem, Location, Observation, Usage
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.traffic.guard import guarded
from runai_audit.scanners.traffic.hosts import Verdict
from runai_audit.scanners.traffic.log_formats import BUILT_IN, LogFormat, LogFormatError, compile_format
from runai_audit.scanners.traffic.options import TrafficOptions
from runai_audit.scanners.traffic.signals import caller_name
from runai_audit.scanners.traffic.sink import RequestSink
from runai_audit.scanners.traffic.streams import PIECE_BYTES
from runai_audit.scanners.traffic.times import access_log_time
from runai_audit.scanners.traffic.urls import evidence, query_params, split_url

# Container runtimes prefix each line: "2025-06-02T10:00:00.123456789Z stdout F "
_CRI_PREFIX = re.compile(r"^\S+ (?:stdout|stderr) [FP] ")
_METHOD = re.compile(r"[A-Z][A-Z-]{1,15}")


class _AccessScan:
    def __init__(self, path: str, stats: StreamStats, options: TrafficOptions, formats: tuple[LogFormat, ...]) -> None:
        self.path = path
        self.options = options
        self.formats = formats
        self.sink = RequestSink(path, stats, options.hosts)
        self.line = 0
        self.bad = 0
        self.first_bad = 0
        self.long = 0
        self.first_long = 0

    def run(self, stream: BinaryIO) -> Iterator[Observation]:
        limit = self.options.max_line_kb * 1024
        readline = stream.readline
        while raw := readline(limit):
            self.line += 1
            if not raw.endswith(b"\n") and len(raw) >= limit:
                self._skip_rest(stream)
                continue
            text = raw.decode("utf-8", "replace").rstrip("\r\n")
            if text.strip():
                yield from self._line(_CRI_PREFIX.sub("", text))

    def _skip_rest(self, stream: BinaryIO) -> None:
        """Read past an over-long line without keeping it."""
        self.long += 1
        self.first_long = self.first_long or self.line
        while (piece := stream.readline(PIECE_BYTES)) and not piece.endswith(b"\n"):
            pass

    def _line(self, text: str) -> tuple[Observation, ...]:
        for fmt in self.formats:
            match = fmt.pattern.match(text)
            if match:
                break
        else:
            self.bad += 1
            self.first_bad = self.first_bad or self.line
            return ()
        fields = {key: value for key, value in match.groupdict().items() if value not in (None, "", "-")}
        method, target = _request(fields)
        if not target:  # "-" or a probe that sent no request line
            self.sink.stats.entries += 1
            self.sink.stats.unmatched += 1
            return ()
        url = split_url(target)
        host = (fields.get("host") or fields.get("http_host") or fields.get("server_name") or url.host).lower()
        judged_as = host or fields.get("proxy_upstream_name", "").lower()
        full = f"{fields.get('scheme', 'https')}://{host}{url.path}" if host else url.path
        line = self.line

        def build(verdict: Verdict) -> tuple[Observation, ...]:
            seen = _time(fields)
            agent = fields.get("http_user_agent", "")
            usage = Usage(1, seen, seen, (caller_name(agent),) if agent else ())
            return (ApiCall(
                method=method,
                url=full,
                location=Location(self.path, line, 0, ""),
                query=query_params(url.query_names),
                confidence=verdict.confidence,
                evidence=evidence(method, url.path),
                runai_hint=verdict.hint,
                usage=usage,
            ),)

        return self.sink.offer(judged_as, url.path, build)

    def finish(self) -> None:
        stats = self.sink.stats
        if self.bad:
            names = " or ".join(fmt.name for fmt in self.formats)
            stats.problems.append(InputProblem(
                self.path, f"{_lines(self.bad)} did not match the {names} access log format "
                f"(first at line {self.first_bad}); pass --log-format to describe yours", self.first_bad,
            ))
        if self.long:
            stats.problems.append(InputProblem(
                self.path, f"{_lines(self.long)} longer than {self.options.max_line_kb} KB skipped "
                f"(first at line {self.first_long})", self.first_long,
            ))
        self.sink.finish()


def _lines(count: int) -> str:
    return f"{count} line" if count == 1 else f"{count} lines"


def _request(fields: dict[str, str]) -> tuple[str, str]:
    """(METHOD, request target) from $request or $request_method with $request_uri / $uri."""
    method = fields.get("request_method", "")
    target = fields.get("request_uri", "")
    if "request" in fields:
        words = fields["request"].split(" ")
        if len(words) >= 2:
            method = method or words[0]
            target = target or words[1]
    if not target and "uri" in fields:
        query = fields.get("args") or fields.get("query_string")
        target = fields["uri"] + (f"?{query}" if query else "")
    if not _METHOD.fullmatch(method or "GET") or not target.startswith(("/", "http://", "https://")):
        return "", ""
    return (method or "*").upper(), target


def _time(fields: dict[str, str]) -> str | None:
    for key in ("time_local", "time_iso8601", "msec"):
        if key in fields:
            return access_log_time(fields[key])
    return None


def scan_access_log(
    file: Path, path: str, stats: StreamStats, options: TrafficOptions | None = None
) -> Iterator[Observation]:
    """Observations for the Run:ai requests in an nginx-style access log."""
    options = options or TrafficOptions()
    try:
        formats = (compile_format(options.log_format),) if options.log_format else BUILT_IN
    except (LogFormatError, re.error) as exc:
        reason = str(exc) if isinstance(exc, LogFormatError) else "the log format is not valid"
        stats.problems.append(InputProblem(path, reason))
        return
    scan = _AccessScan(path, stats, options, formats)
    yield from guarded(file, path, stats, options.max_inflated_bytes, scan.run, lambda: scan.line)
    scan.finish()
