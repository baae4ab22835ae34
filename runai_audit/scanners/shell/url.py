"""Rebuild the URL an ApiCall reports from a URL written in a script or a string literal.

Unknown parts become wildcards the way models.ApiCall documents them: an unresolved base (the URL
starts with `$RUNAI_URL`, `${base}`, `%s`, `{{ .Values.url }}`) is a leading `{**}`; an unknown
part of a host or path segment makes that segment `{*}`. Query parameters keep their names only.
Credentials in the authority (`user:pass@host`) are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from runai_audit.scanners.shell.words import SENTINEL

# Unknown parts as written in code and documentation: a shell SENTINEL, ${x}, {{ x }}, {x}, <x>,
# printf verbs, and $x left literal by single quotes or template languages.
_PLACEHOLDER = re.compile(
    r"\x00+|\$\{[^}]*\}|\{\{.*?\}\}|\{[^{}/]*\}|<[A-Za-z][\w.\- ]*>|%[sdvq]|\$[A-Za-z_]\w*|:[A-Za-z_]\w*(?=/|$)"
)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_HOSTLIKE = re.compile(r"(?:localhost|\x01+|[\w\x01-]+(?:\.[\w\x01-]+)+|\[[0-9a-fA-F:.]+\])(?::(?:\d+|\x01+))?")
_HOLE = "\x01"
BASE = "{**}"
WILD = "{*}"


def names_runai(name: str) -> bool:
    """True when a variable or placeholder name says Run:ai (RUNAI_URL, run_ai_host, runaiBase)."""
    low = name.lower()
    return "runai" in low or "run_ai" in low or "run-ai" in low or "run.ai" in low


@dataclass(frozen=True)
class UrlShape:
    url: str
    query: tuple[tuple[str, int], ...]  # (name, index of the name in the text given)
    wildcard: bool  # some part of base or path was unknown
    host_literal: bool  # scheme and host were written out in full
    hint: bool  # a variable or placeholder that built it names Run:ai
    path: str  # the path part of `url` (after the base), "" when there is none


def _holes(text: str, names: Sequence[str]) -> tuple[str, bool]:
    """`text` with every placeholder replaced by holes of the same length; and the Run:ai hint."""
    hint = any(names_runai(n) for n in names)
    parts: list[str] = []
    last = 0
    for m in _PLACEHOLDER.finditer(text):
        if m.group().startswith(":") and (m.start() == 0 or text[m.start() - 1] != "/"):
            continue  # a port or a scheme colon, not an `:id` path parameter
        parts.append(text[last:m.start()])
        parts.append(_HOLE * (m.end() - m.start()))
        last = m.end()
        if SENTINEL not in m.group() and names_runai(m.group()):
            hint = True
    parts.append(text[last:])
    return "".join(parts), hint


def _segment(seg: str) -> str:
    return WILD if _HOLE in seg else seg


def shape_url(text: str, names: Sequence[str] = ()) -> UrlShape | None:
    """The URL as ApiCall.url wants it; None when `text` does not read as a URL or a path."""
    lead = len(text) - len(text.lstrip())
    flat, hint = _holes(text.strip(), names)
    if not flat:
        return None
    end = len(flat)
    frag = flat.find("#")
    if frag >= 0:
        end = frag
    qmark = flat.find("?", 0, end)
    path_end = qmark if qmark >= 0 else end

    host_literal = False
    scheme = _SCHEME.match(flat)
    if scheme:
        host_start = scheme.end()
        slash = flat.find("/", host_start, path_end)
        host_end = path_end if slash < 0 else slash
        authority = flat[host_start:host_end].rsplit("@", 1)[-1]
        host = re.sub(r"\x01+", WILD, authority)
        base = flat[:host_start] + host
        host_literal = _HOLE not in authority and bool(authority)
        wildcard = not host_literal
        path_start = host_end
    elif flat.startswith(_HOLE):
        slash = flat.find("/", 0, path_end)
        path_start = path_end if slash < 0 else slash
        base, wildcard = BASE, True
    elif flat.startswith("/"):
        base, wildcard, path_start = BASE, False, 0
    else:
        slash = flat.find("/", 0, path_end)
        host_end = path_end if slash < 0 else slash
        authority = flat[:host_end]
        if not _HOSTLIKE.fullmatch(authority):
            return None
        base = re.sub(r"\x01+", WILD, authority)
        wildcard = _HOLE in authority
        path_start = host_end

    raw_path = flat[path_start:path_end]
    segments = [_segment(s) for s in raw_path.split("/")]
    path = "/".join(segments)
    wildcard = wildcard or _HOLE in raw_path

    query: list[tuple[str, int]] = []
    if qmark >= 0:
        index = qmark + 1
        for part in flat[qmark + 1:end].split("&"):
            name = part.split("=", 1)[0]
            if name and _HOLE not in name:
                query.append((name, lead + index))
            index += len(part) + 1
    return UrlShape(base + path, tuple(query), wildcard, host_literal, hint, path)
