"""Run:ai API paths and token request bodies wherever they are written.

Two forms need no parser to recognise:

- a quoted path (or URL) that starts with a prefix only Run:ai's API has (`/v1/k8s/`,
  `/researcher/api/`, `/apis/run.ai/`), with the Keycloak realm token path, or with the shared
  `/api/v1/` shape on a line that names Run:ai (`RUNAI_PROJECTS_PATH`, `runai_queues_path=`);
- the keys of the legacy application-token body (`"grantType": "app_token"`, `"appId"`,
  `"appSecret"`), in a Python dict, a Go map, a JS object or a JSON file alike.

Each becomes an ApiCall whose method is unknown (`*`) unless the body tells (a token request is a
POST); the engine judges whose API it is, as for any other call. Values are never kept: a
body key is recorded by name only, and the grant type only when it is the literal `app_token`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from runai_audit.models import ApiCall, BodyField, Confidence, Location
from runai_audit.scanners.lexical.context import CODE, ContextReader
from runai_audit.scanners.lexical.tokens import (
    GRANT_TYPE_KEYS,
    LEGACY_GRANT_TYPES,
    TOKEN_BODY_KEYS,
    TOKEN_PATH,
)

# A quoted path or URL; the path part starts at the first `/` that is not part of `//host`.
_QUOTED = re.compile(
    r"(?P<q>[\"'`])(?P<body>(?:https?://[^\"'`\s/]*|\$\{?\w+\}?|\$\(\w+\)|\{\{[^{}\"'`]*\}\}|\{[^{}\"'`\s]*\}|%s)?"
    r"/(?:\{\{[^{}\"'`]*\}\}|[^\"'`\s])*)(?P=q)"
)
# A URL written out in prose, a comment or a command line that is not shell (`curl -X POST
# https://acme.run.ai/api/v1/...` in a file that claims to be JSON).
_BARE_URL = re.compile(r"https?://[^\s\"'`<>()\[\],;|]+")
_RUNAI_ONLY = re.compile(r"^/(?:v1/k8s/|researcher/api/|apis/run\.ai/|auth/realms/[^/]+/protocol/openid-connect/token)")
_RUNAI_ONLY_ANYWHERE = re.compile(r"/(?:v1/k8s|researcher/api|apis/run\.ai)/")
_BARE = re.compile(r"(?<![\w/{}$])/(?:v1/k8s|researcher/api|apis/run\.ai)/[^\s\"'`<>()\[\],;|]*")
_SHARED_SHAPE = re.compile(r"^/api/v[12]/[a-z]")
_NAMES_RUNAI = re.compile(r"runai|run_ai|run\.ai", re.I)
_PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}|\{[^{}]*\}|\$\{\w+\}|\$\(\w+\)|\$\w+|%[sd]|<[^<>/]+>|:\w+(?=/|$)")
_KEY = re.compile(r"(?P<q>[\"']?)(?P<key>[A-Za-z_]+)(?P=q)\s*(?::|=>|=)\s*(?P<value>[\"'][^\"'\n]*[\"']|[^,\s}]+)?")
BODY_WINDOW_LINES = 8


def _path_of(body: str) -> str:
    """The path part of a quoted URL or path, its placeholders as `{*}`, no query."""
    path = body[body.index("/"):] if not body.startswith(("http://", "https://")) else "/" + body.split("/", 3)[-1]
    if body.startswith(("http://", "https://")) and body.count("/") < 3:
        return ""
    path = path.split("?", 1)[0].split("#", 1)[0]
    return _PLACEHOLDER.sub("{*}", path)


def _base_of(body: str) -> str:
    """`https://host` when the URL names its host literally (the host then decides whose API
    it is), else the unknown-base marker."""
    host = re.match(r"https?://([^/\s{}$]+)(?=/|$)", body)
    return host.group(0) if host else "{**}"


def _quoted_paths(line: str) -> Iterator[tuple[int, str, str]]:
    for found in _QUOTED.finditer(line):
        body = found.group("body")
        yield found.start("body") + 1, _base_of(body), _path_of(body)


def _bare_urls(line: str, taken: set[int]) -> Iterator[tuple[int, str, str]]:
    """Whole URLs outside quotes; the host then decides whose API it is."""
    for found in _BARE_URL.finditer(line):
        column = found.start() + 1
        if column not in taken and not any(t <= column < t + len(found.group()) for t in taken):
            yield column, _base_of(found.group()), _path_of(found.group())


def _bare_paths(line: str, taken: set[int]) -> Iterator[tuple[int, str, str]]:
    """Run:ai-only paths outside quotes: a URL in a comment or in prose, one pieced together
    from quoted parts (`https://runai.apps."${DOMAIN}"/v1/k8s/auth/me`)."""
    for found in _BARE.finditer(line):
        column = found.start() + 1
        if not any(column >= t for t in taken):
            before = line[: found.start()]
            yield column, _base_of(before[before.rfind("http"):]) if "http" in before else "{**}", _path_of(found.group())


# Code that declares itself a Run:ai client: a package, class, type or constructor named after
# Run:ai (`package runai`, `class RunaiClient`, `new RunAIClient(...)`), or a file so named.
_RUNAI_CLIENT_CODE = re.compile(
    r"\bpackage\s+\w*runai|\b(?:class|type|interface|struct|new)\s+\w*run_?ai\w*|\bRun_?[Aa][Ii]\w*Client\b", re.I
)


def runai_client_file(text: str, path: str) -> bool:
    name = path.rsplit("/", 1)[-1].lower()
    return "runai" in name or "run_ai" in name or bool(_RUNAI_CLIENT_CODE.search(text))


def path_calls(text: str, path: str, contexts: ContextReader) -> list[ApiCall]:
    client_file: bool | None = None
    out: list[ApiCall] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if "/" not in line:
            continue
        quoted = list(_quoted_paths(line))
        taken = {column for column, _, _ in quoted}
        bare = [found for found in _bare_urls(line, taken) if found[2]] if "://" in line else []
        taken |= {column for column, _, _ in bare}
        bare += list(_bare_paths(line, taken)) if _RUNAI_ONLY_ANYWHERE.search(line) else []
        quoted_columns = {column for column, _, _ in quoted}
        for column, base, url_path in quoted + bare:
            if not url_path:
                continue
            runai_only = bool(_RUNAI_ONLY.match(url_path))
            # A shared `/api/v1/` shape is Run:ai's by its line or file; a URL written bare in a
            # command line (`curl -H "... ${RUNAI_TOKEN}" https://api.example.com/api/v1/...`)
            # only when no literal host says otherwise.
            shared = bool(_SHARED_SHAPE.match(url_path)) and (column in quoted_columns or base == "{**}")
            named = shared and bool(_NAMES_RUNAI.search(line[: column - 1]))
            if shared and not named and contexts.at(number, column) == CODE:
                if client_file is None:
                    client_file = runai_client_file(text, path)
                named = client_file  # `GetProjectsURL = "/api/v1/projects"` in a Run:ai client
            if not (runai_only or named):
                continue
            method = "POST" if url_path.endswith("/openid-connect/token") else "*"
            context = contexts.at(number, column)
            out.append(ApiCall(
                method=method,
                url=base + url_path,
                location=Location(path, number, column),
                confidence=Confidence.MEDIUM if context == CODE else Confidence.LOW,
                evidence=f"{method if method != '*' else 'ANY'} {url_path}",
                runai_hint=named,
            ))
    return out


def _keys(lines: list[str], number: int) -> Iterator[tuple[int, int, str, str | None]]:
    """(line, column, key, value) of the key-value pairs on one line."""
    line = lines[number - 1]
    for found in _KEY.finditer(line):
        value = found.group("value")
        literal = value[1:-1] if value and value[0] in "\"'" else None
        yield number, found.start("key") + 1, found.group("key"), literal


def token_body_calls(text: str, path: str, contexts: ContextReader) -> list[ApiCall]:
    """A legacy token body: the `app_token` grant type, with the app key fields near it."""
    lowered = text.lower()
    if not any(grant in lowered for grant in LEGACY_GRANT_TYPES):
        return []
    lines = text.split("\n")
    out: list[ApiCall] = []
    for number, line in enumerate(lines, start=1):
        low = line.lower()
        if not any(grant in low for grant in LEGACY_GRANT_TYPES):
            continue
        grant = next(((n, c, k, v) for n, c, k, v in _keys(lines, number)
                      if k.lower() in GRANT_TYPE_KEYS and (v or "").lower() in LEGACY_GRANT_TYPES), None)
        if grant is None:
            continue
        fields = [BodyField(grant[2], grant[3], Location(path, number, grant[1]))]
        first, last = max(1, number - BODY_WINDOW_LINES), min(len(lines), number + BODY_WINDOW_LINES)
        for near in range(first, last + 1):
            for n, column, key, _ in _keys(lines, near):
                if key.lower() in TOKEN_BODY_KEYS:
                    fields.append(BodyField(key, None, Location(path, n, column)))
        context = contexts.at(number, grant[1])
        out.append(ApiCall(
            method="POST",
            url="{**}" + TOKEN_PATH,
            location=Location(path, number, grant[1]),
            body=tuple(fields),
            confidence=Confidence.MEDIUM if context == CODE else Confidence.LOW,
            evidence=f"POST {TOKEN_PATH} body: " + ", ".join(sorted({f.path for f in fields})),
            runai_hint=True,
        ))
    return out
