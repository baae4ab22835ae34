"""Time and memory bounds for regression tests of hostile input (issue 14).

`deadline` fails a test that runs past its budget (SIGALRM, main thread); `run_bounded` runs a
snippet in a child Python with an address-space limit as well, for inputs that could exhaust
memory before any clock fires.
"""

from __future__ import annotations

import contextlib
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from types import FrameType


class Overran(BaseException):  # not Exception: readers turn those into problems
    pass


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    def fire(signum: int, frame: FrameType | None) -> None:
        raise Overran(f"took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_bounded(code: str, seconds: float = 30, memory_mb: int = 1024) -> subprocess.CompletedProcess[str]:
    """Run `code` in a child interpreter under `seconds` of wall time and `memory_mb` of memory."""
    limit = memory_mb * 1024 * 1024

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=seconds,
                          preexec_fn=cap, check=False)
