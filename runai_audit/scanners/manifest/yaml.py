"""YAML with positions, built from parser events so that hostile input cannot hurt us.

`yaml.compose` recurses per nesting level (the C composer can crash the process on a deeply
nested flow sequence) and keeps aliases as shared nodes that a naive walk expands without
bound. Here a document is built from the event stream with an explicit stack, and every limit
is checked as the events arrive: nesting depth, node count, alias count; the walk that
flattens a document into dotted key paths counts nodes reached through aliases against its own
budget. Any breach is a `YamlLimit` (a reason and a line), never a hang.

Positions are 0-based inside the document chunk; callers add the chunk's first line. Walking
the nodes (key paths, plain data) is `manifest.walk`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from runai_audit.limits import MAX_DEPTH as LIMIT_DEPTH
from runai_audit.limits import MAX_YAML_ALIASES

MAX_DEPTH = LIMIT_DEPTH  # Kubernetes objects nest about 15 deep; dashboards about 10
MAX_NODES = 250_000  # per document
MAX_ALIAS_EVENTS = MAX_YAML_ALIASES  # per document
MAX_DOCUMENT_CHARS = 2_000_000

_FAST_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SEPARATOR = re.compile(r"^(---|\.\.\.)(?:[ \t]|$)")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _join_surrogates(value: str) -> str:
    """JSON writes astral characters as escaped surrogate pairs; PyYAML keeps the halves."""
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


class YamlLimit(Exception):
    """Input refused before it could cost unbounded time or memory."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line  # 0-based within the chunk


@dataclass(eq=False)
class YNode:
    """One YAML node. `kind` is "map", "seq" or "scalar"; map children are key, value, key, ..."""

    kind: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0
    start_index: int = 0
    end_index: int = 0
    value: str = ""
    tag: str | None = None
    style: str | None = None  # scalar style: None (plain), "'", '"', "|", ">"
    implicit: tuple[bool, bool] = (True, False)
    children: list[YNode] = field(default_factory=list)

    def pairs(self) -> Iterator[tuple[YNode, YNode]]:
        items = self.children
        for i in range(0, len(items) - 1, 2):
            yield items[i], items[i + 1]

    def get(self, key: str) -> YNode | None:
        """The value under a scalar key of a mapping (last one wins, as in YAML loaders)."""
        found = None
        if self.kind == "map":
            for k, v in self.pairs():
                if k.kind == "scalar" and k.value == key:
                    found = v
        return found

    def scalar(self, key: str) -> str | None:
        node = self.get(key)
        return node.value if node is not None and node.kind == "scalar" else None


@dataclass(frozen=True)
class Chunk:
    """One document's text and the 0-based line of the file it starts on."""

    first_line: int
    text: str
    start_index: int  # character offset of the chunk in the file


def split_documents(text: str) -> list[Chunk]:
    """Cut a YAML stream at its `---` / `...` lines, so one broken document spoils only itself.

    A `---` line opens the next chunk (so `--- !tag` and `--- |` still parse); a `...` line
    closes the chunk it ends.
    """
    chunks: list[Chunk] = []
    lines = text.splitlines(keepends=True)
    start_line, start_index, index = 0, 0, 0
    for number, line in enumerate(lines):
        found = _SEPARATOR.match(line)
        if found and found.group(1) == "---" and number > start_line:
            chunks.append(Chunk(start_line, text[start_index:index], start_index))
            start_line, start_index = number, index
        index += len(line)
        if found and found.group(1) == "...":
            chunks.append(Chunk(start_line, text[start_index:index], start_index))
            start_line, start_index = number + 1, index
    chunks.append(Chunk(start_line, text[start_index:], start_index))
    return [c for c in chunks if _has_content(c.text)]


def _has_content(chunk: str) -> bool:
    """Whether a chunk holds more than separators, comments and blank lines."""
    for line in chunk.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not _SEPARATOR.match(stripped):
            return True
    return False


def _mark(mark: Any) -> tuple[int, int, int]:
    """(line, column, index) of a parser mark, zeros when the parser gave none."""
    if mark is None:
        return 0, 0, 0
    return int(mark.line), int(mark.column), int(mark.index)


def _start(event: yaml.NodeEvent, kind: str) -> YNode:
    line, column, index = _mark(event.start_mark)
    end_line, end_column, end_index = _mark(event.end_mark)
    return YNode(
        kind=kind,
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
        start_index=index,
        end_index=end_index,
        tag=getattr(event, "tag", None),
    )


def parse_chunk(text: str, *, loader: type | None = None) -> YNode | None:
    """The root node of the single document in `text`, or None when it holds no document.

    Raises yaml.YAMLError for malformed YAML and YamlLimit for input past a limit.
    """
    if len(text) > MAX_DOCUMENT_CHARS:
        raise YamlLimit(f"YAML document is larger than {MAX_DOCUMENT_CHARS} characters; not parsed")
    stack: list[YNode] = []
    anchors: dict[str, YNode] = {}
    root: YNode | None = None
    nodes = aliases = 0

    def attach(node: YNode) -> None:
        nonlocal root
        if stack:
            stack[-1].children.append(node)
        elif root is None:
            root = node

    for event in yaml.parse(text, Loader=loader or _FAST_LOADER):
        if isinstance(event, yaml.ScalarEvent):
            node = _start(event, "scalar")
            # libyaml reports a plain scalar's style as "", the Python parser as None
            node.value, node.style, node.implicit = event.value, event.style or None, event.implicit
            if _SURROGATE.search(node.value):
                node.value = _join_surrogates(node.value)
            attach(node)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            node = _start(event, "map" if isinstance(event, yaml.MappingStartEvent) else "seq")
            attach(node)
            stack.append(node)
            if len(stack) > MAX_DEPTH:
                raise YamlLimit(f"YAML nests deeper than {MAX_DEPTH} levels; not parsed", node.line)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            closed = stack.pop()
            closed.end_line, closed.end_column, closed.end_index = _mark(event.end_mark)
            continue
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            line = _mark(event.start_mark)[0]
            if aliases > MAX_ALIAS_EVENTS:
                raise YamlLimit(f"YAML uses more than {MAX_ALIAS_EVENTS} aliases; refused (possible alias bomb)", line)
            target = anchors.get(event.anchor or "")
            if target is None:
                raise YamlLimit(f"YAML alias *{event.anchor} has no anchor", line)
            attach(target)
            continue
        else:
            continue
        nodes += 1
        if nodes > MAX_NODES:
            raise YamlLimit(f"YAML document has more than {MAX_NODES} nodes; not parsed", node.line)
        anchor = getattr(event, "anchor", None)
        if anchor:
            anchors[anchor] = node
    return root


def problem_line(error: yaml.YAMLError) -> int:
    """0-based line of a YAML error inside its chunk (0 when unknown)."""
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    return int(mark.line) if mark is not None else 0


def describe(error: yaml.YAMLError) -> str:
    """A one-line reason without the echoed source text (which could hold a value)."""
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    mark = getattr(error, "problem_mark", None)
    where = f" at column {mark.column + 1}" if mark is not None else ""
    return f"{context + ': ' if context else ''}{problem}{where}"
