"""nginx `log_format` strings compiled to regular expressions.

A format is literal text with `$variables`. Each variable becomes a group matching anything up
to the next literal character (nginx escapes that character inside values: `"` as `\\x22`), so
`"$request"` matches `"GET /x HTTP/1.1"` and `[$time_local]` matches `[02/Jun/2025:10:00:00 +0000]`.
Only the variables the audit reads are captured; the rest are matched and dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COMBINED = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent"'
)
# ingress-nginx's default `log-format-upstream`
UPSTREAMINFO = (
    COMBINED + " $request_length $request_time [$proxy_upstream_name] [$proxy_alternative_upstream_name] "
    "$upstream_addr $upstream_response_length $upstream_response_time $upstream_status $req_id"
)

CAPTURED = frozenset({
    "request", "request_method", "request_uri", "uri", "args", "query_string", "time_local",
    "time_iso8601", "msec", "http_user_agent", "host", "http_host", "server_name",
    "proxy_upstream_name", "scheme",
})
REQUEST_VARIABLES = ("request", "request_uri", "uri")
_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")


class LogFormatError(ValueError):
    """The format cannot locate requests."""


@dataclass(frozen=True)
class LogFormat:
    name: str
    pattern: re.Pattern[str]


def clean_format(text: str) -> str:
    """Accept the format as written in nginx.conf: quoted pieces, a trailing `;`."""
    value = text.strip().rstrip(";").strip()
    pieces = re.findall(r"'([^']*)'", value) if value.startswith("'") else []
    return "".join(pieces) if pieces else value


def compile_format(text: str, name: str = "custom", trailing: bool = False) -> LogFormat:
    """Compile an nginx log_format. `trailing` lets lines carry extra fields after the format."""
    fmt = clean_format(text)
    parts: list[str] = []
    named: set[str] = set()
    position = 0
    matches = list(_VARIABLE.finditer(fmt))
    for match in matches:
        parts.append(_literal(fmt[position : match.start()]))
        variable = match.group(1) or match.group(2)
        following = fmt[match.end() : match.end() + 1]
        body = _body(following)
        if variable in CAPTURED and variable not in named:
            named.add(variable)
            parts.append(f"(?P<{variable}>{body})")
        else:
            parts.append(f"(?:{body})")
        position = match.end()
    parts.append(_literal(fmt[position:]))
    if not named.intersection(REQUEST_VARIABLES):
        raise LogFormatError("the log format has no $request, $request_uri or $uri")
    tail = r"(?:\s.*)?" if trailing else r"\s*"
    return LogFormat(name, re.compile("".join(parts) + tail + r"\Z"))


def _body(following: str) -> str:
    """What a variable matches: anything up to the next literal character. Before a space
    (matched as `\\s+`) that is no whitespace at all: if a value could also hold tabs, a run of
    tabs could be split between neighbouring variables in exponentially many ways."""
    if following == " ":
        return r"\S*"
    if following and following != "$":
        return f"[^{re.escape(following)}]*"
    return ".*?" if following else ".*"


def _literal(text: str) -> str:
    return r"\s+".join(re.escape(word) for word in text.split(" ")) if " " in text else re.escape(text)


BUILT_IN = (
    compile_format(UPSTREAMINFO, "upstreaminfo"),
    compile_format(COMBINED, "combined", trailing=True),
)
