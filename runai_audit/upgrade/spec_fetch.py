"""Download a tenant's or a self-hosted control plane's OpenAPI spec.

Credentials come from the environment only (never from flags, so they stay out of shell
history and CI logs): RUNAI_TOKEN for a ready bearer token, or RUNAI_CLIENT_ID and
RUNAI_CLIENT_SECRET for the client-credentials grant against the control plane's token
endpoint. The token is never printed, logged or put in an error message. TLS is verified
(`ca_bundle` adds a private CA); there is no switch to turn verification off.

Credentials never leave the origin (scheme, host, port) they were meant for: redirects are
followed here, not by httpx, and a hop to another origin drops the token (a token request that
would carry the client secret elsewhere is refused). A token goes over plain http only to a
loopback address or with `allow_insecure_http`. `deadline` bounds the whole fetch (token,
retries, redirects and a slow-drip body), whatever each read's timeout.
"""

from __future__ import annotations

import atexit
import contextlib
import ipaddress
import os
import ssl
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

__all__ = ["FetchError", "FetchOptions", "fetch_spec", "fetch_to_temp", "safe_url"]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_SPEC_BYTES = 64 * 1024 * 1024
MAX_RETRY_AFTER = 30.0  # seconds; a server asking for longer is not waited for
MAX_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FetchError(Exception):
    """The spec could not be fetched; the message names the URL (without credentials) and why."""


@dataclass(frozen=True)
class FetchOptions:
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5  # seconds, doubled after each retry
    ca_bundle: str | None = None
    token_path: str = "/api/v1/token"
    deadline: float = 300.0  # seconds for the whole fetch
    allow_insecure_http: bool = False  # send a token over plain http to a non-loopback host


class _Clock:
    """The fetch's overall deadline; `now` is injectable for tests."""

    def __init__(self, seconds: float, now: Callable[[], float]) -> None:
        self.seconds, self.now = seconds, now
        self.end = now() + seconds

    def left(self, url: str) -> float:
        """Seconds left; FetchError once the deadline has passed."""
        remaining = self.end - self.now()
        if remaining <= 0:
            raise self.expired(url)
        return remaining

    def expired(self, url: str) -> FetchError:
        return FetchError(f"{safe_url(url)}: gave up after {self.seconds:g}s overall (the fetch deadline)")


