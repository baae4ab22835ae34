"""Geometry for the sunset timeline: where each deprecated subject sits on the release axis.

Pure arithmetic, no markup: the template draws what this returns. Releases are evenly spaced
(their order is what matters, and many dates are unknown); a plain date such as "today" or a
SaaS sunset is placed between the dated releases around it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from runai_audit.reporters.grouping import SubjectGroup

WIDTH = 960
LABEL_WIDTH = 330
RIGHT_PAD = 40
AXIS_HEIGHT = 58
ROW_HEIGHT = 24
BOTTOM_PAD = 30
MAX_ROWS = 60
LABEL_CHARS = 40
DEFAULT_DAYS_PER_RELEASE = 90.0


@dataclass(frozen=True)
class Tick:
    x: float
    version: str
    date: str  # "2025-04" or ""


@dataclass(frozen=True)
class Marker:
    x: float
    label: str


@dataclass(frozen=True)
class Row:
    y: float
    label: str
    title: str  # the full text, for a tooltip and screen readers
    severity: str
    start_x: float
    end_x: float  # where support ends; the plot's right edge when unknown
    open_end: bool  # no known end
    right_x: float


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    ticks: tuple[Tick, ...]
    rows: tuple[Row, ...]
    today: Marker | None
    target: Marker | None
    omitted: int


def _parse(day: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(day[:10])
    except ValueError:
        return None


class _Axis:
    def __init__(self, releases: Sequence[tuple[str, str]], left: float, right: float) -> None:
        self.index = {version: i for i, (version, _) in enumerate(releases)}
        self.count = len(releases)
        self.left, self.right = left, right
        self.dated = [(i, d) for i, (_, day) in enumerate(releases) if (d := _parse(day)) is not None]
        if len(self.dated) >= 2:
            (i0, d0), (i1, d1) = self.dated[0], self.dated[-1]
            self.days_per_release = max((d1 - d0).days / (i1 - i0), 1.0)
        else:
            self.days_per_release = DEFAULT_DAYS_PER_RELEASE

    def x(self, position: float) -> float:
        if self.count <= 1:
            return (self.left + self.right) / 2
        clamped = min(max(position, 0.0), self.count - 1.0)
        return self.left + (self.right - self.left) * clamped / (self.count - 1)

    def of_version(self, version: str | None) -> float | None:
        if version is None or version not in self.index:
            return None
        return float(self.index[version])

    def of_date(self, day: str | None) -> float | None:
        when = _parse(day) if day else None
        if when is None or not self.dated:
            return None
        first_i, first_d = self.dated[0]
        if when <= first_d:
            return first_i - (first_d - when).days / self.days_per_release
        for (i0, d0), (i1, d1) in itertools.pairwise(self.dated):
            if d0 <= when <= d1:
                span = max((d1 - d0).days, 1)
                return i0 + (i1 - i0) * (when - d0).days / span
        last_i, last_d = self.dated[-1]
        return last_i + (when - last_d).days / self.days_per_release


def _label(group: SubjectGroup) -> str:
    text = group.subject if len(group.subject) <= LABEL_CHARS else group.subject[: LABEL_CHARS - 1] + "…"
    uses = len(group.findings)
    return f"{text} ({uses})" if uses > 1 else text


def _title(group: SubjectGroup) -> str:
    parts = [group.subject, f"{group.status.value}, {group.severity.value}"]
    if group.deprecated_in:
        parts.append(f"deprecated in {group.deprecated_in}")
    if group.breaks_in or group.removed_in:
        parts.append(f"gone from {group.breaks_in or group.removed_in}")
    if group.sunset:
        parts.append(f"sunset {group.sunset}")
    return "; ".join(parts)


def on_timeline(group: SubjectGroup) -> bool:
    return bool(group.deprecated_in or group.breaks_in or group.removed_in or group.sunset)


def build(
    releases: Sequence[tuple[str, str]],
    groups: Sequence[SubjectGroup],
    target_version: str,
    as_of: str,
) -> Timeline | None:
    """The timeline, or None when there is no release calendar or nothing to place on it."""
    placed = [g for g in groups if on_timeline(g)]
    if not releases or not placed:
        return None
    left, right = float(LABEL_WIDTH + 16), float(WIDTH - RIGHT_PAD)
    axis = _Axis(releases, left, right)
    ticks = tuple(Tick(axis.x(i), version, day[:7]) for i, (version, day) in enumerate(releases))

    def end_of(group: SubjectGroup) -> float | None:
        end = axis.of_version(group.breaks_in) if group.breaks_in else None
        if end is None:
            end = axis.of_version(group.removed_in)
        return end if end is not None else axis.of_date(group.sunset)

    ordered = sorted(placed, key=lambda g: (end_of(g) is None, end_of(g) or 0.0, g.subject))
    rows = []
    for n, group in enumerate(ordered[:MAX_ROWS]):
        start = axis.of_version(group.deprecated_in)
        end = end_of(group)
        rows.append(
            Row(
                y=AXIS_HEIGHT + n * ROW_HEIGHT,
                label=_label(group),
                title=_title(group),
                severity=group.severity.value,
                start_x=axis.x(start) if start is not None else left,
                end_x=axis.x(end) if end is not None else right,
                open_end=end is None,
                right_x=right,
            )
        )
    today_at = axis.of_date(as_of)
    target_at = axis.of_version(target_version)
    return Timeline(
        width=WIDTH,
        height=int(AXIS_HEIGHT + len(rows) * ROW_HEIGHT + BOTTOM_PAD),
        plot_left=left,
        plot_right=right,
        plot_top=AXIS_HEIGHT - 6,
        plot_bottom=AXIS_HEIGHT + len(rows) * ROW_HEIGHT,
        ticks=ticks,
        rows=tuple(rows),
        today=Marker(axis.x(today_at), f"today {as_of}") if today_at is not None else None,
        target=Marker(axis.x(target_at), f"target {target_version}") if target_at is not None else None,
        omitted=max(len(ordered) - MAX_ROWS, 0),
    )
