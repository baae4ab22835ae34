"""Turning a fault in the middle of a traffic file into one InputProblem, never an exception.

The scanners are generators: what they yielded before the fault has already been consumed, so
the entries read before a truncation or a decompression limit still count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import ijson

from runai_audit.limits import MAX_JSON_STRING_BYTES, InputLimit
from runai_audit.models import InputProblem, Observation
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.traffic.jsonlimit import JsonLimiter, TooDeep
from runai_audit.scanners.traffic.streams import (
    BadJson,
    CorruptCompression,
    InputTooLarge,
    UnsupportedEncoding,
    open_stream,
)


def problem_reason(exc: BaseException) -> str:
    """A reason fit for a report: ours are written to be, foreign messages may quote input."""
    if isinstance(exc, (BadJson, CorruptCompression, UnsupportedEncoding, InputTooLarge, InputLimit, TooDeep)):
        return str(exc)
    if isinstance(exc, ijson.JSONError):
        return "invalid JSON"
    if isinstance(exc, OSError):
        return f"cannot read: {exc.strerror or type(exc).__name__}"
    if isinstance(exc, MemoryError):
        return "out of memory while reading"
    return f"internal error while reading ({type(exc).__name__})"


def guarded(
    file: Path,
    path: str,
    stats: StreamStats,
    max_inflated: int,
    run: Callable[[BinaryIO], Iterator[Observation]],
    position: Callable[[], int],
    json: bool = False,
) -> Iterator[Observation]:
    """Open `file` and yield what `run` yields from it; a fault becomes a problem at the line
    `position()` reports (0 when unknown)."""
    try:
        with open_stream(file, max_inflated, json) as stream:
            try:
                yield from run(stream)
            except Exception:
                if not cut_too_deep(stream):
                    raise
                raise TooDeep from None  # the parser met the early end: say why it came
            if cut_too_deep(stream):
                raise TooDeep
            _report_cut_strings(stream, path, stats)
    except Exception as exc:  # every fault is the input's, reported; see problem_reason
        stats.problems.append(InputProblem(path, problem_reason(exc), position()))


def _limiter(stream: BinaryIO) -> JsonLimiter | None:
    limiter = getattr(stream, "raw", None)
    return limiter if isinstance(limiter, JsonLimiter) else None


def cut_too_deep(stream: BinaryIO) -> bool:
    """Did the JsonLimiter under `stream` end it for nesting too deep?"""
    limiter = _limiter(stream)
    return limiter is not None and limiter.too_deep


def _report_cut_strings(stream: BinaryIO, path: str, stats: StreamStats) -> None:
    limiter = _limiter(stream)
    if limiter is not None and limiter.cut_strings:
        count = limiter.cut_strings
        stats.problems.append(InputProblem(
            path, f"{count} JSON {'string' if count == 1 else 'strings'} longer than "
            f"{MAX_JSON_STRING_BYTES // (1024 * 1024)} MB cut there (the rest of each was not read)"))
