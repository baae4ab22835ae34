"""YAML with positions, built from parser events so that hostile input cannot hurt us.

`yaml.compose` recurses per nesting level (the C composer can crash the process on a deeply
nested flow sequence) and keeps aliases as shared nodes that a naive walk expands without
bound. Here a document is built from the event stream with an explicit stack, and every limit
is checked as the events arrive: nesting depth, node count, alias count; the walk that
flattens a document into dotted key paths counts nodes reached through aliases against its own
budget. Any breach is a `YamlLimit` (a reason and a line), never a hang.

Positions are 0-based inside the document chunk; callers add the chunk's first line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

MAX_DEPTH = 100  # Kubernetes objects nest about 15 deep; dashboards about 10
MAX_NODES = 250_000  # per document
MAX_ALIAS_EVENTS = 1_000  # per document
MAX_ALIAS_NODES = 10_000  # nodes reached again through aliases while walking one document
MAX_DOCUMENT_CHARS = 2_000_000

_FAST_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SEPARATOR = re.compile(r"^(---|\.\.\.)(?:[ \t]|$)")


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

    The separator line stays with the document it opens, so `--- !tag` and `--- |` still parse.
    """
    chunks: list[Chunk] = []
    lines = text.splitlines(keepends=True)
    start_line, start_index, index = 0, 0, 0
    for number, line in enumerate(lines):
        if _SEPARATOR.match(line) and number > start_line:
            chunks.append(Chunk(start_line, text[start_index:index], start_index))
            start_line, start_index = number, index
        index += len(line)
    chunks.append(Chunk(start_line, text[start_index:], start_index))
    return [c for c in chunks if c.text.strip()]


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
            node.value, node.style, node.implicit = event.value, event.style, event.implicit
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


@dataclass
class WalkBudget:
    """Counts nodes reached a second time (through an alias) during one walk."""

    limit: int = MAX_ALIAS_NODES
    seen: set[int] = field(default_factory=set)
    repeated: int = 0

    def visit(self, node: YNode, via_alias: bool) -> bool:
        """Record a visit; returns whether the node is being reached through an alias."""
        key = id(node)
        if key in self.seen:
            via_alias = True
        self.seen.add(key)
        if via_alias:
            self.repeated += 1
            if self.repeated > self.limit:
                raise YamlLimit(
                    f"YAML aliases expand to more than {self.limit} nodes; refused (possible alias bomb)",
                    node.line,
                )
        return via_alias


def merged_pairs(node: YNode, budget: WalkBudget, via_alias: bool) -> Iterator[tuple[YNode, YNode, bool]]:
    """A mapping's pairs with `<<` merge keys expanded; the flag says "reached through an alias"."""
    for key, value in node.pairs():
        if key.kind == "scalar" and key.value == "<<" and key.style is None:
            sources = value.children if value.kind == "seq" else [value]
            for source in sources:
                alias = budget.visit(source, via_alias)
                if source.kind == "map":
                    yield from merged_pairs(source, budget, alias)
            continue
        yield key, value, via_alias


@dataclass(frozen=True)
class KeyPath:
    """A mapping key at a dotted path (`spec.containers[].image`) with its key and value nodes."""

    path: str
    key: YNode
    value: YNode


def iter_key_paths(
    node: YNode,
    prefix: str = "",
    *,
    budget: WalkBudget | None = None,
    key_text: Callable[[YNode], str] | None = None,
) -> Iterator[KeyPath]:
    """Every key below `node`, depth first, in document order.

    `key_text(key_node) -> str` lets a caller rename keys (templated keys become `{*}`).
    """
    budget = budget or WalkBudget()
    name_of = key_text or _plain_key
    # An explicit stack, so depth costs no recursion; children are pushed in reverse so keys
    # come out in document order, each key before everything below it.
    work: list[tuple[KeyPath | None, YNode, str, bool]] = [(None, node, prefix, False)]
    while work:
        entry, current, path, via_alias = work.pop()
        if entry is not None:
            yield entry
        via_alias = budget.visit(current, via_alias)
        below: list[tuple[KeyPath | None, YNode, str, bool]] = []
        if current.kind == "map":
            for key, value, alias in merged_pairs(current, budget, via_alias):
                child = f"{path}.{name_of(key)}" if path else str(name_of(key))
                below.append((KeyPath(child, key, value), value, child, alias))
        elif current.kind == "seq":
            below.extend((None, item, f"{path}[]", via_alias) for item in current.children)
        work.extend(reversed(below))


def _plain_key(key: YNode) -> str:
    return key.value if key.kind == "scalar" else "{?}"


def to_python(
    node: YNode, budget: WalkBudget | None = None, scalar: Callable[[YNode], object] | None = None
) -> object:
    """Plain Python data for a node (dict / list / str / int / float / bool / None).

    `scalar(node) -> object` may replace how scalars are read (templated values, say).
    """
    budget = budget or WalkBudget()
    read = scalar or resolve_scalar

    def convert(current: YNode, via_alias: bool, depth: int) -> object:
        via_alias = budget.visit(current, via_alias)
        if depth > MAX_DEPTH:
            raise YamlLimit(f"YAML nests deeper than {MAX_DEPTH} levels", current.line)
        if current.kind == "scalar":
            return read(current)
        if current.kind == "seq":
            return [convert(item, via_alias, depth + 1) for item in current.children]
        out: dict[str, object] = {}
        for key, value, alias in merged_pairs(current, budget, via_alias):
            out[str(read(key)) if key.kind == "scalar" else "{?}"] = convert(value, alias, depth + 1)
        return out

    return convert(node, False, 0)


# Typed handles on PyYAML's untyped resolver and constructor.
_resolve: Callable[..., str] = yaml.resolver.Resolver().resolve
_construct: Callable[..., object] = yaml.constructor.SafeConstructor().construct_object


def resolve_scalar(node: YNode) -> object:
    """The value a YAML 1.1 safe loader would give this scalar (dates stay strings)."""
    if node.tag and node.tag not in ("!", "?") and not node.tag.startswith("tag:yaml.org,2002:"):
        return node.value  # a local tag (!Ref, !reference): keep the text
    tag = node.tag if node.tag and node.tag.startswith("tag:") else None
    tag = tag or _resolve(yaml.ScalarNode, node.value, node.implicit)
    if tag in ("tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary"):
        return node.value
    try:
        return _construct(yaml.ScalarNode(tag, node.value), deep=True)
    except yaml.YAMLError:
        return node.value


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
