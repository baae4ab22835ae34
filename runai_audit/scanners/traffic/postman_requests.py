"""A Postman v2.1 request object -> the parts of an ApiCall (pure functions, no I/O).

`{{variables}}` in a URL cannot be resolved, so they become the wildcard `{*}`. A variable that
starts the URL is the base (`{{baseUrl}}/api/v1/...`): it becomes `{**}` unless the collection
gives it a literal value, and a base variable named after Run:ai (`{{runai_url}}`) marks the
request as Run:ai's. Path variables (`:workloadId`) are wildcards too. Disabled query
parameters, headers and form fields were not sent and are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runai_audit.models import BodyField
from runai_audit.scanners.traffic.bodies import form_fields, is_json_type, json_fields
from runai_audit.scanners.traffic.urls import merge_names, split_url

_VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_LEADING_VARIABLE = re.compile(r"^\s*\{\{\s*([^{}]*?)\s*\}\}")
_BARE_VARIABLE = re.compile(r'(?<!")\{\{[^{}]*\}\}(?!")')  # unquoted {{x}} inside a JSON body
_RUNAI_NAME = re.compile(r"run[-_.]?ai", re.IGNORECASE)


@dataclass(frozen=True)
class PostmanUrl:
    url: str  # with scheme and host when known, else starting with {**}
    host: str  # "" when unknown
    path: str
    query_names: tuple[str, ...]
    runai_hint: bool


def _items(value: object) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _enabled(items: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [item for item in items if not item.get("disabled")]


def raw_url(url: object) -> str:
    """The URL as the user wrote it: the string form, or `raw`, or rebuilt from its parts."""
    if isinstance(url, str):
        return url
    if not isinstance(url, dict):
        return ""
    if isinstance(url.get("raw"), str) and url["raw"].strip():
        return str(url["raw"])
    host = url.get("host")
    host_text = ".".join(str(h) for h in host) if isinstance(host, list) else str(host or "")
    path = url.get("path")
    path_text = "/".join(str(p) for p in path) if isinstance(path, list) else str(path or "")
    protocol = f"{url['protocol']}://" if isinstance(url.get("protocol"), str) else ""
    return f"{protocol}{host_text}/{path_text.lstrip('/')}"


def resolve_url(url: object, variables: Mapping[str, str]) -> PostmanUrl:
    text = raw_url(url).strip()
    hint = False
    leading = _LEADING_VARIABLE.match(text)
    if leading:
        name = leading.group(1)
        hint = bool(_RUNAI_NAME.search(name))
        literal = variables.get(name, "")
        if literal and "{{" not in literal:
            text = literal.rstrip("/") + text[leading.end() :]
        else:
            text = "{**}" + text[leading.end() :]
    text = _VARIABLE.sub("{*}", text)
    base_unknown = text.startswith("{**}")
    parts = split_url(text[4:] if base_unknown else text)
    path = "/".join("{*}" if segment.startswith(":") else segment for segment in parts.path.split("/"))
    explicit = [str(q.get("key", "")) for q in _enabled(_items(url.get("query")))] if isinstance(url, dict) else []
    names = merge_names(explicit, parts.query_names)
    full = f"{{**}}{path}" if base_unknown else f"{parts.base}{path}"
    return PostmanUrl(full, "" if base_unknown else parts.host, path, names, hint)


def request_body(request: Mapping[str, Any], max_bytes: int) -> tuple[BodyField, ...]:
    body = request.get("body")
    if not isinstance(body, dict) or body.get("disabled"):
        return ()
    mode = body.get("mode")
    if mode == "raw" and isinstance(body.get("raw"), str):
        text = body["raw"]
        language = ((body.get("options") or {}).get("raw") or {}).get("language", "")
        if is_json_type(str(language)) or is_json_type(content_type(request)) or text.lstrip()[:1] in ("{", "["):
            return json_fields(_BARE_VARIABLE.sub("null", text), max_bytes) or ()
        return ()
    if mode in ("urlencoded", "formdata"):
        fields = _enabled(_items(body.get(mode)))
        return form_fields((str(f.get("key", "")), f.get("value")) for f in fields if f.get("type") != "file")
    return ()


def content_type(request: Mapping[str, Any]) -> str:
    for header in _enabled(_items(request.get("header"))):
        if str(header.get("key", "")).lower() == "content-type":
            return str(header.get("value", ""))
    return ""


def response_headers(response: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(lower-case name, value) of a saved example's response headers."""
    return [(str(h.get("key", "")).lower(), str(h.get("value", ""))) for h in _items(response.get("header"))]
