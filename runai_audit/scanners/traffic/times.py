"""Timestamps from recorded traffic, normalised to one sortable form: `2025-06-02T10:00:00Z` (UTC,
whole seconds), so that Usage.first_seen / last_seen compare correctly across files and formats."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

_FRACTION = re.compile(r"(\.\d+)")
_UTC_SECONDS = re.compile(
    r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?Z"
)
_ACCESS_LOG_TIME = "%d/%b/%Y:%H:%M:%S %z"  # nginx $time_local: 02/Jun/2025:10:00:00 +0000


def _format(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_utc(text: str) -> str | None:
    """ISO 8601 / RFC 3339 (any fraction length, `Z` or offset) -> normalised UTC, or None."""
    value = text.strip()
    if _UTC_SECONDS.fullmatch(value):  # the common case, without a datetime round trip
        return value[:19] + "Z"
    if not value:
        return None
    value = _FRACTION.sub("", value, count=1)  # Python 3.10 accepts only 3 or 6 fraction digits
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        return _format(datetime.fromisoformat(value))
    except ValueError:
        return None


def http_date(text: str) -> str | None:
    """An RFC 9110 HTTP-date (`Sun, 30 Jun 2024 23:59:59 GMT`) -> normalised UTC, or None."""
    try:
        return _format(parsedate_to_datetime(text.strip()))
    except (TypeError, ValueError, IndexError):
        return None


def epoch(text: str) -> str | None:
    """Seconds since the epoch, possibly fractional (`@1688169599`, nginx $msec) -> UTC."""
    try:
        return _format(datetime.fromtimestamp(float(text.strip().lstrip("@")), tz=timezone.utc))
    except (ValueError, OverflowError, OSError):
        return None


def access_log_time(text: str) -> str | None:
    """nginx $time_local, else ISO 8601 ($time_iso8601), else epoch seconds ($msec)."""
    try:
        return _format(datetime.strptime(text.strip(), _ACCESS_LOG_TIME))
    except ValueError:
        return iso_utc(text) or epoch(text)


def any_date(text: str) -> str | None:
    """The forms servers use in Sunset / Deprecation headers, tolerantly."""
    value = text.strip()
    if value.startswith("@"):
        return epoch(value)
    return http_date(value) or iso_utc(value)
