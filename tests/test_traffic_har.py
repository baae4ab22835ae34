"""HAR scanning: exact request, location, body, usage and signals for a browser export."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import pytest

from runai_audit.models import ApiCall, BodyField, Confidence, Observation, QueryParam, ServerSignal, Usage
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.traffic import TrafficOptions, scan_har

FIXTURE = Path(__file__).parent / "fixtures" / "traffic" / "browser.har"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64) Firefox/126.0"


def scan(file: Path, options: TrafficOptions | None = None) -> tuple[list[Observation], StreamStats]:
    stats = StreamStats()
    return list(scan_har(file, file.name, stats, options)), stats


def calls(observations: list[Observation]) -> list[tuple[str, str, str, int]]:
    return [
        (o.method, o.url, o.location.pointer, o.location.line) for o in observations if isinstance(o, ApiCall)
    ]


def signals(observations: list[Observation]) -> list[tuple[str, str, str, int, str]]:
    return [
        (o.kind, o.value, o.location.pointer, o.location.line, o.text)
        for o in observations
        if isinstance(o, ServerSignal)
    ]


EXPECTED_CALLS = [
    ("GET", "https://acme.run.ai/api/v1/workloads", "/log/entries/0", 17),
    ("POST", "https://acme.run.ai/api/v1/token", "/log/entries/1", 96),
    ("POST", "https://acme.run.ai/v1/k8s/clusters/c0ffee/projects", "/log/entries/3", 187),
    ("GET", "https://acme.run.ai:8443/api/v1/org-unit/projects", "/log/entries/4", 239),
]
EXPECTED_SIGNALS = [
    ("deprecation", "2023-06-30T23:59:59Z", "/log/entries/0", 17, ""),  # Deprecation: @1688169599
    ("sunset", "2024-06-30T23:59:59Z", "/log/entries/0", 17, ""),
    ("warning", "299", "/log/entries/0", 17, "Deprecated API: use /api/v2/workloads"),
    ("deprecation", "true", "/log/entries/4", 239, ""),
    ("sunset", "2025-12-31T00:00:00Z", "/log/entries/4", 239, ""),  # ISO date tolerated
]


def test_entries_to_runai_hosts_with_exact_locations() -> None:
    observations, stats = scan(FIXTURE)
    assert calls(observations) == EXPECTED_CALLS
    assert (stats.entries, stats.unmatched, stats.problems) == (6, 2, [])  # cdn.example.com, blockrun.ai


def test_response_headers_become_signals_with_parsed_values() -> None:
    observations, _ = scan(FIXTURE)
    assert signals(observations) == EXPECTED_SIGNALS


def test_query_names_body_paths_usage_and_evidence() -> None:
    observations, _ = scan(FIXTURE)
    by_pointer = {o.location.pointer: o for o in observations if isinstance(o, ApiCall)}
    listing = by_pointer["/log/entries/0"]
    assert listing.query == (QueryParam("filterBy"), QueryParam("limit"))
    assert listing.evidence == "GET /api/v1/workloads"
    assert listing.confidence is Confidence.HIGH and listing.runai_hint is False
    # +02:00 in the recording, normalised to UTC
    assert listing.usage == Usage(1, "2025-06-02T08:00:00Z", "2025-06-02T08:00:00Z", (FIREFOX,))
    token = by_pointer["/log/entries/1"]
    assert token.method == "POST"  # recorded as "post"
    assert token.body == (BodyField("grantType", "app_token"), BodyField("appID", "ci-robot"), BodyField("appSecret"))
    form = by_pointer["/log/entries/3"]
    assert form.body == (BodyField("name", "team-b"), BodyField("password"))
    assert form.usage == Usage(1, "2025-06-02T08:00:07Z", "2025-06-02T08:00:07Z", ())


def test_name_value_pair_headers_are_read() -> None:
    observations, _ = scan(FIXTURE)
    pair_form = next(o for o in observations if isinstance(o, ApiCall) and o.location.pointer == "/log/entries/4")
    assert pair_form.usage is not None and pair_form.usage.callers == ("python-requests/2.32.3",)


def test_bom_gzip_and_zlib_give_the_same_observations(tmp_path: Path) -> None:
    raw = FIXTURE.read_bytes()
    baseline, _ = scan(FIXTURE)
    variants = {
        "bom.har": b"\xef\xbb\xbf" + raw,
        "browser.har.gz": gzip.compress(raw),
        "browser.zhar": zlib.compress(raw),
    }
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
        observations, stats = scan(tmp_path / name)
        assert calls(observations) == EXPECTED_CALLS, name
        assert signals(observations) == EXPECTED_SIGNALS, name
        assert (stats.entries, stats.unmatched, stats.problems) == (6, 2, []), name
        assert [repr(o).replace(name, "x") for o in observations] == [
            repr(o).replace("browser.har", "x") for o in baseline
        ], name


def test_concatenated_gzip_members_are_read(tmp_path: Path) -> None:
    raw = FIXTURE.read_bytes()
    half = len(raw) // 2
    (tmp_path / "two.har.gz").write_bytes(gzip.compress(raw[:half]) + gzip.compress(raw[half:]))
    observations, stats = scan(tmp_path / "two.har.gz")
    assert calls(observations) == EXPECTED_CALLS
    assert stats.problems == []


def test_minified_har_keeps_pointers_and_leaves_lines_unknown(tmp_path: Path) -> None:
    document = json.loads(FIXTURE.read_text())
    (tmp_path / "min.har").write_text(json.dumps(document, separators=(",", ":")))
    observations, stats = scan(tmp_path / "min.har")
    assert calls(observations) == [(m, u, p, 0) for m, u, p, _ in EXPECTED_CALLS]
    assert stats.entries == 6


def test_one_entry_per_line_har_gets_exact_lines(tmp_path: Path) -> None:
    document = json.loads(FIXTURE.read_text())
    entries = ",\n".join("  " + json.dumps(e) for e in document["log"]["entries"])
    (tmp_path / "lines.har").write_text('{"log": {"version": "1.2", "entries": [\n' + entries + "\n]}}\n")
    observations, _ = scan(tmp_path / "lines.har")
    assert calls(observations) == [(m, u, p, int(p.rsplit("/", 1)[1]) + 2) for m, u, p, _ in EXPECTED_CALLS]


def _har(*entries: dict[str, object]) -> str:
    return json.dumps({"log": {"version": "1.2", "entries": list(entries)}}, indent=1)


def _entry(url: str, method: str = "GET", headers: object = None) -> dict[str, object]:
    request: dict[str, object] = {"method": method, "url": url}
    if headers is not None:
        request["headers"] = headers
    return {"startedDateTime": "2025-06-02T08:00:00Z", "request": request, "response": {"status": 200}}


def test_missing_and_empty_header_arrays_are_tolerated(tmp_path: Path) -> None:
    file = tmp_path / "sparse.har"
    file.write_text(_har(_entry("https://a.run.ai/api/v1/nodes"), _entry("https://a.run.ai/api/v1/users", headers=[])))
    observations, stats = scan(file)
    assert [(o.url, o.usage) for o in observations if isinstance(o, ApiCall)] == [
        ("https://a.run.ai/api/v1/nodes", Usage(1, "2025-06-02T08:00:00Z", "2025-06-02T08:00:00Z", ())),
        ("https://a.run.ai/api/v1/users", Usage(1, "2025-06-02T08:00:00Z", "2025-06-02T08:00:00Z", ())),
    ]
    assert stats.problems == []


@pytest.mark.parametrize(
    ("host", "hosts", "counted"),
    [
        ("runai.corp.internal", ("runai.corp.internal",), True),
        ("gpu.corp.internal", ("*.corp.internal",), True),
        ("gpu.corp.internal", (), False),
        ("blockrun.ai", (), False),
        ("run.ai", (), True),
    ],
)
def test_user_hosts_and_globs(tmp_path: Path, host: str, hosts: tuple[str, ...], counted: bool) -> None:
    file = tmp_path / "h.har"
    file.write_text(_har(_entry(f"https://{host}/api/v1/users")))
    observations, stats = scan(file, TrafficOptions(hosts=hosts))
    assert [(o.url, o.confidence) for o in observations if isinstance(o, ApiCall)] == (
        [(f"https://{host}/api/v1/users", Confidence.HIGH)] if counted else []
    )
    assert stats.unmatched == (0 if counted else 1)


def test_credentials_in_the_url_and_query_values_are_dropped(tmp_path: Path) -> None:
    file = tmp_path / "u.har"
    file.write_text(_har(_entry("https://bot:pa55word@acme.run.ai/api/v1/users?token=abc123&page=2#frag")))
    observations, _ = scan(file)
    call = observations[0]
    assert isinstance(call, ApiCall)
    assert (call.url, call.query, call.evidence) == (
        "https://acme.run.ai/api/v1/users",
        (QueryParam("token"), QueryParam("page")),
        "GET /api/v1/users",
    )


def test_entries_laid_out_unlike_the_first_get_no_line(tmp_path: Path) -> None:
    document = json.loads(FIXTURE.read_text())
    first, *rest = document["log"]["entries"]
    compact = ", ".join(json.dumps(e) for e in rest)
    text = '{"log": {"version": "1.2", "entries": [\n    ' + json.dumps(first, indent=2).replace("\n", "\n    ")
    (tmp_path / "mixed.har").write_text(text + ", " + compact + "]}}\n")
    observations, _ = scan(tmp_path / "mixed.har")
    assert calls(observations) == [(m, u, p, 2 if p.endswith("/0") else 0) for m, u, p, _ in EXPECTED_CALLS]
