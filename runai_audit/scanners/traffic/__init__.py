"""Scanners for recorded traffic: HAR files, Kubernetes audit logs, access logs, Postman collections.

Each takes a path on disk (never the text: these files may be gigabytes), the path reports show,
a StreamStats to fill and TrafficOptions, and yields observations as it reads, in bounded memory.
Nothing a scanner yields or reports holds a header value, cookie, query value or body value,
other than a short enum-like scalar in BodyField.value (for matching, never printed).
May import: scanners.base, scanners.redact, knowledge.paths, models.
"""

from __future__ import annotations

from runai_audit.scanners.traffic.access_log import scan_access_log
from runai_audit.scanners.traffic.audit_log import scan_audit_log
from runai_audit.scanners.traffic.har import scan_har
from runai_audit.scanners.traffic.options import CONTROLLER_USERS, TrafficOptions
from runai_audit.scanners.traffic.postman import scan_postman
from runai_audit.scanners.traffic.sniff import sniff_traffic_kind

__all__ = [
    "CONTROLLER_USERS",
    "TrafficOptions",
    "scan_access_log",
    "scan_audit_log",
    "scan_har",
    "scan_postman",
    "sniff_traffic_kind",
]
