"""Reading the few header values we keep: deprecation signals from responses, and user agents.

Every other header value is dropped unread. The two kinds of free text we do keep - a Warning's
server-authored message and a client's user agent - are capped and have anything token-shaped
masked, because either could echo a credential back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from runai_audit.models import Location, ServerSignal
from runai_audit.scanners.traffic.times import any_date

SIGNAL_HEADERS = frozenset({"deprecation", "sunset", "warning"})
TEXT_CAP = 200
MASK = "***"

# A warning is: code, agent, "quoted text", optional "quoted date" (RFC 9111 section 5.5).
_WARNING = re.compile(r'(\d{3})\s+(\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?')
# Runs long enough to be a token, key or session id; plus query strings and key=value secrets.
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9+/_=.~-]{24,}|[A-Za-z0-9+/_=~-]{20,}")
_QUERY = re.compile(r"\?\S*")
_SECRET_ASSIGN = re.compile(
    r"(?i)\b(bearer|basic|token|secret|password|passwd|pwd|key|apikey|api_key|session|cookie|auth\w*)"
    r"(\s*[=:]\s*|\s+)\S+"
)


def mask_text(text: str, cap: int = TEXT_CAP) -> str:
    """Free text safe to keep: query strings, `secret=...` pairs and token-shaped runs masked."""
    masked = _SECRET_ASSIGN.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    masked = _QUERY.sub("?" + MASK, masked)
    masked = _TOKEN_LIKE.sub(MASK, masked)
    masked = " ".join(masked.split())
    return masked if len(masked) <= cap else masked[: cap - 1] + "…"


def caller_name(user_agent: str) -> str:
    """A user agent as kept in Usage.callers."""
    return mask_text(user_agent, cap=120)


def deprecation_value(raw: str) -> str | None:
    """RFC 9745 `@epoch`, the draft's `true`, or an HTTP-date -> ISO date / "true".

    None when the header says "not deprecated" (`false`, empty); "" when the server says
    deprecated in a form we cannot read (still worth reporting)."""
    value = raw.strip()
    if value.lower() in ("", "false", "?0"):
        return None
    if value.lower() in ("true", "?1"):
        return "true"
    return any_date(value) or ""


def sunset_value(raw: str) -> str:
    """RFC 8594 HTTP-date (ISO dates tolerated) -> ISO date, "" when unreadable."""
    return any_date(raw) or ""


def warnings_299(raw: str) -> Iterator[str]:
    """Masked texts of the `299` (persistent, e.g. "deprecated API") warnings in a Warning value."""
    for match in _WARNING.finditer(raw):
        if match.group(1) == "299":
            yield mask_text(match.group(3).replace('\\"', '"'))


def response_signals(
    headers: Iterable[tuple[str, str]], method: str, url: str, location: Location
) -> list[ServerSignal]:
    """ServerSignals for the Deprecation / Sunset / Warning headers of one recorded response.
    `headers` are (lower-case name, value) pairs, already filtered to SIGNAL_HEADERS."""
    signals: list[ServerSignal] = []
    for name, raw in headers:
        if name == "deprecation":
            value = deprecation_value(raw)
            if value is not None:
                signals.append(ServerSignal("deprecation", method, url, location, value))
        elif name == "sunset":
            signals.append(ServerSignal("sunset", method, url, location, sunset_value(raw)))
        elif name == "warning":
            signals.extend(
                ServerSignal("warning", method, url, location, "299", text=text) for text in warnings_299(raw)
            )
    return signals
