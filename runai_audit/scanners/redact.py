"""Mask secrets in a line of text before it becomes evidence.

Every scanner keeps one source line as evidence for an observation. That line may hold a token,
a password or a cookie, and evidence ends up in reports, CI logs and SARIF files. `mask_secrets`
replaces anything that looks secret with `***`, erring on the side of masking too much: a
masked harmless word costs nothing, a leaked token costs a rotation.

The functions here are pure and shared by all scanners.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["MASK", "is_secret_name", "looks_opaque", "mask_path", "mask_secrets"]

MASK = "***"

# Words that make a key, variable, header or flag name secret-looking. Matched on the name in
# lower case with `-`, `_` and `.` removed, so clientSecret, client_secret and client-secret agree.
_SECRET_WORDS = (
    "token", "secret", "password", "passwd", "passphrase", "pwd", "apikey", "authorization",
    "auth", "cookie", "credential", "privatekey", "accesskey", "bearer", "jwt", "signature",
    "sessionid",
)
# The same words as a regex fragment over raw names (separators allowed inside).
_WORD_RE = (
    r"(?:token|secret|passw(?:or)?d|passphrase|pwd|api[-_.]?key|authori[sz]ation|auth|cookie"
    r"|credential|private[-_.]?key|access[-_.]?key|bearer|jwt|signature|session[-_.]?id)"
)
_NAME = rf"[A-Za-z0-9_.-]*{_WORD_RE}[A-Za-z0-9_.-]*"


def is_secret_name(name: str) -> bool:
    """True when a key / variable / header / flag name suggests its value is a secret."""
    flat = re.sub(r"[-_. ]", "", name.lower())
    return any(word in flat for word in _SECRET_WORDS)


_HEX = re.compile(r"[0-9a-fA-F-]+")


def looks_opaque(value: str) -> bool:
    """True for long random-looking strings: keys, hashes, base64 blobs, UUID-like ids.

    Paths (`/api/v1/org-unit/projects`) and identifiers (`create_namespaced_custom_object`) are
    not opaque; they read as words.
    """
    if len(value) < 25:
        return False
    if "/" in value and "+" not in value and not value.endswith("="):
        return any(looks_opaque(part) for part in value.split("/"))
    if value.endswith("=") or value.startswith("eyJ"):
        return True
    digits = sum(c.isdigit() for c in value)
    if _HEX.fullmatch(value):
        return digits >= 4
    has_upper = any(c.isupper() for c in value)
    has_lower = any(c.islower() for c in value)
    if has_upper and has_lower and digits >= 3:
        return True
    # lower-case (or upper-case) letters and digits, without word separators: base32, api keys
    return digits >= 6 and digits / len(value) >= 0.2 and "_" not in value


# Order matters: specific shapes first, the opaque-run sweep last.
_PEM = re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}(?:\.[A-Za-z0-9_-]*)?")
_VENDOR_TOKEN = re.compile(
    r"\b(?:ghp_|gho_|ghu_|ghs_|ghr_|github_pat_|glpat-|xox[abposr]-|sk-|sk_live_|rk_live_|AKIA)"
    r"[A-Za-z0-9_-]{10,}"
)
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@'\"]+):([^/\s@'\"]+)@")
_CURL_USER = re.compile(r"((?:^|\s)(?:-u|--user)(?:\s+|=)['\"]?[^\s:'\"]+):([^\s'\"]+)")
_HEADER_LINE = re.compile(
    r"(?i)\b((?:set-)?cookie|authorization|proxy-authorization|x-api-key|api-key|private-token"
    r"|x-auth-token)(\s*:\s*)([^'\"\n]+)"
)
_AUTH_SCHEME = re.compile(r"(?i)\b(bearer|basic|digest|negotiate)(\s+)(?![{<*])([^\s'\"`,;)}\]]+)")
# "key": "value", key = 'value', key: "value", token == "value"
_QUOTED_VALUE = re.compile(
    rf"(?i)([\"']?)({_NAME})\1(\s*(?:==|:=|!=|[:=])\s*)([rRbBuUfF]{{0,2}})([\"'])(.*?)(?<!\\)\5"
)
# "--password", "value" inside an argv list
_ARGV_FLAG_VALUE = re.compile(
    rf"(?i)([\"']--?{_NAME}[\"']\s*,\s*)([rRbBuUfF]{{0,2}})([\"'])(.*?)(?<!\\)\3"
)
# --password value / --token=value on a command line
_CLI_FLAG = re.compile(rf"(?i)((?:^|\s)--?{_NAME})(\s+|=)(?!-)(\"[^\"]*\"|'[^']*'|[^\s'\"]+)")
# key=value in query strings, env assignments, keyword arguments
_BARE_ASSIGN = re.compile(rf"(?i)\b({_NAME})=(?![=\s'\"])([^\s&'\"#;,)]+)")
# YAML / header style key: value, to the end of the line when the key starts the line
_YAML_LINE = re.compile(rf"(?i)^(\s*-?\s*)({_NAME})(\s*:\s+)(?![\"'|>])(.+)$")
_COLON_VALUE = re.compile(
    rf"(?i)([\s{{,(]|^)([\"']?)({_NAME})\2(\s*:\s*)(?![rRbBuUfF]{{0,2}}[\"'|>{{\[*\s])([^\s,}})#]+)"
)
_OPAQUE_RUN = re.compile(r"[A-Za-z0-9+/=_-]{25,}")
# "Bearer " + "literal": the scheme and its token written as two literals
_SCHEME_PLUS_LITERAL = re.compile(
    r"(?i)(\b(?:bearer|basic|token|digest)\s*[\"']\s*\+\s*)([rRbBuUfF]{0,2})([\"'])(.*?)(?<!\\)\3"
)
# a literal concatenated to a value already masked: "***" + "rest of the secret"
_MASKED_PLUS_LITERAL = re.compile(r"(\*\*\*[\"']\s*\+\s*)([rRbBuUfF]{0,2})([\"'])(.*?)(?<!\\)\3")
# auth=("user", "password"), HTTPBasicAuth("user", "password"), aiohttp.BasicAuth(...): the
# arguments are credentials whatever their names.
# So are cookies=: every value of the jar is a session, whatever its name (cookies={"s": v}).
_AUTH_ARGS = re.compile(
    r"(?i)(\bauth\s*=\s*[(\[]|\b(?:http)?(?:basic|digest|proxy)auth\s*\(|\bcookies\s*=\s*(?:dict\s*)?[({\[])"
)
_CLOSERS = {"(": ")", "[": "]", "{": "}"}


def _mask_auth_arguments(line: str) -> str:
    out, pos = [], 0
    for match in _AUTH_ARGS.finditer(line):
        if match.start() < pos:
            continue
        opener = line[match.end() - 1]
        closer = _CLOSERS[opener]
        depth, end = 1, match.end()
        while end < len(line) and depth:
            depth += {opener: 1, closer: -1}.get(line[end], 0)
            end += 1
        out.append(line[pos:match.end()] + MASK + (closer if depth == 0 else ""))
        pos = end
    return "".join(out) + line[pos:]


def secret_segment(segment: str) -> bool:
    """A URL path segment that is a credential, not a resource name or id: a JWT, a vendor
    token, or an opaque blob that is not a plain hex id (UUIDs and hashes name resources)."""
    if _JWT.search(segment) or _VENDOR_TOKEN.search(segment):
        return True
    return looks_opaque(segment) and not _HEX.fullmatch(segment)


def mask_path(path: str) -> str:
    """A URL path with its secret-looking segments (`/share/eyJhbGciOi...`) replaced by `***`."""
    if len(path) < 25:  # no segment can be long enough to look secret
        return path
    return "/".join(MASK if secret_segment(part) else part for part in path.split("/"))


def _opaque_sub(match: re.Match[str]) -> str:
    return MASK if looks_opaque(match.group(0)) else match.group(0)


def mask_secrets(line: str) -> str:
    """Return `line` with every secret-looking value replaced by `***`."""
    out = _PEM.sub("-----BEGIN PRIVATE KEY-----" + MASK, line)
    out = _JWT.sub(MASK, out)
    out = _VENDOR_TOKEN.sub(MASK, out)
    out = _URL_USERINFO.sub(rf"\1:{MASK}@", out)
    out = _CURL_USER.sub(rf"\1:{MASK}", out)
    out = _HEADER_LINE.sub(rf"\1\2{MASK}", out)
    out = _SCHEME_PLUS_LITERAL.sub(rf"\1\2\3{MASK}\3", out)
    out = _AUTH_SCHEME.sub(rf"\1\2{MASK}", out)
    out = _mask_auth_arguments(out)
    out = _QUOTED_VALUE.sub(rf"\1\2\1\3\4\5{MASK}\5", out)
    out = _MASKED_PLUS_LITERAL.sub(rf"\1\2\3{MASK}\3", out)
    out = _ARGV_FLAG_VALUE.sub(rf"\1\2\3{MASK}\3", out)
    out = _CLI_FLAG.sub(rf"\1\2{MASK}", out)
    out = _BARE_ASSIGN.sub(rf"\1={MASK}", out)
    out = _YAML_LINE.sub(rf"\1\2\3{MASK}", out)
    out = _COLON_VALUE.sub(rf"\1\2\3\2\4{MASK}", out)
    return _OPAQUE_RUN.sub(_opaque_sub, out)


def mask_argv(argv: Sequence[str]) -> list[str]:
    """A command line with the values of secret-looking flags masked: `--token=x`,
    `--password x` and `-e NAME=value` (an environment variable may hold anything)."""
    out: list[str] = []
    mask_next = False
    for word in argv:
        if mask_next:
            out.append(MASK)
            mask_next = False
        elif word.startswith("-") and is_secret_name(word.lstrip("-").partition("=")[0]):
            flag, eq, _ = word.partition("=")
            out.append(f"{flag}={MASK}" if eq else word)
            mask_next = not eq
        elif "=" in word and not word.startswith(("-", "{")):
            out.append(word.split("=", 1)[0] + "=" + MASK)
        else:
            out.append(word)
    return out
