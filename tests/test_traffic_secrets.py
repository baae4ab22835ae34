"""No planted secret reaches an observation or a problem, whatever the input kind or its state.

tests/fixtures/traffic/planted/ holds one file per input kind with a distinct secret in every
place a secret hides (headers, cookies, query values, JSON and form bodies, URL credentials,
response bodies, Set-Cookie, Warning text, user agents, Postman auth and variables, audit
credentials and request objects); secrets.txt lists them.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from runai_audit.models import ApiCall, Observation, ServerSignal
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.traffic import (
    TrafficOptions,
    scan_access_log,
    scan_audit_log,
    scan_har,
    scan_postman,
)

PLANTED = Path(__file__).parent / "fixtures" / "traffic" / "planted"
SECRETS = PLANTED.joinpath("secrets.txt").read_text().split()
Scanner = Callable[[Path, str, StreamStats, TrafficOptions | None], Iterator[Observation]]
FILES: dict[str, Scanner] = {
    "planted.har": scan_har,
    "planted-audit.jsonl": scan_audit_log,
    "planted-access.log": scan_access_log,
    "planted.postman_collection.json": scan_postman,
}
# What each planted file must still yield, so the test cannot pass by yielding nothing.
EXPECTED_CALLS = {
    "planted.har": ["https://acme.run.ai/api/v1/token", "https://acme.run.ai/api/v2/token",
                    "https://acme.run.ai/v1/k8s/clusters/c1/projects/2"],
    "planted-audit.jsonl": ["/apis/run.ai/v2alpha1/namespaces/runai-a/trainingworkloads"],
    "planted-access.log": ["/v1/k8s/clusters/c1/projects"],
    "planted.postman_collection.json": ["https://acme.run.ai/api/v1/token", "https://acme.run.ai/api/v1/token"],
}


def leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def test_every_planted_file_holds_its_secrets() -> None:
    text = "".join(PLANTED.joinpath(name).read_text() for name in FILES)
    assert leaks(text) == SECRETS and len(SECRETS) == 30


@pytest.mark.parametrize("name", sorted(FILES))
def test_observations_and_problems_hold_no_secret(name: str) -> None:
    stats = StreamStats()
    observations = list(FILES[name](PLANTED / name, name, stats, None))
    assert [o.url for o in observations if isinstance(o, ApiCall)] == EXPECTED_CALLS[name]
    assert any(isinstance(o, ServerSignal) for o in observations) or name == "planted-access.log"
    assert leaks(repr(observations)) == []
    assert leaks(repr(stats.problems)) == []


@pytest.mark.parametrize("name", sorted(FILES))
@pytest.mark.parametrize("damage", ["truncated", "garbled", "gzip-truncated"])
def test_problem_reasons_from_damaged_files_hold_no_secret(tmp_path: Path, name: str, damage: str) -> None:
    data = PLANTED.joinpath(name).read_bytes()
    target = tmp_path / name
    if damage == "truncated":  # cut in the middle of the first secret
        first = min(data.index(s.encode()) for s in SECRETS if s.encode() in data)
        target.write_bytes(data[: first + 8])
    elif damage == "garbled":  # invalid JSON right next to secrets
        target.write_bytes(data.replace(b'": "planted', b'": planted').replace(b'HTTP/1.1"', b"HTTP/1.1"))
    else:
        target.write_bytes(gzip.compress(data)[:-30])
    stats = StreamStats()
    observations = list(FILES[name](target, name, stats, None))
    assert stats.problems, "the damage must be reported"
    assert leaks(repr(stats.problems)) == []
    assert leaks(repr(observations)) == []
