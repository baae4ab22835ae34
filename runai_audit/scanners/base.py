"""The one contract every scanner meets.

A text scanner takes the decoded text of one file and its display path (relative to the scan
root) and returns observations plus any problems it met. It never reads files, never looks at
rules, never raises on bad input: a parse failure is an InputProblem, and whatever was read
before the failure still counts.

A stream scanner (recorded traffic: HAR, audit logs, access logs) takes a path on disk instead,
because a gigabyte file must not be read whole; it yields observations as it goes and records
problems in the ScanResult it fills.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from runai_audit.models import InputProblem, Observation


@dataclass
class ScanResult:
    observations: list[Observation] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)


class TextScanner(Protocol):
    def __call__(self, text: str, path: str) -> ScanResult: ...


@dataclass
class StreamStats:
    """Counters a stream scanner fills while it yields."""

    entries: int = 0
    unmatched: int = 0
    problems: list[InputProblem] = field(default_factory=list)


class StreamScanner(Protocol):
    def __call__(self, file: Path, path: str, stats: StreamStats) -> Iterator[Observation]: ...
