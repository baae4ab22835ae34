"""Walk positioned YAML nodes: dotted key paths with their key nodes, and plain Python data.

Aliases are shared nodes, so a walk may reach one node many times; `WalkBudget` counts every
node reached again and stops a walk that an alias bomb would make endless or enormous. Merge
keys (`<<: *defaults`) are expanded where they are written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import yaml

from runai_audit.scanners.manifest.yaml import MAX_DEPTH, YamlLimit, YNode

MAX_ALIAS_NODES = 10_000  # nodes reached again through aliases while walking one document


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
