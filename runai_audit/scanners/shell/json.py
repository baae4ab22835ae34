"""Field paths of a JSON request body written inside a script, with the offset of every key.

Bodies in scripts are rarely clean JSON: shell variables are spliced in (`"name": "'"$NAME"'"`),
documentation writes `<PROJECT_ID>`, and a trailing comma slips through. This walker reads what it
can, treats an unresolved part (SENTINEL) as an unknown value, and stops quietly at the first
thing it cannot read, keeping the fields it found before. `json` cannot give key positions, which
is why this exists.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from runai_audit.scanners.shell.words import SENTINEL

MAX_VALUE = 64  # longer scalars are not kept: enum values are short, secrets often are not
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_WS = " \t\r\n"
_MAX_DEPTH = 64


@dataclass(frozen=True)
class JsonField:
    path: str  # `spec.compute.gpuDevicesRequest`, list items as `items[].name`
    value: str | None  # a short literal scalar, else None
    offset: int  # index in the walked text of the key's opening quote (or first character)


class _Stop(Exception):
    """The text stopped being JSON; keep what was read."""


class _Walker:
    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.fields: list[JsonField] = []

    def ws(self) -> None:
        s = self.s
        while self.i < len(s) and s[self.i] in _WS:
            self.i += 1

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def value(self, path: str, depth: int) -> str | None:
        """Read one value; return it when it is a short literal scalar."""
        if depth > _MAX_DEPTH:
            raise _Stop
        self.ws()
        c = self.peek()
        if c == "{":
            self.obj(path, depth)
            return None
        if c == "[":
            self.arr(path, depth)
            return None
        if c == '"':
            text = self.string()
            return text if SENTINEL not in text and len(text) <= MAX_VALUE else None
        return self.bare()

    def bare(self) -> str | None:
        """A number, true/false/null, or an unquoted unknown (`$VAR`, `<ID>`)."""
        s, start = self.s, self.i
        while self.i < len(s) and s[self.i] not in ",}]" + _WS:
            self.i += 1
        token = s[start:self.i]
        if not token:
            raise _Stop
        if SENTINEL in token or token == "null" or token.startswith("$"):
            return None  # unknown, or a jq variable (`jq -n '{name: $name}'`)
        return token if len(token) <= MAX_VALUE else None

    def string(self) -> str:
        s = self.s
        self.i += 1
        out: list[str] = []
        while self.i < len(s):
            c = s[self.i]
            if c == '"':
                self.i += 1
                return "".join(out)
            if c == "\\" and self.i + 1 < len(s):
                e = s[self.i + 1]
                if e == "u" and self.i + 6 <= len(s):
                    try:
                        out.append(chr(int(s[self.i + 2:self.i + 6], 16)))
                    except ValueError:
                        out.append("?")
                    self.i += 6
                    continue
                out.append(_ESCAPES.get(e, e))
                self.i += 2
                continue
            out.append(c)
            self.i += 1
        raise _Stop

    def key(self) -> str:
        c = self.peek()
        if c == '"':
            name = self.string()
        else:  # an unquoted key: jq / JavaScript style, or an unknown
            start = self.i
            while self.i < len(self.s) and self.s[self.i] not in ":" + _WS + ",}":
                self.i += 1
            name = self.s[start:self.i]
            if not name:
                raise _Stop
        return "{*}" if SENTINEL in name else name

    def obj(self, path: str, depth: int) -> None:
        self.i += 1
        while True:
            self.ws()
            c = self.peek()
            if c == "}":
                self.i += 1
                return
            if c == ",":
                self.i += 1
                continue
            if not c:
                raise _Stop
            at = self.i
            name = self.key()
            self.ws()
            if self.peek() != ":":
                raise _Stop
            self.i += 1
            child = f"{path}.{name}" if path else name
            index = len(self.fields)
            self.fields.append(JsonField(child, None, at))
            value = self.value(child, depth + 1)
            if value is not None:
                self.fields[index] = JsonField(child, value, at)

    def arr(self, path: str, depth: int) -> None:
        self.i += 1
        item = f"{path}[]"
        while True:
            self.ws()
            c = self.peek()
            if c == "]":
                self.i += 1
                return
            if c == ",":
                self.i += 1
                continue
            if not c:
                raise _Stop
            self.value(item, depth + 1)


def json_fields(text: str) -> list[JsonField]:
    """Every key path in a JSON text (objects included, not only leaves), in document order."""
    walker = _Walker(text)
    with contextlib.suppress(_Stop):
        walker.value("", 0)
    return walker.fields


def looks_like_json(text: str) -> bool:
    stripped = text.lstrip()
    return stripped.startswith(("{", "["))


def read_json_string(raw: str, pos: int) -> tuple[str, list[int], int]:
    """Decode the JSON string literal whose opening quote is at raw[pos].

    Returns (value, offset in raw of each value character, index just past the closing quote).
    Characters from an escape map to the escape's backslash.
    """
    out: list[str] = []
    offs: list[int] = []
    i = pos + 1
    n = len(raw)
    while i < n:
        c = raw[i]
        if c == '"':
            return "".join(out), offs, i + 1
        if c == "\\" and i + 1 < n:
            e = raw[i + 1]
            if e == "u":
                try:
                    code = int(raw[i + 2:i + 6], 16)
                except ValueError:
                    code = 0xFFFD
                width = 6
                if 0xD800 <= code < 0xDC00 and raw.startswith("\\u", i + 6):
                    try:
                        low = int(raw[i + 8:i + 12], 16)
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        width = 12
                    except ValueError:
                        pass
                out.append(chr(code) if code <= 0x10FFFF else "\ufffd")
                offs.append(i)
                i += width
                continue
            out.append(_ESCAPES.get(e, e))
            offs.append(i)
            i += 2
            continue
        out.append(c)
        offs.append(i)
        i += 1
    return "".join(out), offs, n
