"""When a deprecated thing stops working for *this* user: the lifecycle policy as pure functions.

Self-hosted: deprecated in release N -> still supported in N+1 and N+2 -> may be removed from
N+3; the sunset date is the release date of N+3 where known. A documented removal release wins
over the arithmetic. SaaS: deprecation date (the release date of N) + 6 months.

Nothing here reads a clock or a file: "today" and the target are arguments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from runai_audit.models import Severity, Status

SUPPORTED_RELEASES_AFTER_DEPRECATION = 2
SAAS_GRACE_MONTHS = 6


class ReleaseCalendar(Protocol):
    """What the lifecycle needs from rules/releases.yaml."""

    @property
    def versions(self) -> tuple[str, ...]: ...

    def offset(self, version: str, n: int) -> str | None: ...

    def date_of(self, version: str) -> dt.date | None: ...

    def compare(self, a: str, b: str) -> int: ...


@dataclass(frozen=True)
class Verdict:
    """The lifecycle's answer for one used subject at the user's target."""

    status: Status
    severity: Severity
    sunset: dt.date | None  # the day support ends, when known
    breaks_in: str | None  # the release from which it may be gone (self-hosted), when known
    supported_through: str | None  # the last release that still supports it (self-hosted)
    # Why: "policy" (past the deprecation window), "documented" (a release note removes it),
    # "absent" (the target's API reference lacks it), "saas" (six months passed), "announced"
    # (a documented removal still ahead), "superseded" (replaced without a dated notice), or ""
    # for a plain deprecation.
    reason: str = ""


def add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate_day in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, candidate_day)
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {day}")  # unreachable: day 28 always exists


def _at_or_after(releases: ReleaseCalendar, version: str, reference: str | None) -> bool:
    return reference is not None and releases.compare(version, reference) >= 0


def _escalate(sev: Severity, sunset: dt.date | None, as_of: dt.date, window_days: int | None) -> Severity:
    if window_days is not None and sunset is not None and (sunset - as_of).days <= window_days:
        return Severity.ERROR
    return sev


def judge(
    *,
    deprecated_in: str | None,
    removed_in: str | None,
    releases: ReleaseCalendar,
    deployment: str,
    target: str,
    as_of: dt.date,
    in_target_spec: bool | None = None,
    sunset_within: int | None = None,
) -> Verdict | None:
    """Status and severity of a use, or None when it is not (yet) deprecated at the target.

    `in_target_spec` is False when the target's spec lacks the operation: it is then removed
    whatever the arithmetic says. None means "not applicable" (fields, CLI, CRDs).
    """
    if deployment == "saas":
        return _judge_saas(deprecated_in, removed_in, releases, as_of, in_target_spec, sunset_within)
    return _judge_self_hosted(
        deprecated_in, removed_in, releases, target, as_of, in_target_spec, sunset_within
    )


def _judge_self_hosted(
    deprecated_in: str | None,
    removed_in: str | None,
    releases: ReleaseCalendar,
    target: str,
    as_of: dt.date,
    in_target_spec: bool | None,
    sunset_within: int | None,
) -> Verdict | None:
    by_policy = (
        releases.offset(deprecated_in, SUPPORTED_RELEASES_AFTER_DEPRECATION + 1) if deprecated_in else None
    )
    breaks_in = removed_in or by_policy
    supported_through = releases.offset(breaks_in, -1) if breaks_in else None
    sunset = releases.date_of(breaks_in) if breaks_in else None
    if _at_or_after(releases, target, breaks_in):
        reason = "documented" if removed_in else "policy"
        return Verdict(Status.REMOVED, Severity.ERROR, sunset, breaks_in, supported_through, reason)
    if in_target_spec is False:
        return Verdict(Status.REMOVED, Severity.ERROR, sunset, target, supported_through, "absent")
    if deprecated_in is None and removed_in is not None:
        # A removal announced without a deprecation release: it still breaks at a known release.
        severity = _escalate(Severity.WARNING, sunset, as_of, sunset_within)
        return Verdict(Status.DEPRECATED, severity, sunset, breaks_in, supported_through, "announced")
    if deprecated_in is None or not _at_or_after(releases, target, deprecated_in):
        return None
    severity = _escalate(Severity.WARNING, sunset, as_of, sunset_within)
    return Verdict(Status.DEPRECATED, severity, sunset, breaks_in, supported_through)


def _judge_saas(
    deprecated_in: str | None,
    removed_in: str | None,
    releases: ReleaseCalendar,
    as_of: dt.date,
    in_target_spec: bool | None,
    sunset_within: int | None,
) -> Verdict | None:
    deprecated_on = releases.date_of(deprecated_in) if deprecated_in else None
    removed_on = releases.date_of(removed_in) if removed_in else None
    sunset = add_months(deprecated_on, SAAS_GRACE_MONTHS) if deprecated_on else removed_on
    if removed_on is not None and as_of >= removed_on:
        return Verdict(Status.REMOVED, Severity.ERROR, sunset, removed_in, None, "documented")
    if sunset is not None and as_of >= sunset:
        return Verdict(Status.REMOVED, Severity.ERROR, sunset, removed_in, None, "saas")
    if in_target_spec is False:
        return Verdict(Status.REMOVED, Severity.ERROR, sunset, removed_in, None, "absent")
    if deprecated_in is None and removed_in is not None:
        severity = _escalate(Severity.WARNING, sunset, as_of, sunset_within)
        return Verdict(Status.DEPRECATED, severity, sunset, removed_in, None, "announced")
    if deprecated_in is None:
        return None
    if deprecated_on is not None and as_of < deprecated_on:
        return None
    # Deprecated, with the date of its release unknown or the grace period still running.
    severity = _escalate(Severity.WARNING, sunset, as_of, sunset_within)
    return Verdict(Status.DEPRECATED, severity, sunset, removed_in, None)
