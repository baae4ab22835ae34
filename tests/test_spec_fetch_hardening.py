"""spec fetch never forwards credentials across origins, never sends a token over plain http to
a remote host without an opt-in, and gives up at an overall deadline (issue 14)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from runai_audit.cli import main
from runai_audit.upgrade.spec_fetch import FetchError, FetchOptions, fetch_spec
from tests.output_bounds import bounded
from tests.spec_server import Answer, Script, json_answer, serve

TOKEN = "tok-5a4b3c2d1e-bearer-value"
SECRET = "s3cr3t-never-cross-origin-77"
CREDENTIALS = {"RUNAI_CLIENT_ID": "svc-audit", "RUNAI_CLIENT_SECRET": SECRET}
SPEC_BYTES = json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}).encode()


def _redirect(status: int, to: str) -> Answer:
    return Answer(status, headers=(("Location", to),))


@pytest.mark.parametrize("status", [307, 308])
def test_token_request_is_not_resent_to_another_origin(status: int) -> None:
    other = Script({"/api/v1/token": [json_answer({"accessToken": TOKEN})]})
    with bounded(20), serve(other) as other_base:
        first = Script({"/api/v1/token": [_redirect(status, f"{other_base}/api/v1/token")]})
        with serve(first) as base, pytest.raises(FetchError) as caught:
            fetch_spec(f"{base}/spec.json", env=CREDENTIALS, options=FetchOptions(retries=0))
    assert str(caught.value) == (
        f"{base}/api/v1/token: the token endpoint redirects to another origin "
        f"({other_base}/api/v1/token); the client secret is not sent there"
    )
    assert other.seen == []
    assert SECRET not in str(caught.value)


def test_token_request_follows_a_redirect_within_its_origin() -> None:
    script = Script({
        "/api/v1/token": [_redirect(307, "/auth/token")],
        "/auth/token": [json_answer({"accessToken": TOKEN})],
        "/spec.json": [Answer(200, SPEC_BYTES)],
    })
    with bounded(20), serve(script) as base:
        assert fetch_spec(f"{base}/spec.json", env=CREDENTIALS) == SPEC_BYTES
    assert [(s.method, s.path) for s in script.seen] == [
        ("POST", "/api/v1/token"), ("POST", "/auth/token"), ("GET", "/spec.json"),
    ]
    assert json.loads(script.seen[1].body)["clientSecret"] == SECRET
    assert script.seen[2].headers["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_spec_redirect_to_another_origin_carries_no_token(status: int) -> None:
    other = Script({"/spec.json": [Answer(200, SPEC_BYTES)]})
    with bounded(20), serve(other) as other_base:
        first = Script({"/spec.json": [_redirect(status, f"{other_base}/spec.json")]})
        with serve(first) as base:
            assert fetch_spec(f"{base}/spec.json", env={"RUNAI_TOKEN": TOKEN}) == SPEC_BYTES
    assert first.seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in other.seen[0].headers


def test_a_redirect_loop_stops() -> None:
    script = Script({"/a": [_redirect(302, "/b")], "/b": [_redirect(302, "/a")]})
    with bounded(20), serve(script) as base, pytest.raises(FetchError) as caught:
        fetch_spec(f"{base}/a", env={})
    assert str(caught.value) == f"{base}/a: more than 5 redirects"


def test_a_redirect_to_a_broken_url_is_a_clear_error() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://[::1"})

    with bounded(20), pytest.raises(FetchError) as caught:
        fetch_spec("https://runai.example.com/a", env={}, transport=httpx.MockTransport(answer),
                   options=FetchOptions(retries=0))
    assert str(caught.value) == "https://runai.example.com/a: the server redirects to a URL that is not valid"


# --------------------------------------------------------------------------- plain http


def _mock(seen: list[httpx.Request]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/api/v1/token":
            return httpx.Response(200, json={"accessToken": TOKEN})
        return httpx.Response(200, content=SPEC_BYTES)

    return httpx.MockTransport(answer)


@pytest.mark.parametrize("env", [{"RUNAI_TOKEN": TOKEN}, CREDENTIALS])
def test_no_token_over_plain_http_to_a_remote_host(env: dict[str, str]) -> None:
    seen: list[httpx.Request] = []
    with bounded(10), pytest.raises(FetchError) as caught:
        fetch_spec("http://runai.example.com/api/docs/openapi.json?k=v", env=env, transport=_mock(seen))
    assert str(caught.value) == (
        "http://runai.example.com/api/docs/openapi.json: refusing to send the token over plain http; "
        "use an https URL, or on a trusted network `spec fetch|diff|validate --allow-insecure-http`"
    )
    assert seen == []


def test_plain_http_with_the_opt_in_or_without_a_token() -> None:
    seen: list[httpx.Request] = []
    url = "http://runai.example.com/spec.json"
    with bounded(10):
        got = fetch_spec(url, env={"RUNAI_TOKEN": TOKEN}, transport=_mock(seen),
                         options=FetchOptions(allow_insecure_http=True))
        assert fetch_spec(url, env={}, transport=_mock(seen)) == SPEC_BYTES
    assert got == SPEC_BYTES
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in seen[1].headers


def test_cli_refuses_plain_http_and_names_the_flag(tmp_path: Path) -> None:
    out = tmp_path / "spec.json"
    with bounded(10):
        result = CliRunner().invoke(main, ["spec", "fetch", "http://10.0.0.1:9/spec.json", "-o", str(out)],
                                    env={"RUNAI_TOKEN": TOKEN})
    assert result.exit_code == 3
    assert result.stderr == (
        "runai-audit: error: http://10.0.0.1:9/spec.json: refusing to send the token over plain http; "
        "use an https URL, or on a trusted network `spec fetch|diff|validate --allow-insecure-http`\n"
    )
    assert not out.exists()


# --------------------------------------------------------------------------- deadline


@contextmanager
def _slow_drip(byte_every: float, headers_too: bool = False) -> Iterator[str]:
    """A server that promises 10 kB and sends one byte every `byte_every` seconds (with
    `headers_too`, it drips an endless header instead of the body)."""
    stop = threading.Event()

    class Drip(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: " if headers_too else b"")
            if not headers_too:
                self.send_response(200)
                self.send_header("Content-Length", "10000")
                self.end_headers()
            try:
                for _ in range(10000):
                    if stop.is_set():
                        return
                    self.wfile.write(b"x" if headers_too else b" ")
                    self.wfile.flush()
                    time.sleep(byte_every)
            except (BrokenPipeError, ConnectionResetError):
                return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_slow_drip_server_hits_the_overall_deadline() -> None:
    with _slow_drip(0.05) as base, bounded(15):
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            fetch_spec(f"{base}/spec.json", env={}, options=FetchOptions(timeout=1.0, retries=0, deadline=1.5))
        took = time.monotonic() - started
    assert str(caught.value) == f"{base}/spec.json: gave up after 1.5s overall (the fetch deadline)"
    assert took < 4


def test_a_server_dripping_its_headers_hits_the_deadline_too() -> None:
    with _slow_drip(0.05, headers_too=True) as base, bounded(15):
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            fetch_spec(f"{base}/spec.json", env={}, options=FetchOptions(timeout=1.0, retries=0, deadline=1.5))
        took = time.monotonic() - started
    assert str(caught.value) == f"{base}/spec.json: gave up after 1.5s overall (the fetch deadline)"
    assert took < 4


def test_retries_stop_at_the_deadline() -> None:
    clock = [0.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    script = Script({"/spec.json": [Answer(503)]})
    with bounded(15), serve(script) as base, pytest.raises(FetchError) as caught:
        fetch_spec(f"{base}/spec.json", env={}, sleep=sleep, now=lambda: clock[0],
                   options=FetchOptions(retries=10, backoff=1.0, deadline=5.0))
    assert str(caught.value) == f"{base}/spec.json: gave up after 5s overall (the fetch deadline)"
    assert clock[0] == 3.0  # slept 1 + 2; the next wait (4) would overrun
    assert len(script.seen) == 3


def test_cli_deadline_option(tmp_path: Path) -> None:
    with _slow_drip(0.05) as base, bounded(15):
        result = CliRunner().invoke(main, ["spec", "fetch", f"{base}/s.json", "-o", str(tmp_path / "s.json"),
                                           "--deadline", "1", "--retries", "0"], env={})
    assert result.exit_code == 3
    assert result.stderr == f"runai-audit: error: {base}/s.json: gave up after 1s overall (the fetch deadline)\n"


def test_scan_with_a_plain_http_spec_url_refuses_to_send_the_token(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("print(1)\n", encoding="utf-8")
    with bounded(30):
        result = CliRunner().invoke(main, ["scan", str(tmp_path), "--spec", "http://10.0.0.1:9/spec.json"],
                                    env={"RUNAI_TOKEN": TOKEN, "CI": "1"})
    assert result.exit_code == 3
    assert result.stderr == (
        "runai-audit: error: http://10.0.0.1:9/spec.json: refusing to send the token over plain http; "
        "use an https URL, or on a trusted network `spec fetch|diff|validate --allow-insecure-http`\n"
    )
    assert TOKEN not in result.stdout + result.stderr
