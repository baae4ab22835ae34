"""Telling traffic files apart from their name and first bytes."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from runai_audit.scanners.traffic import sniff_traffic_kind

FIXTURES = Path(__file__).parent / "fixtures" / "traffic"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("browser.har", "har"),
        ("audit.jsonl", "audit-log"),
        ("ingress.log", "access-log"),
        ("combined.log", "access-log"),
        ("runai.postman_collection.json", "postman"),
        ("custom.log", None),  # needs --log-format
    ],
)
def test_fixtures(name: str, kind: str | None) -> None:
    assert sniff_traffic_kind((FIXTURES / name).read_bytes()[:8192], name) == kind


@pytest.mark.parametrize(
    ("head", "name", "kind"),
    [
        (b"\x1f\x8b\x08\x00garbage", "capture.har.gz", "har"),  # by name, whatever the bytes
        (b"", "capture.zhar", "har"),
        (b'\xef\xbb\xbf  {"log": {"version": "1.2", "creator": {}}}', "export.json", "har"),
        (b'{"log": {"level": "info"}}', "app.json", None),  # a "log" key alone is not a HAR
        (b'{"info": {"schema": "https://schema.getpostman.com/json/collection/v2.1.0/"}}', "x.json", "postman"),
        (b"{}", "my.postman_collection.json", "postman"),
        (b'{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[]}', "batch.json", "audit-log"),
        (b'{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x"}}', "pod.json", None),
        (b"2025-06-02 INFO started\n", "app.log", None),
        (b'1.2.3.4 - - [02/Jun/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"\n', "notes.md", None),
        (b'1.2.3.4 - - [02/Jun/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"\n', "access.log.1", "access-log"),
        (b'1.2.3.4 - - [02/Jun/2025:10:00:00 +0000] "GET / HTTP/1.1" 200 1 "-" "x"', "access.log", None),  # no full line
    ],
)
def test_heads(head: bytes, name: str, kind: str | None) -> None:
    assert sniff_traffic_kind(head, name) == kind


def test_gzip_heads_are_inflated_before_sniffing() -> None:
    event = {"kind": "Event", "apiVersion": "audit.k8s.io/v1", "auditID": "x", "verb": "get"}
    head = gzip.compress((json.dumps(event) + "\n").encode() * 50)[:8192]
    assert sniff_traffic_kind(head, "kube-apiserver-audit.log.2.gz") == "audit-log"
    log = (FIXTURES / "ingress.log").read_bytes()
    assert sniff_traffic_kind(gzip.compress(log)[:8192], "access.log.gz") == "access-log"
