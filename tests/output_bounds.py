"""A time and memory bound that a test sets on itself (no plugin needed)."""

from __future__ import annotations

import signal
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType


class TooSlow(Exception):
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise TooSlow("the test ran past its time bound")


@contextmanager
def bounded(seconds: float, megabytes: int | None = 256) -> Iterator[None]:
    """Fail the block after `seconds` (SIGALRM: main thread, POSIX), and when `megabytes` is
    set, fail if Python allocated more than that at its peak inside it."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    if megabytes is not None:
        tracemalloc.start()
    try:
        yield
        if megabytes is not None:
            peak = tracemalloc.get_traced_memory()[1]
            assert peak < megabytes * 1024 * 1024, f"peak {peak / 1e6:.0f} MB > {megabytes} MB"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if megabytes is not None:
            tracemalloc.stop()
