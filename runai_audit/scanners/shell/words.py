"""The words and commands a shell script is read into, and small operations on words.

A Word is one shell word after quote removal. Every character keeps its file offset, so an
observation found deep inside a quoted JSON body can still say exactly where it sits. Every part
of a word the scanner cannot know (`$VAR`, `${VAR:-x}`, `$(...)`, backticks, `<TOKEN>`) is one
SENTINEL character with a VarRef beside it. Reading text into these is `shell.lexer`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

SENTINEL = "\x00"  # one unresolved part of a word; input NULs are blanked before tokenizing

_PARAM = re.compile(r"([#!]?)([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])(?:\[[^\]]*\])?(.*)", re.S)
_PARAM_OPS = (":-", ":=", ":+", ":?", "-", "=", "+", "?", ":", "##", "#", "%%", "%", "//", "/", "^^", ",,")


@dataclass(frozen=True)
class VarRef:
    """An unresolved part of a word. kind: var | special | subst | arith | make | placeholder."""

    name: str
    kind: str = "var"
    op: str = ""  # ${name<op>arg}
    arg: str = ""


@dataclass
class Word:
    """One shell word after quote removal. `offs[i]` is the file offset of `text[i]`."""

    text: str
    offs: list[int]
    vars: list[VarRef]
    start: int  # file offset of the word's first character (its opening quote, if quoted)
    end: int  # file offset just past its last character
    quoted: bool
    raw: str  # the word as written (continuations included)
    hints: tuple[str, ...] = ()  # names of variables whose known values were substituted in

    @property
    def literal(self) -> str | None:
        return None if self.vars else self.text

    @property
    def is_single_var(self) -> bool:
        return self.text == SENTINEL


@dataclass
class Source:
    """Text to tokenize. `offmap` maps its offsets to file offsets (None: they are file offsets);
    `var_at` gives the VarRef of each SENTINEL already present in the text."""

    text: str
    offmap: list[int] | None = None
    var_at: dict[int, VarRef] = field(default_factory=dict)

    @classmethod
    def of_word(cls, word: Word) -> Source:
        var_iter = iter(word.vars)
        var_at = {i: next(var_iter) for i, ch in enumerate(word.text) if ch == SENTINEL}
        return cls(word.text, word.offs, var_at)

    def file_offset(self, i: int) -> int:
        if self.offmap is None:
            return i
        if not self.offmap:
            return 0
        return self.offmap[min(i, len(self.offmap) - 1)] + max(0, i - len(self.offmap) + 1)


@dataclass
class Heredoc:
    body: Word  # the data, expansions marked as SENTINEL unless the delimiter was quoted
    source: Source
    start: int  # body span in `source`, for reading the body as a script
    end: int


@dataclass
class Command:
    words: list[Word]
    heredocs: list[Heredoc] = field(default_factory=list)
    piped: bool = False  # stdin comes from the previous command through `|`


@dataclass(frozen=True)
class Marker:
    kind: str  # "func" (value: the name), "open" / "close" (value: "{" "}" "(" ")")
    value: str


Item = Command | Marker



def parse_parameter(inner: str) -> VarRef:
    """`${NAME:-default}` -> VarRef("NAME", op=":-", arg="default")."""
    m = _PARAM.match(inner)
    if not m:
        return VarRef(inner.strip() or "?")
    name, rest = m.group(2), m.group(3)
    for op in _PARAM_OPS:
        if rest.startswith(op):
            arg = rest[len(op):]
            if len(arg) >= 2 and arg[0] == arg[-1] and arg[0] in "'\"":
                arg = arg[1:-1]
            return VarRef(name, "special" if not (name[0].isalpha() or name[0] == "_") else "var", op, arg)
    return VarRef(name, "var" if name[0].isalpha() or name[0] == "_" else "special")


def slice_word(word: Word, start: int, stop: int | None = None) -> Word:
    """The part text[start:stop] of a word (an option's attached value: `-XPOST`, `--data=...`)."""
    stop = len(word.text) if stop is None else stop
    skipped = word.text.count(SENTINEL, 0, start)
    taken = word.text.count(SENTINEL, start, stop)
    offs = word.offs[start:stop]
    first = offs[0] if offs else word.end
    last = offs[-1] + 1 if offs else word.end
    text = word.text[start:stop]
    raw = word.raw if (start, stop) == (0, len(word.text)) else text.replace(SENTINEL, "$")
    return Word(text, offs, word.vars[skipped:skipped + taken], first, last, word.quoted, raw, word.hints)


def literal_word(text: str, offset: int) -> Word:
    """A word for text that has no place of its own in the file (a `${X:-default}` default):
    every character is placed at `offset`."""
    return Word(text, [offset] * len(text), [], offset, offset + 1, False, text)


def substitute(word: Word, lookup: Callable[[VarRef], Word | None]) -> Word:
    """Splice known values into a word's unresolved parts; the rest stay unresolved."""
    if not word.vars:
        return word
    text: list[str] = []
    offs: list[int] = []
    vars_out: list[VarRef] = []
    hints = list(word.hints)
    var_index = 0
    last = 0
    for i, ch in enumerate(word.text):
        if ch != SENTINEL:
            continue
        var = word.vars[var_index]
        var_index += 1
        value = lookup(var)
        text.append(word.text[last:i])
        offs.extend(word.offs[last:i])
        if value is None:
            text.append(SENTINEL)
            offs.append(word.offs[i])
            vars_out.append(var)
        else:
            text.append(value.text)
            offs.extend(value.offs)
            vars_out.extend(value.vars)
            hints.append(var.name)
            hints.extend(value.hints)
        last = i + 1
    text.append(word.text[last:])
    offs.extend(word.offs[last:])
    whole = word.text == SENTINEL and not vars_out and hints
    raw = "".join(text) if whole else word.raw  # a word that was only `$1` now reads as its value
    return Word("".join(text), offs, vars_out, word.start, word.end, word.quoted, raw, tuple(hints))
