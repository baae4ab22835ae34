"""Request bodies as field paths: `spec.compute.migProfile`, list items as `items[].name`.

Values are dropped, except a short enum-like scalar kept in BodyField.value so the engine can
match deprecated enum values (`grantType: app_token`). A value is never kept when its field name,
or the name of any object it sits in, sounds secret (`password`, `clientSecret`,
`env.DB_PASSWORD.value`), nor when the value itself looks like a key or an id (opaque, or long
with several digits). Keys that do not read as field names (map keys that are data, ids,
hashes) become `*`.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator
from urllib.parse import parse_qsl

from runai_audit.models import BodyField
from runai_audit.scanners.redact import is_secret_name, looks_opaque

MAX_FIELDS = 500  # per request; real bodies have a few dozen
MAX_DEPTH = 16
_ENUM_LIKE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}")
_FIELD_NAME = re.compile(r"[A-Za-z_$@][A-Za-z0-9_$@-]{0,63}")


@functools.lru_cache(maxsize=4096)  # body keys repeat across requests
def secret_key(name: str) -> bool:
    return is_secret_name(name)


def safe_value(name: str, value: object) -> str | None:
    """The value worth keeping for enum matching, or None."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if not isinstance(value, str) or secret_key(name):
        return None
    if not _ENUM_LIKE.fullmatch(value) or looks_opaque(value) or _id_like(value):
        return None
    return value


def _id_like(value: str) -> bool:
    """Enum values are words (`client_credentials`, `1g.5gb`); ids and keys carry digits."""
    return len(value) >= 12 and sum(c.isdigit() for c in value) >= 3


@functools.lru_cache(maxsize=4096)
def field_name(key: str) -> str:
    """A body key as it may appear in a path."""
    return key if _FIELD_NAME.fullmatch(key) and not looks_opaque(key) else "*"


def object_fields(document: object) -> tuple[BodyField, ...]:
    """Field paths of an already-parsed JSON body, in document order, without duplicates."""
    seen: dict[str, BodyField] = {}
    for path, value in _walk(document, "", 0, False):
        if path not in seen:
            seen[path] = BodyField(path, value)
            if len(seen) >= MAX_FIELDS:
                break
    return tuple(seen.values())


def _walk(node: object, prefix: str, depth: int, secret: bool) -> Iterator[tuple[str, str | None]]:
    """(path, kept value) pairs; `secret` is true below a secret-named key."""
    if depth >= MAX_DEPTH:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            name = field_name(str(key))
            path = f"{prefix}.{name}" if prefix else name
            hidden = secret or secret_key(str(key))
            scalar = not isinstance(value, (dict, list))
            yield path, None if hidden or not scalar else safe_value(str(key), value)
            yield from _walk(value, path, depth + 1, hidden)
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, (dict, list)):
                yield from _walk(item, prefix + "[]", depth + 1, secret)


def json_fields(text: str, max_bytes: int) -> tuple[BodyField, ...] | None:
    """Field paths of a JSON body; None when it is not JSON or larger than max_bytes."""
    if len(text) > max_bytes:
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return object_fields(document)


def form_fields(pairs: Iterable[tuple[str, object]]) -> tuple[BodyField, ...]:
    """Fields of a form body given as (name, value) pairs."""
    seen: dict[str, BodyField] = {}
    for key, value in pairs:
        name = field_name(key)
        if name not in seen:
            seen[name] = BodyField(name, safe_value(key, value))
            if len(seen) >= MAX_FIELDS:
                break
    return tuple(seen.values())


def urlencoded_fields(text: str, max_bytes: int) -> tuple[BodyField, ...]:
    """Fields of an application/x-www-form-urlencoded body."""
    if len(text) > max_bytes:
        return ()
    return form_fields(parse_qsl(text, keep_blank_values=True))


def is_json_type(mime_type: str) -> bool:
    """application/json, application/merge-patch+json, text/json; ..."""
    return "json" in mime_type.lower()


def is_form_type(mime_type: str) -> bool:
    return "x-www-form-urlencoded" in mime_type.lower()
