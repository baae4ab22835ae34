"""What the HTTP command-line clients have in common: the request they describe, body fields,
and evidence that never shows a header value, credential, cookie or body.

Each client has its own parser (`shell.curl`, `shell.httpie`, and wget here) that knows which
options take a value, so a value is never mistaken for the URL. Header names are kept in evidence;
they say what was sent without saying the secret.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from runai_audit.scanners.redact import is_secret_name
from runai_audit.scanners.shell.json import json_fields, looks_like_json
from runai_audit.scanners.shell.words import SENTINEL, VarRef, Word, slice_word

MASK = "***"
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
_QUERY_VALUE = re.compile(r"([?&][^=&\s'\"#]+=)([^&\s'\"#]*)")

_WGET_SHORT_WITH_VALUE = frozenset("oaOPtTUeiBwQlARDIX")
_WGET_LONG_WITH_VALUE = frozenset({
    "header", "method", "body-data", "body-file", "post-data", "post-file", "user", "password",
    "http-user", "http-password", "proxy-user", "proxy-password", "output-document", "output-file",
    "append-output", "user-agent", "referer", "tries", "timeout", "wait", "directory-prefix",
    "input-file", "load-cookies", "save-cookies", "ca-certificate", "certificate", "private-key",
    "bind-address", "limit-rate", "execute", "quota", "level", "accept", "reject", "domains",
    "connect-timeout", "read-timeout", "dns-timeout",
})
_WGET_SECRET = frozenset({"--user", "--password", "--http-user", "--http-password", "--proxy-user",
                          "--proxy-password", "--load-cookies", "--private-key"})


@dataclass
class NamedField:
    """A body field or query parameter known by name (form field, HTTPie item, -G data)."""

    path: str
    value: str | None
    offset: int  # file offset of the name
    as_query: bool = False

    def __post_init__(self) -> None:
        self.value = kept_value(self.path, self.value)


def kept_value(path: str, value: str | None) -> str | None:
    """A field's value is kept for enum matching, never for a field whose name says secret."""
    name = path.replace("[]", "").rsplit(".", 1)[-1]
    return None if value is None or is_secret_name(name) else value


@dataclass
class HttpRequest:
    tool: str
    method: str
    urls: list[Word] = field(default_factory=list)
    fields: list[NamedField] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


def flat(raw: str) -> str:
    """A word as written, on one line: continuations removed, runs of blanks made one space."""
    return " ".join(raw.replace("\\\r\n", "").replace("\\\n", "").split())


def url_evidence(word: Word) -> str:
    """The URL as written, query values masked; after a substitution, rebuilt from its value."""
    if word.hints:
        names = iter(word.vars)
        shown = re.sub(SENTINEL, lambda _: "$" + _var_name(next(names, None)), word.text)
    else:
        shown = flat(word.raw)
    return _QUERY_VALUE.sub(rf"\1{MASK}", shown)


def _var_name(var: VarRef | None) -> str:
    if var is None:
        return "?"
    return f"({var.name})" if var.kind == "subst" else var.name


def header_evidence(word: Word | None) -> str:
    if word is None:
        return ""
    name = word.text.split(":", 1)[0].replace(SENTINEL, "$")
    return f"'{name}: {MASK}'" if ":" in word.text else f"'{MASK}'"


def fields_of_body(word: Word, kind: str, as_query: bool = False, prefix: str = "") -> list[NamedField]:
    """Body fields of a data word: JSON key paths, or the names of a form body `a=1&b=2`."""
    text = word.text
    if kind == "json" or (kind in ("auto", "raw") and looks_like_json(text)):
        out = []
        for f in json_fields(text):
            path = f"{prefix}.{f.path}" if prefix else f.path
            out.append(NamedField(path, f.value, word.offs[f.offset] if f.offset < len(word.offs) else word.start, as_query))
        return out
    out = []
    index = 0
    for part in text.split("&"):
        name, eq, value = part.partition("=")
        stripped = name.strip()
        if eq and stripped and SENTINEL not in stripped and re.fullmatch(r"[\w.\-\[\]]+", stripped):
            at = index + (len(name) - len(name.lstrip()))
            short = value if value and SENTINEL not in value and len(value) <= 64 else None
            out.append(NamedField(stripped, short, word.offs[at], as_query))
        index += len(part) + 1
    return out


def parse_wget(args: list[Word]) -> HttpRequest:
    req = HttpRequest("wget", "GET", evidence=["wget"])
    explicit: str | None = None
    post = False
    i = 0
    while i < len(args):
        word = args[i]
        text = word.text
        i += 1
        if not text.startswith("-") or text == "-":
            req.urls.append(word)
            req.evidence.append(url_evidence(word))
            continue
        value: Word | None = None
        name = text
        if text.startswith("--"):
            if "=" in text:
                name = text[:text.index("=")]
                value = slice_word(word, text.index("=") + 1)
            elif text[2:] in _WGET_LONG_WITH_VALUE and i < len(args):
                value = args[i]
                i += 1
        elif not text.startswith("-n"):
            for j in range(1, len(text)):  # a cluster: -qO- is -q -O -
                if text[j] in _WGET_SHORT_WITH_VALUE:
                    name = "-" + text[j]
                    if j + 1 < len(text):
                        value = slice_word(word, j + 1)
                    elif i < len(args):
                        value = args[i]
                        i += 1
                    break
        if name == "--method" and value is not None:
            explicit = value.text.upper() if value.literal else "*"
            req.evidence.append(f"--method={flat(value.raw) if value.literal is None else value.text}")
        elif name in ("--post-data", "--body-data") and value is not None:
            post = post or name == "--post-data"
            req.fields.extend(fields_of_body(value, "auto"))
            req.evidence.append(f"{name}='{MASK}'")
        elif name in ("--post-file", "--body-file"):
            post = post or name == "--post-file"
            req.evidence.append(f"{name}={MASK}")
        elif name == "--header":
            req.evidence.append(f"--header={header_evidence(value)}")
        elif value is not None and name in _WGET_SECRET:
            req.evidence.append(f"{name}={MASK}")
        elif value is None or (value.start >= word.start and value.end <= word.end):
            req.evidence.append(flat(word.raw))  # the value, if any, is inside the word
        else:
            req.evidence.append(f"{flat(word.raw)} {flat(value.raw)}")
    req.method = explicit or ("POST" if post else "GET")
    return req
