"""HTTPie (and xh) command lines: `http [METHOD] URL name=value name:=json name==query Header:value`."""

from __future__ import annotations

import re

from runai_audit.scanners.shell.http import (
    HTTP_METHODS,
    MASK,
    HttpRequest,
    NamedField,
    fields_of_body,
    url_evidence,
)
from runai_audit.scanners.shell.json import looks_like_json
from runai_audit.scanners.shell.words import SENTINEL, Word, slice_word

_HTTPIE_WITH_VALUE = frozenset({
    "-a", "--auth", "-A", "--auth-type", "-p", "--print", "-P", "--history-print", "-o", "--output",
    "--session", "--session-read-only", "--timeout", "--max-redirects", "--verify", "--cert",
    "--cert-key", "--cert-key-pass", "--ssl", "--ciphers", "--proxy", "--pretty", "-s", "--style",
    "--format-options", "--default-scheme", "--boundary", "--raw", "--response-charset",
    "--response-mime", "--max-headers",
})
_HTTPIE_SEPARATORS = (":=@", "==", ":=", "=@", "=", "@", ":")


def _bracket_path(name: str) -> str:
    """HTTPie nested names: `spec[compute][gpu]` -> `spec.compute.gpu`, `items[0][name]` -> `items[].name`."""
    head, _, rest = name.partition("[")
    if not rest:
        return name
    path = head
    for key in re.findall(r"\[([^\]]*)\]", "[" + rest):
        if key == "" or key.isdigit():
            path += "[]"
        else:
            path = f"{path}.{key}" if path else key
    return path


def _httpie_item(word: Word) -> tuple[str, int, str] | None:
    """(name, separator index, separator) of an HTTPie request item, or None."""
    text = word.text
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        for sep in _HTTPIE_SEPARATORS:
            if text.startswith(sep, i):
                return (text[:i], i, sep) if i > 0 else None
        i += 1
    return None


def parse_httpie(tool: str, args: list[Word]) -> HttpRequest:
    req = HttpRequest(tool, "GET", evidence=[tool])
    explicit: str | None = None
    raw_body = False
    positional: list[Word] = []
    i = 0
    while i < len(args):
        word = args[i]
        text = word.text
        i += 1
        if text.startswith("-") and len(text) > 1 and not positional:
            name = text.split("=", 1)[0]
            if name in _HTTPIE_WITH_VALUE and "=" not in text and i < len(args):
                i += 1
            raw_body = raw_body or name == "--raw"
            req.evidence.append(name if name in ("-f", "--form", "--multipart", "-j", "--json", "-v") else f"{name} {MASK}")
            continue
        positional.append(word)
    if positional and positional[0].literal and positional[0].text.upper() in HTTP_METHODS:
        explicit = positional[0].text.upper()
        req.evidence.append(explicit)
        positional = positional[1:]
    if not positional:
        return req
    url = positional[0]
    if url.literal is not None and url.text.startswith(":"):  # HTTPie's localhost shorthand
        url = Word("localhost" + url.text, [url.offs[0]] * 9 + url.offs, url.vars, url.start, url.end,
                   url.quoted, url.raw, url.hints)
    req.urls.append(url)
    req.evidence.append(url_evidence(positional[0]))
    has_body = raw_body
    for item in positional[1:]:
        parsed = _httpie_item(item)
        if parsed is None:
            continue
        name, cut, sep = parsed
        if SENTINEL in name:
            continue
        at = item.offs[0]
        if sep == "==":
            req.fields.append(NamedField(name, None, at, as_query=True))
            req.evidence.append(f"{name}=={MASK}")
        elif sep == ":":
            req.evidence.append(f"{name}:{MASK}")
        else:
            has_body = True
            path = _bracket_path(name)
            value = item.text[cut + len(sep):]
            short = value if sep == "=" and SENTINEL not in value and len(value) <= 64 else None
            if sep == ":=":
                sub = slice_word(item, cut + 2)
                nested = fields_of_body(sub, "json", prefix=path) if looks_like_json(value) else []
                short = value if not nested and SENTINEL not in value and len(value) <= 64 else None
                req.fields.append(NamedField(path, short, at))
                req.fields.extend(nested)
            else:
                req.fields.append(NamedField(path, short, at))
            req.evidence.append(f"{name}{sep}{MASK}")
    req.method = explicit or ("POST" if has_body else "GET")
    return req
