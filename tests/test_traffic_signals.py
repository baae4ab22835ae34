"""Deprecation / Sunset / Warning header values, timestamps and masking of kept free text."""

from __future__ import annotations

import pytest

from runai_audit.models import Location, ServerSignal
from runai_audit.scanners.traffic.signals import (
    caller_name,
    deprecation_value,
    mask_text,
    response_signals,
    sunset_value,
    warnings_299,
)
from runai_audit.scanners.traffic.times import access_log_time, iso_utc


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("@1688169599", "2023-06-30T23:59:59Z"),  # RFC 9745 structured date
        (" @1688169599 ", "2023-06-30T23:59:59Z"),
        ("true", "true"),  # the earlier draft
        ("TRUE", "true"),
        ("?1", "true"),
        ("Sun, 11 Nov 2018 23:59:59 GMT", "2018-11-11T23:59:59Z"),  # draft HTTP-date
        ("false", None),
        ("", None),
        ("soon-ish", ""),  # deprecated, date unreadable
    ],
)
def test_deprecation_values(raw: str, value: str | None) -> None:
    assert deprecation_value(raw) == value


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("Sat, 31 Dec 2025 23:59:59 GMT", "2025-12-31T23:59:59Z"),  # RFC 8594 HTTP-date
        ("2025-12-31", "2025-12-31T00:00:00Z"),  # tolerated ISO date
        ("2025-12-31T12:00:00+02:00", "2025-12-31T10:00:00Z"),
        ("not a date", ""),
    ],
)
def test_sunset_values(raw: str, value: str) -> None:
    assert sunset_value(raw) == value


def test_only_299_warnings_are_kept_each_masked() -> None:
    raw = (
        '299 - "run.ai/v2alpha1 TrainingWorkload is deprecated; use /api/v1/workloads/trainings", '
        '199 proxy "cached", 299 api.example "see https://docs.example/x?sig=abc123 now"'
    )
    assert list(warnings_299(raw)) == [
        "run.ai/v2alpha1 TrainingWorkload is deprecated; use /api/v1/workloads/trainings",
        "see https://docs.example/x?*** now",
    ]


def test_warning_text_is_capped_at_200_characters() -> None:
    (text,) = warnings_299('299 - "' + "deprecated " * 40 + '"')
    assert len(text) == 200 and text.endswith("…")


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("use token=abc123def for access", "use token=*** for access"),
        ("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "Authorization: ***"),
        ("key 0123456789abcdef0123456789abcdef expired", "key *** expired"),
        ("batch/v1beta1 CronJob is deprecated in v1.21+", "batch/v1beta1 CronJob is deprecated in v1.21+"),
    ],
)
def test_mask_text(text: str, masked: str) -> None:
    assert mask_text(text) == masked


def test_user_agents_keep_product_names_and_lose_keys() -> None:
    assert caller_name("argocd-application-controller/v2.11 (linux/amd64)") == (
        "argocd-application-controller/v2.11 (linux/amd64)"
    )
    assert caller_name("my-bot/1.0 apikey=s3cr3tValue") == "my-bot/1.0 apikey=***"


def test_response_signals_carry_method_url_and_location() -> None:
    where = Location("x.har", 3, 0, "/log/entries/0")
    got = response_signals([("deprecation", "@0"), ("sunset", "garbage")], "GET", "https://a.run.ai/x", where)
    assert got == [
        ServerSignal("deprecation", "GET", "https://a.run.ai/x", where, "1970-01-01T00:00:00Z"),
        ServerSignal("sunset", "GET", "https://a.run.ai/x", where, ""),
    ]


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2025-06-02T10:00:00.123Z", "2025-06-02T10:00:00Z"),
        ("2025-06-02T10:00:00.123456789Z", "2025-06-02T10:00:00Z"),  # Go's nanoseconds
        ("2025-06-02T12:00:00.5+02:00", "2025-06-02T10:00:00Z"),
        ("2025-13-02T10:00:00Z", None),
        ("yesterday", None),
    ],
)
def test_iso_timestamps_are_normalised_to_utc_seconds(raw: str, iso: str | None) -> None:
    assert iso_utc(raw) == iso


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("02/Jun/2025:12:00:02 +0200", "2025-06-02T10:00:02Z"),  # $time_local
        ("2025-06-02T10:00:02+00:00", "2025-06-02T10:00:02Z"),  # $time_iso8601
        ("1748858402.123", "2025-06-02T10:00:02Z"),  # $msec
    ],
)
def test_access_log_times(raw: str, iso: str) -> None:
    assert access_log_time(raw) == iso
