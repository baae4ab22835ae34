"""One Kubernetes audit event (audit.k8s.io/v1 Event) -> observations, and the dedupe window.

Only requests for resources of the `run.ai` API group count (the Cluster API CRDs such as
TrainingWorkload); `scheduling.run.ai`, `batch/v1` and the rest are counted as unmatched.
"""

from __future__ import annotations

import fnmatch
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from runai_audit.models import ApiCall, BodyField, Location, Observation, ServerSignal, Usage
from runai_audit.scanners.redact import mask_path
from runai_audit.scanners.traffic.bodies import object_fields
from runai_audit.scanners.traffic.signals import caller_name, mask_text
from runai_audit.scanners.traffic.times import iso_utc
from runai_audit.scanners.traffic.urls import evidence, query_names, query_params

RUNAI_GROUP = "run.ai"
VERB_METHODS = {
    "create": "POST", "update": "PUT", "patch": "PATCH", "delete": "DELETE", "deletecollection": "DELETE",
    "get": "GET", "list": "GET", "watch": "GET",
}
_NO_NAME_VERBS = frozenset({"create", "list", "deletecollection"})
# The stages of one request (RequestReceived, ResponseStarted, ResponseComplete, Panic) are
# written while it is in flight, so they sit within (requests in flight x stages) events of each
# other. A window of the most recent request ids covers that with a wide margin; only a watch
# that stays open across more than this many other requests can be counted twice.
RECENT_IDS = 65536

IGNORED, AUDITED, SIGNALLED = 0, 1, 2


class RecentIds:
    """auditID -> what was done with its first stage, for the last RECENT_IDS requests."""

    def __init__(self, size: int = RECENT_IDS) -> None:
        self._size = size
        self._ids: OrderedDict[str, int] = OrderedDict()

    def get(self, audit_id: str) -> int | None:
        return self._ids.get(audit_id)

    def put(self, audit_id: str, state: int) -> None:
        ids = self._ids
        ids[audit_id] = state
        if len(ids) > self._size:
            ids.popitem(last=False)


def is_excluded(username: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(username, pattern) for pattern in patterns)


def is_runai_event(event: Mapping[str, Any]) -> bool:
    ref = event.get("objectRef")
    return isinstance(ref, dict) and ref.get("apiGroup") == RUNAI_GROUP


def username(event: Mapping[str, Any]) -> str:
    user = event.get("user")
    name = user.get("username") if isinstance(user, dict) else None
    return name if isinstance(name, str) else ""


def _text(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    return value if isinstance(value, str) else ""


def request_url(event: Mapping[str, Any]) -> tuple[str, tuple[str, ...]]:
    """The REST path of the call and its query parameter names."""
    uri = _text(event, "requestURI")
    parts = urlsplit(uri) if uri else None
    if parts and parts.path.startswith(f"/apis/{RUNAI_GROUP}/"):
        return mask_path(parts.path), query_names(parts.query)
    ref = event.get("objectRef") or {}
    segments = ["apis", RUNAI_GROUP, _text(ref, "apiVersion") or "{*}"]
    if _text(ref, "namespace"):
        segments += ["namespaces", _text(ref, "namespace")]
    segments.append(_text(ref, "resource") or "{*}")
    if _text(ref, "name") and _text(event, "verb") not in _NO_NAME_VERBS:
        segments.append(_text(ref, "name"))
    if _text(ref, "subresource"):
        segments.append(_text(ref, "subresource"))
    return "/" + "/".join(segments), query_names(parts.query) if parts else ()


def _usage(event: Mapping[str, Any]) -> Usage:
    seen = iso_utc(_text(event, "requestReceivedTimestamp") or _text(event, "stageTimestamp"))
    callers = [name for name in (username(event), caller_name(_text(event, "userAgent"))) if name]
    return Usage(1, seen, seen, tuple(dict.fromkeys(callers)))


def _body(event: Mapping[str, Any]) -> tuple[BodyField, ...]:
    obj = event.get("requestObject")
    return object_fields(obj) if isinstance(obj, dict) else ()


def deprecation_signal(event: Mapping[str, Any], call: ApiCall) -> ServerSignal | None:
    """The API server's `k8s.io/deprecated: "true"` annotation, with the removal release."""
    notes = event.get("annotations")
    if not isinstance(notes, dict) or notes.get("k8s.io/deprecated") != "true":
        return None
    removed = notes.get("k8s.io/removed-release")
    text = mask_text(f"removed in release {removed}") if isinstance(removed, str) and removed else ""
    return ServerSignal("deprecation", call.method, call.url, call.location, "true", call.usage, text=text)


def event_call(event: Mapping[str, Any], location: Location) -> ApiCall:
    verb = _text(event, "verb")
    method = VERB_METHODS.get(verb, "*")
    path, names = request_url(event)
    return ApiCall(
        method=method,
        url=path,
        location=location,
        query=query_params(names),
        body=_body(event),
        evidence=evidence(method, path),
        usage=_usage(event),
    )


def observations(event: Mapping[str, Any], location: Location) -> tuple[Observation, ...]:
    call = event_call(event, location)
    signal = deprecation_signal(event, call)
    return (call, signal) if signal else (call,)