def safe_url(url: str) -> str:
    """The URL as it may appear in messages: no user info, no query (it may hold a token)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _explain(status: int, url: str) -> str:
    reasons = {
        401: "401 Unauthorized: the token was refused; check RUNAI_TOKEN or RUNAI_CLIENT_ID/RUNAI_CLIENT_SECRET",
        403: "403 Forbidden: the credentials are valid but may not read the API spec",
        404: "404 Not Found: no spec at this URL; check the path (for example /api/docs/openapi.json)",
    }
    return f"{safe_url(url)}: " + reasons.get(status, f"HTTP {status}")


def _verify(ca_bundle: str | None) -> ssl.SSLContext | bool:
    """Always verify; a private CA is added to (not swapped for) the default trust store."""
    if not ca_bundle:
        return True
    context = ssl.create_default_context()
    try:
        context.load_verify_locations(cafile=ca_bundle)
    except (OSError, ssl.SSLError) as exc:
        raise FetchError(f"--ca-bundle {ca_bundle}: cannot load it ({type(exc).__name__})") from None
    return context


def _transport_problem(exc: httpx.TransportError) -> str:
    """Why a connection failed, in words; an untrusted certificate gets its own hint."""
    if "CERTIFICATE_VERIFY_FAILED" in str(exc):
        return "the server's TLS certificate is not trusted (add your CA with --ca-bundle)"
    if isinstance(exc, httpx.RemoteProtocolError) and "location header" in str(exc).lower():
        return "the server redirects to a URL that is not valid"
    return f"connection failed ({type(exc).__name__})"


def _send(client: httpx.Client, request: httpx.Request, options: FetchOptions,
          sleep: Callable[[float], None], clock: _Clock, stream: bool = False) -> httpx.Response:
    """Send with retries on timeouts, connection errors and 429/5xx, backing off in between,
    never past the deadline. A streamed response that is retried is closed first."""
    delay = options.backoff
    where = safe_url(str(request.url))
    for attempt in range(options.retries + 1):
        last = attempt == options.retries
        # Each attempt's timeout is cut to what is left of the deadline.
        request.extensions["timeout"] = httpx.Timeout(min(options.timeout, clock.left(where))).as_dict()
        try:
            response = client.send(request, stream=stream)
        except httpx.TimeoutException:
            if last:
                raise FetchError(f"{where}: timed out after {options.timeout:g}s "
                                 f"({options.retries + 1} attempt{'s' if options.retries else ''})") from None
        except httpx.TransportError as exc:
            if last:
                raise FetchError(f"{where}: {_transport_problem(exc)}") from None
        else:
            if response.status_code not in RETRY_STATUSES or last:
                return response
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                delay = max(delay, min(float(retry_after), MAX_RETRY_AFTER))
            response.close()
        if delay >= clock.left(where):  # waiting would overrun the deadline
            raise clock.expired(where)
        sleep(delay)
        delay *= 2
    raise AssertionError("unreachable")  # the loop always returns or raises


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host, url.port or default


def _next_request(client: httpx.Client, request: httpx.Request, response: httpx.Response,
                  secret_in_body: bool) -> httpx.Request:
    """The request a redirect asks for. Another origin gets no Authorization header, and a
    body that carries the client secret is never re-sent there."""
    target = request.url.join(response.headers["Location"])  # httpx has checked it (see _transport_problem)
    same_origin = _origin(target) == _origin(request.url)
    if not same_origin and secret_in_body:
        raise FetchError(f"{safe_url(str(request.url))}: the token endpoint redirects to another origin "
                         f"({safe_url(str(target))}); the client secret is not sent there")
    keep_body = response.status_code in (307, 308)
    method = request.method if keep_body or request.method in ("GET", "HEAD") else "GET"
    headers = {k: v for k, v in request.headers.items()
               if k.lower() not in ("host", "content-length", "cookie")
               and (same_origin or k.lower() != "authorization")
               and (keep_body or k.lower() != "content-type")}
    return client.build_request(method, target, headers=headers, content=request.content if keep_body else None)


def _fetch(client: httpx.Client, request: httpx.Request, options: FetchOptions, sleep: Callable[[float], None],
           clock: _Clock, *, stream: bool = False, secret_in_body: bool = False) -> httpx.Response:
    """_send, following up to MAX_REDIRECTS redirects by hand (see _next_request)."""
    for _ in range(MAX_REDIRECTS + 1):
        response = _send(client, request, options, sleep, clock, stream=stream)
        if response.status_code not in REDIRECT_STATUSES or "Location" not in response.headers:
            return response
        response.close()
        request = _next_request(client, request, response, secret_in_body)
    raise FetchError(f"{safe_url(str(request.url))}: more than {MAX_REDIRECTS} redirects")


def _token_from(response: httpx.Response, url: str) -> str:
    try:
        data = response.json()
    except ValueError:
        raise FetchError(f"{safe_url(url)}: the token response is not JSON") from None
    token = (data.get("accessToken") or data.get("access_token")) if isinstance(data, dict) else None
    if not isinstance(token, str) or not token:
        raise FetchError(f"{safe_url(url)}: the token response has no accessToken")
    return token


def _token(client: httpx.Client, base: str, env: Mapping[str, str], options: FetchOptions,
           sleep: Callable[[float], None], clock: _Clock) -> str | None:
    if env.get("RUNAI_TOKEN"):
        return env["RUNAI_TOKEN"]
    client_id, secret = env.get("RUNAI_CLIENT_ID"), env.get("RUNAI_CLIENT_SECRET")
    if not (client_id and secret):
        return None
    url = base.rstrip("/") + options.token_path
    body = {"grantType": "client_credentials", "clientID": client_id, "clientSecret": secret}
    request = client.build_request("POST", url, json=body)
    response = _fetch(client, request, options, sleep, clock, secret_in_body=True)
    if response.status_code != 200:
        raise FetchError("token request failed: " + _explain(response.status_code, url))
    return _token_from(response, url)


def _has_credentials(env: Mapping[str, str]) -> bool:
    return bool(env.get("RUNAI_TOKEN") or (env.get("RUNAI_CLIENT_ID") and env.get("RUNAI_CLIENT_SECRET")))


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _refuse_plain_http(url: str, env: Mapping[str, str], options: FetchOptions) -> None:
    """A token over plain http can be read by anyone on the path; loopback never leaves the host."""
    parts = urlsplit(url)
    if parts.scheme != "http" or options.allow_insecure_http or not _has_credentials(env):
        return
    if _is_loopback(parts.hostname or ""):
        return
    raise FetchError(f"{safe_url(url)}: refusing to send the token over plain http; use an https URL, "
                     "or on a trusted network `spec fetch|diff|validate --allow-insecure-http`")


def _read_capped(response: httpx.Response, url: str, clock: _Clock) -> bytes:
    """The body, refusing more than MAX_SPEC_BYTES without reading all of it into memory, and
    giving up at the deadline however slowly the server drips it."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_SPEC_BYTES:
        raise FetchError(f"{safe_url(url)}: the response is larger than {MAX_SPEC_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        clock.left(url)
        size += len(chunk)
        if size > MAX_SPEC_BYTES:
            raise FetchError(f"{safe_url(url)}: the response is larger than {MAX_SPEC_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_spec(
    url: str,
    *,
    options: FetchOptions = FetchOptions(),
    env: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.monotonic,
) -> bytes:
    """The spec's bytes. Raises FetchError with a message safe to show."""
    env = os.environ if env is None else env
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(f"{safe_url(url) or 'the URL'} is not an http(s) URL")
    _refuse_plain_http(url, env, options)
    base = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    clock = _Clock(options.deadline, now)
    client = httpx.Client(timeout=options.timeout, verify=_verify(options.ca_bundle), transport=transport,
                          follow_redirects=False)
    with client:
        return _within_deadline(lambda: _download(client, url, base, env, options, sleep, clock), client, clock, url)


def _within_deadline(work: Callable[[], bytes], client: httpx.Client, clock: _Clock, url: str) -> bytes:
    """Run the download in a helper thread and stop waiting at the deadline. The download checks
    the deadline itself between reads; this catches a server that drips its status line or
    headers, where no read ever times out. The abandoned thread's connection is closed."""
    outcome: list[bytes] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            outcome.append(work())
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    worker = threading.Thread(target=run, name="runai-audit-fetch", daemon=True)
    worker.start()
    worker.join(clock.seconds + 1.0)
    if worker.is_alive():
        with contextlib.suppress(Exception):
            client.close()
        raise clock.expired(url)
    if failure:
        raise failure[0]
    return outcome[0]


def _download(client: httpx.Client, url: str, base: str, env: Mapping[str, str], options: FetchOptions,
              sleep: Callable[[float], None], clock: _Clock) -> bytes:
    token = _token(client, base, env, options, sleep, clock)
    headers = {"Accept": "application/json, application/yaml"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = client.build_request("GET", url, headers=headers)
    response = _fetch(client, request, options, sleep, clock, stream=True)
    try:
        if response.status_code != 200:
            raise FetchError(_explain(response.status_code, url))
        try:
            return _read_capped(response, url, clock)
        except httpx.TimeoutException:
            raise FetchError(f"{safe_url(url)}: timed out reading the response") from None
        except httpx.TransportError as exc:
            raise FetchError(f"{safe_url(url)}: {_transport_problem(exc)}") from None
    finally:
        response.close()


def _remove_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def fetch_to_temp(url: str, options: FetchOptions = FetchOptions()) -> Path:
    """Fetch into a private temporary file (for `scan --spec URL`) and return its path. The file
    is removed when the process exits."""
    content = fetch_spec(url, options=options)
    suffix = ".yaml" if urlsplit(url).path.endswith((".yaml", ".yml")) else ".json"
    fd, name = tempfile.mkstemp(prefix="runai-audit-spec-", suffix=suffix)
    with os.fdopen(fd, "wb") as fh:
        fh.write(content)
    path = Path(name)
    atexit.register(_remove_quietly, path)
    return path
