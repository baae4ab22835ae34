"""Reading catalog YAML with line numbers, and the error that reports problems by file and line.

Every catalog file is parsed twice over the same text: once into a node tree (which keeps the
line of every key and item) and once into plain Python data (what the rows say). Validators walk
the data and ask the node tree where a thing sits, so each problem reads `file:line: problem`.
Only the safe loader is used: catalog files are data, never code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import yaml

from runai_audit.limits import InputLimit, check_yaml

# The C loader is much faster and keeps the same marks; fall back when libyaml is missing.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogError(Exception):
    """The catalog (built-in or user rules) is unusable. `problems` holds one `file:line: problem`
    per mistake found; the message lists them all."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems) or "invalid catalog")


@dataclass(frozen=True)
class YamlDoc:
    """A parsed file: its data and the node tree that knows where each piece came from."""

    data: Any
    node: yaml.Node | None


def parse_yaml(text: str, origin: str) -> YamlDoc:
    """Parse one YAML document; a syntax error or a breach of the bounded-input policy (an
    alias bomb in a user's rules) becomes a CatalogError naming file and line."""
    try:
        check_yaml(text)
    except InputLimit as exc:
        raise CatalogError([f"{origin}:{exc.line or 1}: {exc.reason}"]) from None
    except yaml.YAMLError:
        pass  # reported with its line below
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise CatalogError([f"{origin}:{line}: not valid YAML: {exc.problem or exc}"]) from None
    except yaml.YAMLError as exc:
        raise CatalogError([f"{origin}:1: not valid YAML: {exc}"]) from None
    finally:
        loader.dispose()
    return YamlDoc(data, node)


def line_of(node: yaml.Node | None) -> int:
    """1-based line where a node starts (1 when unknown)."""
    return node.start_mark.line + 1 if node is not None else 1


def items(node: yaml.Node | None) -> list[yaml.Node]:
    """The item nodes of a sequence node ([] for anything else)."""
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def key_lines(node: yaml.Node | None) -> dict[str, int]:
    """Line of every key of a mapping node; the first one wins when a key repeats."""
    lines: dict[str, int] = {}
    if isinstance(node, yaml.MappingNode):
        for key, _value in node.value:
            lines.setdefault(str(key.value), line_of(key))
    return lines


def value_node(node: yaml.Node | None, key: str) -> yaml.Node | None:
    """The value node under `key` in a mapping node, if any."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if str(k.value) == key:
                return cast("yaml.Node", v)
    return None


def repeated_keys(node: yaml.Node | None) -> list[tuple[str, int]]:
    """Keys written twice in one mapping (YAML keeps the last silently; we refuse)."""
    seen: set[str] = set()
    repeated: list[tuple[str, int]] = []
    if isinstance(node, yaml.MappingNode):
        for key, _value in node.value:
            name = str(key.value)
            if name in seen:
                repeated.append((name, line_of(key)))
            seen.add(name)
    return repeated


def type_name(value: object) -> str:
    """How a YAML value reads to a catalog author ("a number", "a list")."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"
