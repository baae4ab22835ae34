"""Many path templates searched at once, with the same answers as `PathTemplate.match_segments`.

A spec has a few hundred templates and a scan asks about thousands of URLs, so templates sit
in two tries of segments. The forward trie (first segment first) serves the common case, a path
known from its root; the backward trie (last segment first) serves an unknown base (`{**}/...`),
whose head is hidden, and paths ending in a wildcard are walked from the root where possible,
because a wildcard last segment would open every branch of the backward trie.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from runai_audit.knowledge.paths import PARAM, WILDCARD, MatchScore, PathTemplate, normalise_path, split_path

# A walk state: node, segments consumed, concrete, params, wildcards, wildcard_on_literal.
_State = tuple["_Node", int, int, int, int, int]


class _Node:
    __slots__ = ("ends", "literal", "param", "patterns")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.patterns: dict[str, tuple[re.Pattern[str], _Node]] = {}  # "{id}.json" segments
        self.ends: list[PathTemplate] = []  # templates whose walk finishes here

    def below(self) -> Iterator[PathTemplate]:
        for child in (*self.literal.values(), *(p[1] for p in self.patterns.values()), self.param):
            if child is not None:
                yield from child.ends
                yield from child.below()


def _insert(root: _Node, segments: Iterable[str | re.Pattern[str] | None], template: PathTemplate) -> None:
    node = root
    for segment in segments:
        if segment is PARAM:
            node.param = node.param or _Node()
            node = node.param
        elif isinstance(segment, str):
            node = node.literal.setdefault(segment, _Node())
        else:
            node = node.patterns.setdefault(segment.pattern, (segment, _Node()))[1]
    node.ends.append(template)


def _walk(root: _Node, segments: Sequence[str]) -> Iterator[_State]:
    """Every state reached by consuming 1..len(segments) segments in order."""
    stack: list[_State] = [(root, 0, 0, 0, 0, 0)]
    while stack:
        state = stack.pop()
        node, used, c, p, w, wl = state
        if used:
            yield state
        if used == len(segments):
            continue
        got = segments[used]
        step = used + 1
        if got == WILDCARD:
            stack.extend((child, step, c, p, w + 1, wl + 1) for child in node.literal.values())
            stack.extend((child, step, c, p, w + 1, wl) for _, child in node.patterns.values())
            if node.param is not None:
                stack.append((node.param, step, c, p, w + 1, wl))
            continue
        if got in node.literal:
            stack.append((node.literal[got], step, c + 1, p, w, wl))
        stack.extend((child, step, c, p + 1, w, wl) for rx, child in node.patterns.values() if rx.fullmatch(got))
        if node.param is not None:
            stack.append((node.param, step, c, p + 1, w, wl))


class TemplateSet:
    def __init__(self, templates: Iterable[PathTemplate | str]) -> None:
        self._forward = _Node()
        self._backward = _Node()
        for item in templates:
            template = item if isinstance(item, PathTemplate) else PathTemplate(item)
            _insert(self._forward, template.segments, template)
            _insert(self._backward, reversed(template.segments), template)

    def matches(self, path: str, allow_prefix: bool = False) -> list[tuple[MatchScore, PathTemplate]]:
        """Every matching template with its score, best first (ties by template text)."""
        observed, unknown_base = split_path(normalise_path(path))
        if not observed:  # "/" matches only a root template; a bare "{**}" matches nothing
            return [] if unknown_base else [(MatchScore(0, 0, 0, 0, 0), t) for t in self._forward.ends]
        if unknown_base or (allow_prefix and observed[-1] != WILDCARD):
            found = self._from_end(observed, unknown_base, allow_prefix)
        else:
            found = self._from_root(observed, allow_prefix)
        found.sort(key=lambda pair: (tuple(-r for r in pair[0].rank), pair[1].template))
        return found

    def best(self, path: str, allow_prefix: bool = False) -> PathTemplate | None:
        found = self.matches(path, allow_prefix)
        return found[0][1] if found else None

    def _from_root(self, observed: Sequence[str], allow_prefix: bool) -> list[tuple[MatchScore, PathTemplate]]:
        found: list[tuple[MatchScore, PathTemplate]] = []
        for skip in range(len(observed) if allow_prefix else 1):
            tail = observed[skip:]
            for node, used, c, p, w, wl in _walk(self._forward, tail):
                if used == len(tail):
                    found.extend((MatchScore(c, p, w, wl, skip), t) for t in node.ends)
        return found

    def _from_end(
        self, observed: Sequence[str], unknown_base: bool, allow_prefix: bool
    ) -> list[tuple[MatchScore, PathTemplate]]:
        found: list[tuple[MatchScore, PathTemplate]] = []
        total = len(observed)
        for node, used, c, p, w, wl in _walk(self._backward, observed[::-1]):
            left = total - used
            if left == 0 or allow_prefix:
                found.extend((MatchScore(c, p, w, wl, left), t) for t in node.ends)
            if left == 0 and unknown_base:
                found.extend((MatchScore(c, p, w, wl, len(t.segments) - total), t) for t in node.below())
        return found
