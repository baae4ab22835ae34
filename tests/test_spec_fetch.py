"""spec_fetch against a real local HTTP(S) server: tokens, errors, timeouts, retries, TLS, and
no secret in any output."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from runai_audit.cli import main
from runai_audit.upgrade import spec_fetch
from runai_audit.upgrade.spec_fetch import FetchError, FetchOptions, fetch_spec, fetch_to_temp
from tests.spec_server import Answer, Script, json_answer, serve

TOKEN = "tok-9f8e7d6c5b4a-bearer-value"
CLIENT_ID = "svc-audit"
SECRET = "s3cr3t-client-value-42"
SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Run:ai", "version": "2.24"},
    "paths": {
        "/api/v1/apps": {
            "get": {"operationId": "getApps", "deprecated": True, "responses": {"200": {"description": "ok"}}}
        },
        "/api/v1/service-accounts": {
            "get": {"operationId": "getServiceAccounts", "responses": {"200": {"description": "ok"}}}
        },
    },
}
SPEC_BYTES = json.dumps(SPEC).encode()
CREDENTIALS = {"RUNAI_CLIENT_ID": CLIENT_ID, "RUNAI_CLIENT_SECRET": SECRET}


def _no_sleep(delays: list[float]) -> object:
    return delays.append


def _token_script(spec_answers: list[Answer]) -> Script:
    return Script({
        "/api/v1/token": [json_answer({"accessToken": TOKEN})],
        "/api/docs/openapi.json": spec_answers,
    })


def test_client_credentials_then_spec_with_bearer_token() -> None:
    script = _token_script([Answer(200, SPEC_BYTES)])
    with serve(script) as base:
        got = fetch_spec(f"{base}/api/docs/openapi.json", env=CREDENTIALS, sleep=lambda _: None)
    assert got == SPEC_BYTES
    token_call, spec_call = script.seen
    assert (token_call.method, token_call.path) == ("POST", "/api/v1/token")
    assert json.loads(token_call.body) == {
        "grantType": "client_credentials", "clientID": CLIENT_ID, "clientSecret": SECRET,
    }
    assert (spec_call.method, spec_call.path) == ("GET", "/api/docs/openapi.json")
    assert spec_call.headers["Authorization"] == f"Bearer {TOKEN}"


def test_ready_token_from_env_skips_the_token_endpoint() -> None:
    script = _token_script([Answer(200, SPEC_BYTES)])
    with serve(script) as base:
        got = fetch_spec(f"{base}/api/docs/openapi.json", env={"RUNAI_TOKEN": TOKEN, **CREDENTIALS})
    assert got == SPEC_BYTES
    assert [(s.method, s.path) for s in script.seen] == [("GET", "/api/docs/openapi.json")]
    assert script.seen[0].headers["Authorization"] == f"Bearer {TOKEN}"


def test_no_credentials_sends_no_authorization_header() -> None:
    script = _token_script([Answer(200, SPEC_BYTES)])
    with serve(script) as base:
        fetch_spec(f"{base}/api/docs/openapi.json", env={})
    assert [s.path for s in script.seen] == ["/api/docs/openapi.json"]
    assert "Authorization" not in script.seen[0].headers


def test_401_says_the_token_was_refused_without_the_query() -> None:
    script = _token_script([Answer(401, b'{"message": "unauthorized"}')])
    with serve(script) as base, pytest.raises(FetchError) as caught:
        fetch_spec(f"{base}/api/docs/openapi.json?access_token={TOKEN}", env=CREDENTIALS)
    assert str(caught.value) == (
        f"{base}/api/docs/openapi.json: 401 Unauthorized: the token was refused; "
        "check RUNAI_TOKEN or RUNAI_CLIENT_ID/RUNAI_CLIENT_SECRET"
    )


def test_token_endpoint_refusal_is_named() -> None:
    script = Script({"/api/v1/token": [Answer(401, b"{}")]})
    with serve(script) as base, pytest.raises(FetchError) as caught:
        fetch_spec(f"{base}/api/docs/openapi.json", env=CREDENTIALS)
    assert str(caught.value).startswith(f"token request failed: {base}/api/v1/token: 401 Unauthorized")
    assert [s.path for s in script.seen] == ["/api/v1/token"]


def test_token_response_without_a_token() -> None:
    script = Script({"/api/v1/token": [json_answer(["not", "an", "object"])]})
    with serve(script) as base, pytest.raises(FetchError) as caught:
        fetch_spec(f"{base}/x.json", env=CREDENTIALS)
    assert str(caught.value) == f"{base}/api/v1/token: the token response has no accessToken"


def test_404_names_the_url_and_a_hint() -> None:
    script = Script({})
    with serve(script) as base, pytest.raises(FetchError) as caught:
        fetch_spec(f"{base}/wrong/openapi.json", env={})
    assert str(caught.value) == (
        f"{base}/wrong/openapi.json: 404 Not Found: no spec at this URL; "
        "check the path (for example /api/docs/openapi.json)"
    )


def test_timeout_when_the_server_is_slower_than_the_client() -> None:
    script = Script({"/slow.json": [Answer(200, SPEC_BYTES, delay=1.5)]})
    with serve(script) as base, pytest.raises(FetchError) as caught:
        fetch_spec(f"{base}/slow.json", env={}, options=FetchOptions(timeout=0.2, retries=0))
    assert str(caught.value) == f"{base}/slow.json: timed out after 0.2s (1 attempt)"


def test_503_twice_then_200_is_retried_with_backoff() -> None:
    script = Script({"/spec.json": [Answer(503), Answer(503), Answer(200, SPEC_BYTES)]})
    delays: list[float] = []
    with serve(script) as base:
        got = fetch_spec(f"{base}/spec.json", env={}, options=FetchOptions(retries=3, backoff=0.5),
                         sleep=delays.append)
    assert got == SPEC_BYTES
    assert delays == [0.5, 1.0]
    assert [s.path for s in script.seen] == ["/spec.json"] * 3


def test_retry_after_is_honoured_up_to_a_cap() -> None:
    script = Script({"/spec.json": [Answer(429, headers=(("Retry-After", "7"),)),
                                    Answer(429, headers=(("Retry-After", "600"),)),
                                    Answer(200, SPEC_BYTES)]})
    delays: list[float] = []
    with serve(script) as base:
        fetch_spec(f"{base}/spec.json", env={}, options=FetchOptions(backoff=0.5), sleep=delays.append)
    assert delays == [7.0, 30.0]


def test_retries_exhausted_reports_the_last_status() -> None:
    script = Script({"/spec.json": [Answer(503)]})
    delays: list[float] = []
    with serve(script) as base, pytest.raises(FetchError) as caught:
        fetch_spec(f"{base}/spec.json", env={}, options=FetchOptions(retries=2, backoff=0.1), sleep=delays.append)
    assert str(caught.value) == f"{base}/spec.json: HTTP 503"
    assert len(script.seen) == 3
    assert delays == [0.1, 0.2]


def test_token_request_is_retried_too() -> None:
    script = Script({
        "/api/v1/token": [Answer(502), json_answer({"accessToken": TOKEN})],
        "/spec.json": [Answer(200, SPEC_BYTES)],
    })
    with serve(script) as base:
        fetch_spec(f"{base}/spec.json", env=CREDENTIALS, sleep=lambda _: None)
    assert [(s.method, s.path) for s in script.seen] == [
        ("POST", "/api/v1/token"), ("POST", "/api/v1/token"), ("GET", "/spec.json"),
    ]


def test_connection_refused_is_a_clear_error() -> None:
    with serve(Script()) as base:
        pass  # the server is gone now: its port refuses connections
    with pytest.raises(FetchError) as caught:
        fetch_spec(f"{base}/spec.json", env={}, options=FetchOptions(retries=0))
    assert str(caught.value) == f"{base}/spec.json: connection failed (ConnectError)"


def test_redirect_to_another_origin_drops_the_token() -> None:
    other = Script({"/spec.json": [Answer(200, SPEC_BYTES)]})
    with serve(other) as other_base:
        first = Script({"/spec.json": [Answer(302, headers=(("Location", f"{other_base}/spec.json"),))]})
        with serve(first) as base:
            got = fetch_spec(f"{base}/spec.json", env={"RUNAI_TOKEN": TOKEN})
    assert got == SPEC_BYTES
    assert first.seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert "Authorization" not in other.seen[0].headers


def test_oversized_response_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spec_fetch, "MAX_SPEC_BYTES", 100)
    script = Script({"/spec.json": [Answer(200, b"x" * 101)]})
    with serve(script) as base, pytest.raises(FetchError) as caught:
        fetch_spec(f"{base}/spec.json", env={})
    assert str(caught.value) == f"{base}/spec.json: the response is larger than 100 bytes"


@pytest.mark.parametrize("url", ["ftp://user:pw@example.test/spec.json", "not a url", "https://"])
def test_only_http_urls(url: str) -> None:
    with pytest.raises(FetchError) as caught:
        fetch_spec(url, env={})
    assert "is not an http(s) URL" in str(caught.value)
    assert "pw" not in str(caught.value)


def test_fetch_to_temp_writes_the_spec(tmp_path: Path) -> None:
    script = Script({"/openapi.yaml": [Answer(200, b"openapi: 3.0.3\n")]})
    with serve(script) as base:
        path = fetch_to_temp(f"{base}/openapi.yaml")
    try:
        assert path.suffix == ".yaml"
        assert path.read_bytes() == b"openapi: 3.0.3\n"
    finally:
        path.unlink()


# --------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


def _tls(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_tls_with_a_private_ca_bundle(self_signed: tuple[Path, Path]) -> None:
    cert, key = self_signed
    script = Script({"/spec.json": [Answer(200, SPEC_BYTES)]})
    with serve(script, tls=_tls(cert, key)) as base:
        assert base.startswith("https://")
        with pytest.raises(FetchError) as caught:
            fetch_spec(f"{base}/spec.json", env={}, options=FetchOptions(retries=0))
        got = fetch_spec(f"{base}/spec.json", env={}, options=FetchOptions(ca_bundle=str(cert)))
    assert str(caught.value) == (
        f"{base}/spec.json: the server's TLS certificate is not trusted (add your CA with --ca-bundle)"
    )
    assert got == SPEC_BYTES


def test_unreadable_ca_bundle(tmp_path: Path) -> None:
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(FetchError) as caught:
        fetch_spec("https://127.0.0.1:9/spec.json", env={}, options=FetchOptions(ca_bundle=str(bad)))
    assert str(caught.value) == f"--ca-bundle {bad}: cannot load it (SSLError)"


# --------------------------------------------------------------------------- CLI, secrets


def _assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text
        assert SECRET not in text


def test_cli_fetch_writes_a_validated_spec(tmp_path: Path) -> None:
    script = _token_script([Answer(200, SPEC_BYTES)])
    out = tmp_path / "specs" / "tenant.json"
    with serve(script) as base:
        result = CliRunner().invoke(
            main, ["spec", "fetch", f"{base}/api/docs/openapi.json", "-o", str(out), "--retries", "0"],
            env=CREDENTIALS,
        )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == SPEC_BYTES
    assert result.stderr == f"wrote {len(SPEC_BYTES)} bytes to {out} (valid, 2 operations)\n"
    _assert_no_secret(result.stdout, result.stderr)


def test_cli_fetch_refuses_a_non_spec_and_writes_nothing(tmp_path: Path) -> None:
    script = Script({"/login": [Answer(200, b"<html><body>Sign in</body></html>")]})
    out = tmp_path / "tenant.json"
    with serve(script) as base:
        result = CliRunner().invoke(main, ["spec", "fetch", f"{base}/login", "-o", str(out)], env={})
    assert result.exit_code == 3
    assert result.stderr.startswith(f"runai-audit: error: {base}/login: ")
    assert not out.exists()


@pytest.mark.parametrize("status", [401, 403, 500])
def test_cli_errors_never_show_the_token_or_secret(tmp_path: Path, status: int) -> None:
    script = _token_script([Answer(status, json.dumps({"echo": TOKEN}).encode())])
    with serve(script) as base:
        url = f"{base}/api/docs/openapi.json?token={TOKEN}"
        result = CliRunner().invoke(
            main, ["spec", "fetch", url, "-o", str(tmp_path / "s.json"), "--retries", "0"], env=CREDENTIALS,
        )
    assert result.exit_code == 3
    assert result.stderr.startswith(f"runai-audit: error: {base}/api/docs/openapi.json: ")
    assert script.seen[-1].headers["Authorization"] == f"Bearer {TOKEN}"  # it was really sent
    _assert_no_secret(result.stdout, result.stderr)


def test_cli_timeout_option(tmp_path: Path) -> None:
    script = Script({"/slow.json": [Answer(200, SPEC_BYTES, delay=1.5)]})
    with serve(script) as base:
        result = CliRunner().invoke(
            main, ["spec", "fetch", f"{base}/slow.json", "-o", str(tmp_path / "s.json"),
                   "--timeout", "0.2", "--retries", "0"], env={},
        )
    assert result.exit_code == 3
    assert result.stderr == f"runai-audit: error: {base}/slow.json: timed out after 0.2s (1 attempt)\n"


def test_scan_with_a_spec_url(tmp_path: Path) -> None:
    """`scan --spec URL` fetches the spec (with the token) and judges calls by it."""
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "tenant", "version": "2.24"},
        "paths": {"/api/v1/org-unit/projects": {"get": {
            "deprecated": True, "description": "Deprecated - use `/api/v2/projects` instead",
            "responses": {"200": {"description": "ok"}}}}},
    }
    script = _token_script([Answer(200, json.dumps(spec).encode())])
    code = tmp_path / "projects.py"
    code.write_text('import requests\nRUNAI_URL = "https://runai.example.com"\n'
                    'requests.get(f"{RUNAI_URL}/api/v1/org-unit/projects")\n')
    with serve(script) as base:
        result = CliRunner().invoke(
            main, ["scan", str(code), "--spec", f"{base}/api/docs/openapi.json", "--format", "json"],
            env={**CREDENTIALS, "CI": "1"},
        )
    assert result.exit_code == 0, result.output
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["rule_id"], finding["location"]["line"], finding["location"]["column"]) == ("RA190", 3, 14)
    assert finding["replacement"] == "/api/v2/projects"
    assert script.seen[-1].headers["Authorization"] == f"Bearer {TOKEN}"
    _assert_no_secret(result.stdout, result.stderr)


def test_cli_fetch_no_validate_writes_whatever_came(tmp_path: Path) -> None:
    script = Script({"/login": [Answer(200, b"<html>Sign in</html>")]})
    out = tmp_path / "page.json"
    with serve(script) as base:
        result = CliRunner().invoke(main, ["spec", "fetch", f"{base}/login", "-o", str(out), "--no-validate"], env={})
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == b"<html>Sign in</html>"
    assert result.stderr == f"wrote 20 bytes to {out}\n"
