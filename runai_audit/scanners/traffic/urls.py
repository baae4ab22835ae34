"""Recorded URLs reduced to what may be kept: scheme, host, path and query parameter *names*.

Credentials in the authority (`https://user:pass@host`), query values and fragments are dropped
here, and secret-looking path segments masked, before anything is built from a URL.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote_plus, urlsplit

from runai_audit.models import QueryParam
from runai_audit.scanners.redact import MASK, looks_opaque, mask_path

_QUERY_NAME = re.compile(r"[A-Za-z_$@][A-Za-z0-9_.$@\[\]-]{0,63}")


@dataclass(frozen=True)
class RecordedUrl:
    base: str  # "https://acme.run.ai" or "https://10.0.0.5:8443"; "" when the URL had no host
    host: str  # lower case with port as recorded ("acme.run.ai", "10.0.0.5:8443"); "" when none
    path: str  # "/api/v1/workloads", as recorded (not decoded or normalised)
    query_names: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return self.base + self.path


def split_url(raw: str) -> RecordedUrl:
    """Split an absolute URL, or a path with an optional query. Secret-looking path segments
    (a token in `/share/eyJ...`) are masked here, before anything is built from the URL."""
    url = _split(raw)
    masked = mask_path(url.path)
    return url if masked == url.path else RecordedUrl(url.base, url.host, masked, url.query_names)


def _split(raw: str) -> RecordedUrl:
    text = raw.strip().partition("#")[0]
    rest, _, query = text.partition("?")
    scheme, sep, after = rest.partition("://")
    if not sep or "/" in scheme:  # a path, or "host/path" without a scheme
        path = rest if rest.startswith("/") else "/" + rest
        return RecordedUrl("", "", path, query_names(query))
    netloc, slash, path = after.partition("/")
    host = _host(netloc)
    if host is None:
        return RecordedUrl("", "", slash + path or "/", query_names(query))
    base = f"{scheme.lower() or 'https'}://{host}" if host else ""
    return RecordedUrl(base, host, slash + path or "/", query_names(query))


@functools.lru_cache(maxsize=1024)  # a recording talks to a handful of hosts
def _host(netloc: str) -> str | None:
    """"user:pw@Host.Example:8443" -> "host.example:8443"; None when malformed."""
    try:
        parts = urlsplit("//" + netloc)
        hostname = parts.hostname or ""
        port = parts.port
    except ValueError:  # an unclosed IPv6 bracket, a port out of range
        return None
    host = hostname.lower().rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    return f"{host}:{port}" if host and port is not None else host


@functools.lru_cache(maxsize=4096)  # parameter names repeat across requests
def safe_query_name(name: str) -> str | None:
    """A query parameter name worth keeping; a bare token (`?eyJ...`) is not a name."""
    name = name.strip()
    if not _QUERY_NAME.fullmatch(name) or looks_opaque(name):
        return None
    return name


def query_names(query: str) -> tuple[str, ...]:
    """Parameter names of a raw query string, first-seen order, values discarded."""
    if not query:
        return ()
    return merge_names(unquote_plus(pair.partition("=")[0]) for pair in query.split("&") if pair)


def merge_names(*groups: Iterable[str]) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for group in groups:
        for raw in group:
            name = safe_query_name(raw)
            if name:
                names.setdefault(name, None)
    return tuple(names)


def query_params(names: Iterable[str]) -> tuple[QueryParam, ...]:
    return tuple(QueryParam(name) for name in names)


def evidence(method: str, path: str) -> str:
    """What a report may quote of a request: the method and the path (opaque segments such as
    keys masked), never the query."""
    return f"{method} {'/'.join(MASK if looks_opaque(part) else part for part in path.split('/'))}"
