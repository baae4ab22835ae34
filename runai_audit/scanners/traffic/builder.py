"""Building one JSON subtree from streamed ijson events, leaving out keys too bulky to keep."""

from __future__ import annotations

from typing import Any

from ijson import ObjectBuilder

OPENERS = ("start_map", "start_array")
CLOSERS = ("end_map", "end_array")


class Subtree:
    """Feed it the events of one value, starting with its start_map; `event` returns the built
    value once the matching end_map arrives. Keys in `skip` (on the top level of the value)
    are dropped with everything under them, so a response body never reaches memory twice."""

    def __init__(self, skip: frozenset[str] = frozenset()) -> None:
        self._skip = skip
        self._builder = ObjectBuilder()
        self._depth = 0
        self._skipping = 0  # open containers inside a skipped value
        self._skip_next = False

    def event(self, event: str, value: object) -> tuple[bool, Any]:
        """(finished, value)."""
        if self._skipping:
            self._skipping += 1 if event in OPENERS else -1 if event in CLOSERS else 0
            return False, None
        if self._skip_next:  # the value of a skipped key: a scalar, or a subtree
            self._skip_next = False
            self._skipping = 1 if event in OPENERS else 0
            return False, None
        if event == "map_key" and self._depth == 1 and value in self._skip:
            self._skip_next = True
            return False, None
        self._builder.event(event, value)
        if event in OPENERS:
            self._depth += 1
        elif event in CLOSERS:
            self._depth -= 1
            if self._depth == 0:
                return True, self._builder.value
        return False, None
