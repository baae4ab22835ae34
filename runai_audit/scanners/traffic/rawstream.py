"""The shape every filtering stream of the traffic readers shares: a raw, readable stream over
another binary stream, which it closes with itself. Subclasses supply `readinto`."""

from __future__ import annotations

import io
from typing import BinaryIO


class SourceStream(io.RawIOBase):
    def __init__(self, source: BinaryIO) -> None:
        self._source = source

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        if not self.closed:
            self._source.close()
        super().close()
