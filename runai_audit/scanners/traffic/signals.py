"""Reading the few header values we keep: deprecation signals from responses, and user agents.

Every other header value is dropped unread. The two kinds of free text we do keep - a Warning's
server-authored message and a client's user agent - are capped and have anything token-shaped
masked, because either could echo a credential back.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator

from runai_audit.models import Location, ServerSignal, Usage
from runai_audit.scanners.redact import MASK, mask_secrets
from runai_audit.scanners.traffic.times import any_date

SIGNAL_HEADERS = frozenset({"deprecation", "sunset", "warning"})
TEXT_CAP = 200

# A warning is: code, agent, "quoted text", optional "quoted date" (RFC 9111 section 5.5).
_WARNING = re.compile(r'(\d{3})\s+(\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?')
_QUERY = re.compile(r"\?\S*")


def mask_text(text: str, cap: int = TEXT_CAP) -> str:
    """Free text safe to keep: the project's secret masking, query strings dropped, capped."""
    masked = mask_secrets(_QUERY.sub("?" + MASK, text))
    masked = " ".join(masked.split())
    return masked if len(masked) <= cap else masked[: cap - 1] + "…"


@functools.lru_cache(maxsize=1024)  # a recording has a handful of distinct user agents
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
    headers: Iterable[tuple[str, str]], method: str, url: str, location: Location, usage: Usage | None = None
) -> list[ServerSignal]:
    """ServerSignals for the Deprecation / Sunset / Warning headers of one recorded response.
    `headers` are (lower-case name, value) pairs, already filtered to SIGNAL_HEADERS."""
    signals: list[ServerSignal] = []
    for name, raw in headers:
        if name == "deprecation":
            value = deprecation_value(raw)
            if value is not None:
                signals.append(ServerSignal("deprecation", method, url, location, value, usage))
        elif name == "sunset":
            signals.append(ServerSignal("sunset", method, url, location, sunset_value(raw), usage))
        elif name == "warning":
            signals.extend(
                ServerSignal("warning", method, url, location, "299", usage, text=text)
                for text in warnings_299(raw)
            )
    return signals
