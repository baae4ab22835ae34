"""One HAR entry (already parsed) -> observations. Pure functions, no I/O.

Headers may be recorded as [{"name", "value"}] or [[name, value]]; either may be missing. Of
all header values only the user agent, the request content type and the response's
Deprecation / Sunset / Warning are read.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from runai_audit.models import ApiCall, BodyField, Location, Observation, Usage
from runai_audit.scanners.traffic.bodies import (
    form_fields,
    is_form_type,
    is_json_type,
    json_fields,
    urlencoded_fields,
)
from runai_audit.scanners.traffic.hosts import Verdict
from runai_audit.scanners.traffic.signals import SIGNAL_HEADERS, caller_name, response_signals
from runai_audit.scanners.traffic.times import iso_utc
from runai_audit.scanners.traffic.urls import RecordedUrl, evidence, merge_names, query_params


def _map(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def name_values(items: object) -> Iterator[tuple[str, object]]:
    """(name, value) of HAR name/value lists in either recorded shape."""
    if not isinstance(items, list):
        return
    for item in items:
        if isinstance(item, dict):
            yield _text(item.get("name")), item.get("value")
        elif isinstance(item, list) and item:
            yield _text(item[0]), item[1] if len(item) > 1 else None


def request_of(entry: Mapping[str, Any]) -> Mapping[str, Any]:
    return _map(entry.get("request"))


class BodyTooLarge(Exception):
    """The request body is larger than the caller's limit; its fields are not read."""


def body_fields(request: Mapping[str, Any], content_type: str, max_bytes: int) -> tuple[BodyField, ...]:
    post = _map(request.get("postData"))
    params = list(name_values(post.get("params")))
    if params:
        return form_fields(params)
    text = post.get("text")
    if not isinstance(text, str):
        return ()
    if len(text) > max_bytes:
        raise BodyTooLarge
    mime = _text(post.get("mimeType")) or content_type
    if is_json_type(mime) or (not mime and text.lstrip()[:1] in ("{", "[")):
        return json_fields(text, max_bytes) or ()
    if is_form_type(mime):
        return urlencoded_fields(text, max_bytes)
    return ()


def entry_observations(
    entry: Mapping[str, Any], url: RecordedUrl, location: Location, verdict: Verdict, max_body: int
) -> tuple[tuple[Observation, ...], bool]:
    """The ApiCall (and ServerSignals) of one entry; the flag says the body was too large to read."""
    request = request_of(entry)
    agent = content_type = ""
    for name, value in name_values(request.get("headers")):
        lower = name.lower()
        if lower == "user-agent":
            agent = _text(value)
        elif lower == "content-type":
            content_type = _text(value)
    try:
        body, too_large = body_fields(request, content_type, max_body), False
    except BodyTooLarge:
        body, too_large = (), True
    method = (_text(request.get("method")) or "*").upper()
    seen = iso_utc(_text(entry.get("startedDateTime")))
    usage = Usage(1, seen, seen, (caller_name(agent),) if agent else ())
    names = merge_names((name for name, _ in name_values(request.get("queryString"))), url.query_names)
    call = ApiCall(
        method=method,
        url=url.url,
        location=location,
        query=query_params(names),
        body=body,
        confidence=verdict.confidence,
        evidence=evidence(method, url.path),
        runai_hint=verdict.hint,
        usage=usage,
    )
    kept = [
        (lower, _text(value))
        for name, value in name_values(_map(entry.get("response")).get("headers"))
        if (lower := name.lower()) in SIGNAL_HEADERS
    ]
    if not kept:
        return (call,), too_large
    return (call, *response_signals(kept, method, url.url, location, usage)), too_large
