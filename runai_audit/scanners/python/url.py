"""Write a partly resolved URL in the form every scanner shares.

`https://acme.run.ai/api/v1/x` when scheme and host are literal; `{**}/v1/k8s/clusters/{*}/x`
when the base (host and prefix) is unknown; a path segment with any unknown part is `{*}`.
Query parameter names are split off; values are dropped. Pure functions over `Text`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runai_audit.models import Confidence
from runai_audit.scanners.python.text import MARK, Text, concat, lit

__all__ = ["RUNAI_NAME", "RenderedUrl", "confidence", "join_base", "mentions_runai", "render_url"]

RUNAI_NAME = re.compile(r"run[-_]?ai", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
# A value that stands for a base the reader fills in, written right against the path:
# "<control-plane>/api/v1", "YOUR base_url/api/v1". Prose before a path ("calling /api/v1/x")
# ends in a space and names no base, so it stays prose.
_PLACEHOLDER_WORD = re.compile(r"your|base|url|host|domain|server|endpoint", re.IGNORECASE)
_LEADING_AUTHORITY = re.compile(rf"^(?:[A-Za-z0-9+.-]*://)?[^/{MARK}]*(?:{MARK}[^/]*)*(?=/|$)")


@dataclass(frozen=True)
class RenderedUrl:
    url: str
    query: tuple[str, ...]
    base_known: bool
    literal_segments: int
    wildcard_segments: int


def mentions_runai(names: frozenset[str] | set[str]) -> bool:
    return any(RUNAI_NAME.search(name) for name in names)


def join_base(base: Text | None, path: Text) -> Text:
    """A client's base URL followed by a request path (an absolute URL wins)."""
    if base is None:
        return path
    first = path.parts[0] if path.parts else ""
    if isinstance(first, str) and _SCHEME.match(first):
        return concat(Text((), base.hints, base.nodes), path)
    if isinstance(first, str) and first.startswith("?"):
        return concat(base, path)
    return concat(base, lit("/"), path)


def render_url(text: Text) -> RenderedUrl:
    template = re.sub(f"{MARK}+", MARK, text.template())
    path_part, _, query = template.partition("?")
    path_part = path_part.partition("#")[0]
    query = query.partition("#")[0]
    names: list[str] = []
    for piece in query.split("&"):
        name = piece.partition("=")[0]
        if name and MARK not in name and name not in names:
            names.append(name)
    base, rest = _split_base(path_part)
    segments = ["{*}" if MARK in s else s for s in rest.split("/") if s]
    url = base + ("/" + "/".join(segments) if segments else "")
    wild = sum(1 for s in segments if s == "{*}")
    return RenderedUrl(url, tuple(names), base != "{**}", len(segments) - wild, wild)


def _split_base(path_part: str) -> tuple[str, str]:
    if path_part.startswith(MARK):
        # An unknown base, perhaps followed by the rest of an authority ("{host}:8080/x").
        rest = path_part[1:]
        if not rest.startswith("/"):
            match = _LEADING_AUTHORITY.match(rest)
            if match and (":" in match.group(0) or "." in match.group(0)):
                rest = rest[match.end():]
        return "{**}", rest
    scheme = _SCHEME.match(path_part)
    if scheme:
        after = path_part[scheme.end():]
        authority, slash, rest = after.partition("/")
        if MARK in authority or not authority:
            return "{**}", slash + rest
        return scheme.group(0).lower() + authority.lower(), slash + rest
    first, slash, rest = path_part.partition("/")
    if slash and _placeholder_base(first):
        return "{**}", slash + rest  # "YOUR base_url/api/v1/x": a base to fill in, not a path
    return "{**}", path_part


def _placeholder_base(chunk: str) -> bool:
    """`<host>` or words such as "YOUR base_url" where a URL's base belongs."""
    if not chunk or chunk[-1].isspace():
        return False
    if chunk.startswith("<") and chunk.endswith(">"):
        return True
    return any(c.isspace() for c in chunk) and bool(_PLACEHOLDER_WORD.search(chunk))


def confidence(method: str, rendered: RenderedUrl) -> Confidence:
    """HIGH when all literal, MEDIUM with some wildcards, LOW when most of it is unknown."""
    if (method == "*" or rendered.literal_segments == 0
            or rendered.wildcard_segments > rendered.literal_segments):
        return Confidence.LOW
    if not rendered.base_known or rendered.wildcard_segments:
        return Confidence.MEDIUM
    return Confidence.HIGH
