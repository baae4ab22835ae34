"""Recorded URLs reduced to what may be kept: scheme, host, path and query parameter *names*.

Credentials in the authority (`https://user:pass@host`), query values and fragments are dropped
here, before anything is built from a URL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from runai_audit.models import QueryParam
from runai_audit.redact import MASK, looks_opaque

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
    """Split an absolute URL, or a path with an optional query."""
    text = raw.strip()
    try:
        parts = urlsplit(text)
        hostname = parts.hostname or ""
        port = parts.port
    except ValueError:  # a malformed authority such as an unclosed IPv6 bracket
        return RecordedUrl("", "", _path_only(text), ())
    host = hostname.lower().rstrip(".")
    if host and ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if host and port is not None:
        host = f"{host}:{port}"
    base = f"{parts.scheme.lower() or 'https'}://{host}" if host else ""
    path = parts.path or "/"
    if not host and not path.startswith("/"):
        path = "/" + path
    return RecordedUrl(base, host, path, query_names(parts.query))


def _path_only(text: str) -> str:
    path = text.split("?", 1)[0].split("#", 1)[0]
    return path if path.startswith("/") else "/" + path


def safe_query_name(name: str) -> str | None:
    """A query parameter name worth keeping; a bare token (`?eyJ...`) is not a name."""
    name = name.strip()
    if not _QUERY_NAME.fullmatch(name) or looks_opaque(name):
        return None
    return name


def query_names(query: str) -> tuple[str, ...]:
    """Parameter names of a raw query string, first-seen order, values discarded."""
    return merge_names(name for name, _ in parse_qsl(query, keep_blank_values=True))


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
