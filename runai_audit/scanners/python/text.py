"""A string as far as the source tells: literal pieces and holes, with pure helpers to join,
strip and split such strings. The resolver builds these; URL, argv and YAML code reads them."""

from __future__ import annotations

import ast
import re
import shlex
import string
from dataclasses import dataclass
from urllib.parse import urljoin

__all__ = ["MARK", "Hole", "Text", "concat", "format_text", "hole", "join_with", "lit",
           "percent_text", "split_command", "strip", "urljoin_text"]

MARK = "\x00"  # stands for a hole while a text is handled as one string


@dataclass(frozen=True)
class Hole:
    hints: tuple[str, ...] = ()
    # (id of the function scope, parameter name) when the hole is a parameter of a function,
    # so a wrapper's call sites can fill it in
    param: tuple[int, str] | None = None


Part = str | Hole


@dataclass(frozen=True)
class Text:
    """A string as far as it could be rebuilt: literal pieces and holes."""

    parts: tuple[Part, ...] = ()
    hints: frozenset[str] = frozenset()  # every name, attribute, env var or key read
    nodes: frozenset[int] = frozenset()  # ids of the string nodes read

    @property
    def literal(self) -> str | None:
        """The whole string when it has no holes."""
        if any(isinstance(p, Hole) for p in self.parts):
            return None
        return "".join(p for p in self.parts if isinstance(p, str))

    @property
    def has_holes(self) -> bool:
        return any(isinstance(p, Hole) for p in self.parts)

    def params(self) -> list[tuple[int, str]]:
        """The function parameters this text has holes for, in order."""
        return [p.param for p in self.parts if isinstance(p, Hole) and p.param is not None]

    def template(self) -> str:
        return "".join(p if isinstance(p, str) else MARK for p in self.parts)

    def render(self, hole: str = "{*}") -> str:
        return re.sub(f"{MARK}+", hole, self.template())


def concat(*texts: Text) -> Text:
    parts: list[Part] = []
    for text in texts:
        for part in text.parts:
            if isinstance(part, str) and parts and isinstance(parts[-1], str):
                parts[-1] = parts[-1] + part
            elif part != "":
                parts.append(part)
    return Text(tuple(parts), frozenset().union(*(t.hints for t in texts)),
                frozenset().union(*(t.nodes for t in texts)))


def hole(*hints: str, base: Text | None = None) -> Text:
    names = tuple(h for h in hints if h)
    extra = base or Text()
    return Text((Hole(names),), frozenset(names) | extra.hints, extra.nodes)


def lit(value: str, node: ast.AST | None = None) -> Text:
    return Text((value,), frozenset(), frozenset({id(node)}) if node is not None else frozenset())


def split_command(text: Text) -> list[str]:
    """Shell-like split of a command string; holes become `{*}` inside their word."""
    template = text.template()
    try:
        words = shlex.split(template)
    except ValueError:
        words = template.split()
    return [re.sub(f"{MARK}+", "{*}", w) for w in words]


def join_with(separator: Text, pieces: list[Text]) -> Text:
    joined: list[Text] = []
    for i, piece in enumerate(pieces):
        if i:
            joined.append(separator)
        joined.append(piece)
    return concat(*joined)


def strip(text: Text, how: str, chars: str | None) -> Text:
    parts = list(text.parts)
    if parts and how in ("strip", "lstrip") and isinstance(parts[0], str):
        parts[0] = parts[0].lstrip(chars)
    if parts and how in ("strip", "rstrip") and isinstance(parts[-1], str):
        parts[-1] = parts[-1].rstrip(chars)
    return Text(tuple(parts), text.hints, text.nodes)


_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def urljoin_text(base: Text, ref: Text) -> Text:
    """urllib.parse.urljoin over partly known strings."""
    if base.literal is not None and ref.literal is not None:
        return Text((urljoin(base.literal, ref.literal),), base.hints | ref.hints, base.nodes | ref.nodes)
    first = ref.parts[0] if ref.parts else ""
    if isinstance(first, str) and _ABSOLUTE.match(first):
        return concat(Text((), base.hints, base.nodes), ref)
    if isinstance(first, str) and first.startswith("/"):
        head = base.parts[0] if base.parts else ""
        match = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/]+", head) if isinstance(head, str) else None
        origin = lit(match.group(0)) if match else hole()
        return concat(origin, Text((), base.hints, base.nodes), ref)
    last = base.parts[-1] if base.parts else ""
    if isinstance(last, str) and last.endswith("/"):
        return concat(base, ref)
    return concat(base, lit("/"), ref)


def format_text(template: Text, args: list[Text], kwargs: dict[str, Text]) -> Text:
    """`template.format(*args, **kwargs)`; fields that cannot be filled become holes."""
    seen = concat(template, *args, *kwargs.values())
    if template.literal is None:
        return hole(base=seen)
    try:
        parsed = list(string.Formatter().parse(template.literal))
    except ValueError:
        return hole(base=seen)
    pieces: list[Text] = []
    auto = 0
    for literal_text, field, _spec, _conversion in parsed:
        pieces.append(lit(literal_text))
        if field is None:
            continue
        head = re.split(r"[.\[]", field, maxsplit=1)[0]
        value: Text | None = None
        if head == "":
            value, auto = (args[auto] if auto < len(args) else None), auto + 1
        elif head.isdigit():
            value = args[int(head)] if int(head) < len(args) else None
        else:
            value = kwargs.get(head)
        if value is None or head != field:  # `{0.attr}` / `{cfg[key]}`: not followed
            value = hole(head, base=value)
        pieces.append(value)
    out = concat(*pieces)
    return Text(out.parts, out.hints | seen.hints, out.nodes | seen.nodes)


_PERCENT = re.compile(r"%(\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?([diouxXeEfFgGcrsa%])")


def percent_text(template: Text, values: list[Text], by_name: bool) -> Text:
    """`template % values`; `%(name)s` with a dict, or anything unmatched, becomes a hole."""
    seen = concat(template, *values)
    if template.literal is None:
        return hole(base=seen)
    pieces: list[Text] = []
    pos, index = 0, 0
    for match in _PERCENT.finditer(template.literal):
        pieces.append(lit(template.literal[pos:match.start()]))
        pos = match.end()
        if match.group(2) == "%":
            pieces.append(lit("%"))
        elif match.group(1) is None and index < len(values) and not by_name:
            pieces.append(values[index])
            index += 1
        else:
            pieces.append(hole((match.group(1) or "").strip("()")))
    pieces.append(lit(template.literal[pos:]))
    out = concat(*pieces)
    return Text(out.parts, out.hints | seen.hints, out.nodes | seen.nodes)
