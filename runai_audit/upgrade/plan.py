"""Pre-upgrade review: which uses break, or become deprecated, between two releases.

One scan at the destination release gives every finding with its lifecycle facts
(deprecated_in, breaks_in, status). This module only sorts those findings onto the release
axis; it reads no files. Where a finding does not say when it breaks (a call to an operation
that the target's spec simply lacks, a parameter only the spec flags), the release is worked
out from the bundled specs through `spec_of`, a lookup the caller provides.

Self-hosted: a use lands on the release in which it breaks if that is inside the window
(from, to]; otherwise on the release in which it becomes deprecated, if that is inside the
window; otherwise it was already broken, or already deprecated, at `from`.
SaaS: the tenant is always on the newest release, so "already broken" means past its sunset
as of the scan's date; the others land on the first release published on or after their
sunset date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from runai_audit.judge.lifecycle import ReleaseCalendar as ReleaseList
from runai_audit.knowledge.specs import SpecIndex
from runai_audit.models import Finding, Report, Severity, Status
from runai_audit.upgrade.specs import SpecLookup, first_flagged, gone_from, specs_in_order

__all__ = ["PlanItem", "ReleaseList", "ReleaseStep", "SpecLookup", "UpgradePlan", "for_gate", "plan_upgrade"]


@dataclass(frozen=True)
class PlanItem:
    finding: Finding  # with breaks_in / deprecated_in filled in when the plan worked them out
    basis: str  # how the release is known: "finding", "spec" (bundled specs), "sunset" (SaaS date)


@dataclass(frozen=True)
class ReleaseStep:
    version: str
    date: str  # ISO date or "" when unknown
    breaks: tuple[PlanItem, ...] = ()
    deprecated: tuple[PlanItem, ...] = ()


@dataclass(frozen=True)
class UpgradePlan:
    from_version: str
    to_version: str
    deployment: str
    as_of: str
    steps: tuple[ReleaseStep, ...]  # every release in (from, to], oldest first
    already_broken: tuple[PlanItem, ...] = ()
    already_deprecated: tuple[PlanItem, ...] = ()  # deprecated at `from`, still working at `to`
    unsupported: tuple[PlanItem, ...] = ()  # in no published spec: no release to place it on
    unplaced: tuple[PlanItem, ...] = ()  # server signals, or no release known
    suppressed: int = 0
    tool: int = 0  # findings about the audit itself (unreadable input, stale baseline)
    filled: dict[str, Finding] = field(default_factory=dict, compare=False)  # fingerprint -> updated

    @property
    def breaking(self) -> tuple[PlanItem, ...]:
        """Everything broken by `to`: inside the window, already at `from`, and removed at `to`
        without a known release."""
        unknown = tuple(i for i in self.unplaced if i.finding.status is Status.REMOVED)
        return tuple(i for s in self.steps for i in s.breaks) + self.already_broken + unknown


# --------------------------------------------------------------------------- placing


def _window(releases: ReleaseList, start: str, end: str) -> list[str]:
    return [v for v in releases.versions if releases.compare(v, start) > 0 and releases.compare(v, end) <= 0]


@dataclass
class _Buckets:
    breaks: dict[str, list[PlanItem]] = field(default_factory=dict)
    deprecated: dict[str, list[PlanItem]] = field(default_factory=dict)
    already_broken: list[PlanItem] = field(default_factory=list)
    already_deprecated: list[PlanItem] = field(default_factory=list)
    unsupported: list[PlanItem] = field(default_factory=list)
    unplaced: list[PlanItem] = field(default_factory=list)


def _fill(finding: Finding, releases: ReleaseList, specs: list[tuple[str, SpecIndex]], target: str) -> PlanItem:
    """The finding with the releases it lacks worked out from the bundled specs."""
    breaks, deprecated = finding.breaks_in, finding.deprecated_in
    derived_break = gone_from(finding.subject, specs) if finding.status is Status.REMOVED else None
    # A removal the lifecycle could only date "at the target" (the target's spec lacks it) is
    # dated exactly by the specs.
    vague = breaks is None or (breaks == target and finding.removed_in is None)
    if derived_break and vague and (breaks is None or releases.compare(derived_break, breaks) < 0):
        return PlanItem(replace(finding, breaks_in=derived_break), "spec")
    if deprecated is None and finding.status is Status.DEPRECATED:
        # Only the release that flags it: the scan judged it "deprecated, still working" at the
        # target, and the plan must not claim more than the scan does.
        flagged = first_flagged(finding.subject, specs)
        if flagged:
            return PlanItem(replace(finding, deprecated_in=flagged), "spec")
    return PlanItem(finding, "finding")


def _saas_release(sunset: str | None, releases: ReleaseList) -> str | None:
    """The first release published on or after a SaaS sunset date."""
    try:
        day = dt.date.fromisoformat((sunset or "")[:10])
    except ValueError:
        return None
    return next((v for v in releases.versions if (d := releases.date_of(v)) is not None and d >= day), None)


def _place(item: PlanItem, plan_from: str, window: list[str], releases: ReleaseList, deployment: str,
           out: _Buckets) -> None:
    f = item.finding
    in_window = set(window)
    breaks = f.breaks_in
    if deployment == "saas":
        if f.status is Status.REMOVED:
            out.already_broken.append(item)
            return
        breaks = breaks or _saas_release(f.sunset, releases)
        item = replace(item, basis="sunset") if breaks and not f.breaks_in else item
    if breaks in in_window:
        out.breaks.setdefault(str(breaks), []).append(item)
    elif _at_or_before(releases, breaks, plan_from):
        out.already_broken.append(item)
    elif f.deprecated_in in in_window:
        out.deprecated.setdefault(str(f.deprecated_in), []).append(item)
    elif _at_or_before(releases, f.deprecated_in, plan_from):
        out.already_deprecated.append(item)
    else:
        out.unplaced.append(item)  # removed or deprecated, but no release is known


def _at_or_before(releases: ReleaseList, version: str | None, reference: str) -> bool:
    if version is None:
        return False
    try:
        return releases.compare(version, reference) <= 0
    except ValueError:  # not a release number: cannot be placed
        return False


def plan_upgrade(
    report: Report,
    from_version: str,
    to_version: str,
    releases: ReleaseList,
    spec_of: SpecLookup | None = None,
) -> UpgradePlan:
    """Sort a scan at `to_version` into what breaks and what becomes deprecated, release by
    release, from `from_version` on. `spec_of(version)` gives a bundled spec (or None) to date
    findings that carry no release."""
    if releases.compare(from_version, to_version) >= 0:
        raise ValueError(f"--from {from_version} must be an older release than --to {to_version}")
    window = _window(releases, from_version, to_version)
    specs = specs_in_order(releases.versions, spec_of)
    out = _Buckets()
    suppressed = tool = 0
    filled: dict[str, Finding] = {}
    for finding in report.findings:
        if finding.suppressed:
            suppressed += 1
            continue
        if finding.status is Status.TOOL:
            tool += 1
            continue
        if finding.status is Status.UNSUPPORTED:
            out.unsupported.append(PlanItem(finding, "finding"))
            continue
        if finding.status is Status.SIGNAL:
            out.unplaced.append(PlanItem(finding, "finding"))
            continue
        item = _fill(finding, releases, specs, report.target.version)
        if item.finding is not finding and finding.fingerprint:
            filled[finding.fingerprint] = item.finding
        _place(item, from_version, window, releases, report.target.deployment, out)
    steps = tuple(
        ReleaseStep(v, _date(releases, v), tuple(out.breaks.get(v, ())), tuple(out.deprecated.get(v, ())))
        for v in window
    )
    return UpgradePlan(
        from_version, to_version, report.target.deployment, report.target.as_of, steps,
        tuple(out.already_broken), tuple(out.already_deprecated), tuple(out.unsupported),
        tuple(out.unplaced), suppressed, tool, filled,
    )


def _date(releases: ReleaseList, version: str) -> str:
    day = releases.date_of(version)
    return day.isoformat() if day else ""


def for_gate(report: Report, plan: UpgradePlan) -> Report:
    """The report as the exit code sees it: whatever breaks by `to` counts as an error, even
    where the scan's date still calls it a warning (a SaaS sunset inside the window)."""
    breaking = {(i.finding.fingerprint, i.finding.sort_key) for i in plan.breaking}
    escalated = tuple(
        replace(f, severity=Severity.ERROR) if (f.fingerprint, f.sort_key) in breaking else f
        for f in report.findings
    )
    return replace(report, findings=escalated)
