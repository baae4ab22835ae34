"""Bad input never raises: each fault is one InputProblem, and what came before it still counts."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from runai_audit.models import ApiCall, InputProblem, Observation
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.traffic import (
    TrafficOptions,
    scan_access_log,
    scan_audit_log,
    scan_har,
    scan_postman,
)

Scanner = Callable[[Path, str, StreamStats, TrafficOptions | None], Iterator[Observation]]
FIXTURES = Path(__file__).parent / "fixtures" / "traffic"
SCANNERS: dict[str, Scanner] = {
    "har": scan_har, "audit": scan_audit_log, "access": scan_access_log, "postman": scan_postman,
}


def run(scanner: Scanner, file: Path, options: TrafficOptions | None = None) -> tuple[list[Observation], StreamStats]:
    stats = StreamStats()
    return list(scanner(file, file.name, stats, options)), stats


def pointers(observations: list[Observation]) -> list[str]:
    return [o.location.pointer for o in observations if isinstance(o, ApiCall)]


def test_truncated_har_keeps_the_entries_before_the_cut(tmp_path: Path) -> None:
    text = (FIXTURES / "browser.har").read_text()
    cut = text.index('"url": "https://acme.run.ai:8443')  # inside entry 4
    (tmp_path / "cut.har").write_text(text[:cut])
    observations, stats = run(scan_har, tmp_path / "cut.har")
    assert pointers(observations) == ["/log/entries/0", "/log/entries/1", "/log/entries/3"]
    assert stats.entries == 4
    assert stats.problems == [InputProblem("cut.har", "the file ends inside a JSON value (truncated?)", 244)]


def test_a_json_file_that_is_not_a_har(tmp_path: Path) -> None:
    (tmp_path / "foo.har").write_text('{"foo": 1}')
    observations, stats = run(scan_har, tmp_path / "foo.har")
    assert (observations, stats.entries) == ([], 0)
    assert stats.problems == [InputProblem("foo.har", "not a HAR file: no log.entries array")]


def test_an_empty_har_is_fine(tmp_path: Path) -> None:
    (tmp_path / "empty.har").write_text('{"log": {"version": "1.2", "entries": []}}')
    assert run(scan_har, tmp_path / "empty.har")[1].problems == []


@pytest.mark.parametrize("kind", sorted(SCANNERS))
def test_binary_garbage(tmp_path: Path, kind: str) -> None:
    file = tmp_path / "garbage.bin"
    file.write_bytes(bytes(range(256)) * 64)  # 64 newlines: 65 lines
    observations, stats = run(SCANNERS[kind], file)
    assert observations == []
    expected = {
        "har": InputProblem("garbage.bin", "invalid JSON", 1),
        # read line by line: a bad first line no longer hides the lines after it (issue 14)
        "audit": InputProblem("garbage.bin", "65 lines are not JSON audit events (first at line 1)", 1),
        "postman": InputProblem("garbage.bin", "invalid JSON", 1),
        "access": InputProblem(
            "garbage.bin", "65 lines did not match the upstreaminfo or combined access log format "
            "(first at line 1); pass --log-format to describe yours", 1,
        ),
    }[kind]
    assert stats.problems == [expected]


def _bomb_har(entries: int) -> bytes:
    entry = {"startedDateTime": "2025-06-02T08:00:00Z", "request": {"method": "GET", "url": "https://a.run.ai/api/v1/nodes"},
             "response": {"content": {"text": " " * 4000}}}
    body = ",\n".join(json.dumps(entry) for _ in range(entries))
    return ('{"log": {"entries": [\n' + body + "\n]}}").encode()


def test_gzip_bomb_stops_at_the_limit_and_keeps_what_was_read(tmp_path: Path) -> None:
    (tmp_path / "bomb.har.gz").write_bytes(gzip.compress(_bomb_har(2000)))  # ~8 MB inflated, ~40 KB on disk
    observations, stats = run(scan_har, tmp_path / "bomb.har.gz", TrafficOptions(max_inflated_mb=1))
    assert len(stats.problems) == 1
    assert stats.problems[0].reason == "decompressed size exceeds 1048576 bytes"
    assert 200 < stats.entries < 262 and len(observations) == stats.entries  # ~4 KB per entry
    assert pointers(observations)[:2] == ["/log/entries/0", "/log/entries/1"]


def test_zlib_bomb_in_a_zhar(tmp_path: Path) -> None:
    (tmp_path / "bomb.zhar").write_bytes(zlib.compress(_bomb_har(2000)))
    _, stats = run(scan_har, tmp_path / "bomb.zhar", TrafficOptions(max_inflated_mb=1))
    assert [p.reason for p in stats.problems] == ["decompressed size exceeds 1048576 bytes"]


@pytest.mark.parametrize("kind", sorted(SCANNERS))
def test_truncated_and_corrupt_gzip(tmp_path: Path, kind: str) -> None:
    data = gzip.compress((FIXTURES / "browser.har").read_bytes())
    (tmp_path / "cut.gz").write_bytes(data[: len(data) // 2])
    _, stats = run(SCANNERS[kind], tmp_path / "cut.gz")
    assert "compressed stream ends early (truncated file?)" in [p.reason for p in stats.problems]
    (tmp_path / "bad.gz").write_bytes(data[:20] + b"\x00" * 50 + data[70:])
    _, stats = run(SCANNERS[kind], tmp_path / "bad.gz")
    assert "compressed stream is corrupt" in [p.reason for p in stats.problems]


@pytest.mark.parametrize("kind", sorted(SCANNERS))
def test_missing_file_and_utf16(tmp_path: Path, kind: str) -> None:
    _, stats = run(SCANNERS[kind], tmp_path / "absent.har")
    assert stats.problems == [InputProblem("absent.har", "cannot read: No such file or directory", 0)]
    (tmp_path / "u16.har").write_bytes('{"log": {}}'.encode("utf-16"))
    _, stats = run(SCANNERS[kind], tmp_path / "u16.har")
    assert stats.problems == [
        InputProblem("u16.har", "UTF-16 text is not supported; save the file as UTF-8", 0),
    ]


def test_a_single_line_har_of_several_megabytes_is_streamed(tmp_path: Path) -> None:
    (tmp_path / "one-line.har").write_bytes(_bomb_har(1500).replace(b"\n", b""))  # ~6 MB, one line
    observations, stats = run(scan_har, tmp_path / "one-line.har")
    assert (stats.entries, stats.problems, len(observations)) == (1500, [], 1500)
    assert {o.location.line for o in observations} == {0}


def test_truncated_postman_collection_keeps_earlier_requests(tmp_path: Path) -> None:
    text = (FIXTURES / "runai.postman_collection.json").read_text()
    (tmp_path / "cut.json").write_text(text[: text.index('"name": "Create project"')])
    observations, stats = run(scan_postman, tmp_path / "cut.json")
    assert pointers(observations) == [
        "/item/0/item/0/request", "/item/0/item/0/response/0/originalRequest", "/item/0/item/1/request",
        "/item/1/item/0/item/0/request",
    ]
    assert [(p.reason, p.line > 140) for p in stats.problems] == [("the file ends inside a JSON value (truncated?)", True)]


def test_truncated_audit_log_last_line(tmp_path: Path) -> None:
    lines = (FIXTURES / "audit.jsonl").read_text().splitlines()
    (tmp_path / "cut.jsonl").write_text("\n".join(lines[:6]) + "\n" + lines[6][:100])
    observations, stats = run(scan_audit_log, tmp_path / "cut.jsonl")
    assert [o.location.line for o in observations if isinstance(o, ApiCall)] == [1, 6]
    assert stats.problems == [InputProblem("cut.jsonl", "1 line is not JSON audit events (first at line 7)", 7)]


def test_invalid_json_mid_file_names_the_lines_of_the_piece(tmp_path: Path) -> None:
    text = (FIXTURES / "browser.har").read_text()
    broken = text.replace('"url": "https://acme.run.ai/v1/k8s', '"url": oops "https://acme.run.ai/v1/k8s')
    (tmp_path / "broken.har").write_text(broken)
    observations, stats = run(scan_har, tmp_path / "broken.har")
    assert pointers(observations) == ["/log/entries/0", "/log/entries/1"]
    # entry 3 opens on line 187 and entry 4 on line 239: the piece fed to the parser spans 187-238
    assert stats.problems == [InputProblem("broken.har", "invalid JSON (lines 187-238)", 187)]
