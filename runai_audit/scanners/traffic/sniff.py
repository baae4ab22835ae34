"""Which traffic format is a file? From its name, then its first bytes (inflated if gzip).

Content checks are strict enough that an ordinary JSON manifest, notebook or log never passes
for traffic: a HAR must open with `{"log": {` and carry HAR keys, an audit log must name the
audit.k8s.io API, and an access log must be called *.log (or *.txt, access*) and open with a
line in a known format.
"""

from __future__ import annotations

import re

from runai_audit.scanners.traffic.log_formats import BUILT_IN
from runai_audit.scanners.traffic.streams import GZIP_MAGIC, UTF8_BOM, inflate_head

HAR_NAMES = (".har", ".har.gz", ".zhar")
_HAR_START = re.compile(rb'\A\{\s*"log"\s*:\s*\{')
_HAR_KEYS = (b'"entries"', b'"creator"', b'"version"')
_POSTMAN = (b"schema.getpostman.com", b'"_postman_id"')
_AUDIT_API = re.compile(rb'"apiVersion"\s*:\s*"audit\.k8s\.io/v1')
_AUDIT_KEYS = (b'"auditID"', b'"EventList"')
_CRI_PREFIX = re.compile(r"^\S+ (?:stdout|stderr) [FP] ")


def sniff_traffic_kind(head: bytes, name: str) -> str | None:
    """"har", "audit-log", "access-log", "postman" or None, from a file's first KBs and name."""
    lower = name.lower()
    if lower.endswith(HAR_NAMES):
        return "har"
    if "postman_collection" in lower:
        return "postman"
    data = inflate_head(head) if head.startswith(GZIP_MAGIC) else head
    text = data.lstrip(UTF8_BOM).lstrip()
    if text.startswith((b"{", b"[")):
        return _json_kind(text)
    if _may_be_access_log(lower) and _first_line_is_access_log(text):
        return "access-log"
    return None


def _json_kind(text: bytes) -> str | None:
    if _HAR_START.match(text) and any(key in text for key in _HAR_KEYS):
        return "har"
    if any(marker in text for marker in _POSTMAN):
        return "postman"
    if _AUDIT_API.search(text) and any(key in text for key in _AUDIT_KEYS):
        return "audit-log"
    return None


def _may_be_access_log(lower: str) -> bool:
    base = lower.rsplit("/", 1)[-1]
    return ".log" in base or base.endswith(".txt") or base.startswith("access")


def _first_line_is_access_log(text: bytes) -> bool:
    newline = text.find(b"\n")
    if newline < 0:
        return False  # the head holds no complete line to judge
    line = _CRI_PREFIX.sub("", text[:newline].decode("utf-8", "replace").rstrip("\r"))
    return any(fmt.pattern.match(line) for fmt in BUILT_IN)
