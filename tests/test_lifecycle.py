from __future__ import annotations

import datetime as dt
from typing import ClassVar

import pytest

from runai_audit.judge.lifecycle import add_months, judge
from runai_audit.models import Severity, Status


class Calendar:
    """A small release calendar written for these tests (dates are illustrative)."""

    versions: ClassVar[tuple[str, ...]] = ("2.17", "2.18", "2.19", "2.20", "2.21", "2.22", "2.23", "2.24", "2.25", "2.26", "3.0")
    dates: ClassVar[dict[str, dt.date]] = {
        "2.17": dt.date(2024, 4, 14), "2.18": dt.date(2024, 6, 30), "2.19": dt.date(2024, 10, 8),
        "2.20": dt.date(2025, 1, 12), "2.21": dt.date(2025, 4, 15), "2.22": dt.date(2025, 7, 16),
        "2.23": dt.date(2025, 10, 22), "2.24": dt.date(2025, 12, 15), "2.25": dt.date(2026, 4, 28),
    }

    def offset(self, version: str, n: int) -> str | None:
        i = self.versions.index(version) + n
        return self.versions[i] if 0 <= i < len(self.versions) else None

    def date_of(self, version: str) -> dt.date | None:
        return self.dates.get(version)

    def compare(self, a: str, b: str) -> int:
        return self.versions.index(a) - self.versions.index(b)


CAL = Calendar()
TODAY = dt.date(2026, 11, 28)


def self_hosted(target: str, dep: str | None, rem: str | None = None, **kw: object) -> object:
    return judge(deprecated_in=dep, removed_in=rem, releases=CAL, deployment="self-hosted",
                 target=target, as_of=kw.pop("as_of", TODAY), **kw)  # type: ignore[arg-type]


def test_deprecated_is_supported_two_more_releases_then_removable() -> None:
    for target in ("2.18", "2.19", "2.20"):
        verdict = self_hosted(target, "2.18")
        assert verdict is not None
        assert (verdict.status, verdict.severity) == (Status.DEPRECATED, Severity.WARNING)  # type: ignore[attr-defined]
        assert verdict.breaks_in == "2.21"  # type: ignore[attr-defined]
        assert verdict.supported_through == "2.20"  # type: ignore[attr-defined]
        assert verdict.sunset == dt.date(2025, 4, 15)  # type: ignore[attr-defined]
    removed = self_hosted("2.21", "2.18")
    assert (removed.status, removed.severity) == (Status.REMOVED, Severity.ERROR)  # type: ignore[attr-defined]


def test_not_yet_deprecated_at_target_gives_no_verdict() -> None:
    assert self_hosted("2.23", "2.24") is None


def test_documented_removal_wins_over_arithmetic() -> None:
    verdict = self_hosted("2.25", "2.24", "2.25")
    assert verdict.status is Status.REMOVED and verdict.breaks_in == "2.25"  # type: ignore[attr-defined]


def test_absent_from_target_spec_is_removed_even_inside_the_window() -> None:
    verdict = self_hosted("2.24", "2.23", in_target_spec=False)
    assert (verdict.status, verdict.severity) == (Status.REMOVED, Severity.ERROR)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("window", "expected"), [(None, Severity.WARNING), (30, Severity.WARNING), (200, Severity.ERROR)])
def test_sunset_within_escalates(window: int | None, expected: Severity) -> None:
    # deprecated in 2.23 -> breaks in 2.26, whose date is unknown; use 2.22 -> breaks 2.25 (2026-04-28)
    verdict = self_hosted("2.24", "2.22", as_of=dt.date(2026, 1, 1), sunset_within=window)
    assert verdict.severity is expected  # type: ignore[attr-defined]


def test_saas_six_months_after_the_deprecating_release() -> None:
    before = judge(deprecated_in="2.24", removed_in=None, releases=CAL, deployment="saas",
                   target="2.24", as_of=dt.date(2026, 6, 14))
    after = judge(deprecated_in="2.24", removed_in=None, releases=CAL, deployment="saas",
                  target="2.24", as_of=dt.date(2026, 6, 15))
    not_yet = judge(deprecated_in="2.25", removed_in=None, releases=CAL, deployment="saas",
                    target="2.24", as_of=dt.date(2026, 4, 27))
    assert before is not None and before.status is Status.DEPRECATED and before.sunset == dt.date(2026, 6, 15)
    assert after is not None and after.status is Status.REMOVED
    assert not_yet is None


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2025, 12, 15), 6) == dt.date(2026, 6, 15)
