"""What the HTML shows of the optional report sections: the upgrade plan (extras["upgrade"]),
the scan history with its trend (extras["history"]) and the estate's repositories
(extras["repositories"]). Geometry for the small SVG charts is computed here, so the
templates only lay it out; a missing section is None and the template skips it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from runai_audit.models import Report

__all__ = ["build"]

WIDTH = 960
SEVERITY_COLOURS = (("error", "#b42318"), ("warning", "#dc6803"), ("note", "#175cd3"))


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    count: int
    colour: str
    title: str


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    sublabel: str


@dataclass(frozen=True)
class UpgradeChart:
    height: int
    baseline: float
    ticks: tuple[Tick, ...]
    bars: tuple[Bar, ...]
    from_x: float
    to_x: float


@dataclass(frozen=True)
class Series:
    name: str
    colour: str
    points: str  # "x,y x,y ..." for a polyline
    dots: tuple[tuple[float, float, int, str], ...]  # x, y, count, tooltip


@dataclass(frozen=True)
class TrendChart:
    height: int
    top: float
    bottom: float
    ticks: tuple[Tick, ...]
    series: tuple[Series, ...]
    max_count: int


def _xs(count: int, left: float = 70.0, right: float = WIDTH - 40.0) -> list[float]:
    if count <= 1:
        return [(left + right) / 2] * count
    step = (right - left) / (count - 1)
    return [left + i * step for i in range(count)]


def upgrade_chart(plan: Mapping[str, Any], releases: Sequence[tuple[str, str]]) -> UpgradeChart:
    """One column per release from `from` to `to`: red bar for uses that break there, amber for
    uses that become deprecated there; marks at both ends."""
    steps = plan["releases"]
    dates = dict(releases)
    labels = [(plan["from"], dates.get(plan["from"], "")), *((s["version"], s["date"]) for s in steps)]
    xs = _xs(len(labels))
    height, baseline, tallest = 190, 140.0, 90.0
    peak = max([len(s["breaks"]) for s in steps] + [len(s["deprecated"]) for s in steps] + [1])
    bars: list[Bar] = []
    for x, step in zip(xs[1:], steps, strict=True):
        for offset, key, colour, words in ((-14.0, "breaks", "#b42318", "break"),
                                           (2.0, "deprecated", "#dc6803", "become deprecated")):
            count = len(step[key])
            h = tallest * count / peak
            bars.append(Bar(x + offset, baseline - h, h, count, colour, f"{count} uses {words} in {step['version']}"))
    ticks = tuple(Tick(x, v, d[:7] if d else "") for x, (v, d) in zip(xs, labels, strict=True))
    return UpgradeChart(height, baseline, ticks, tuple(bars), xs[0], xs[-1])


def trend_chart(runs: Sequence[Mapping[str, Any]]) -> TrendChart:
    """Counts per run by severity, oldest run on the left."""
    top, bottom, height = 20.0, 170.0, 230
    xs = _xs(len(runs))
    peak = max([int(r["counts"][s]) for r in runs for s, _ in SEVERITY_COLOURS] + [1])

    def y(count: int) -> float:
        return bottom - (bottom - top) * count / peak

    series = []
    for severity, colour in SEVERITY_COLOURS:
        dots = tuple(
            (x, y(r["counts"][severity]), r["counts"][severity],
             f"run {r['id']} ({r['time'][:10]}): {r['counts'][severity]} {severity}s")
            for x, r in zip(xs, runs, strict=True)
        )
        points = " ".join(f"{x:.1f},{yy:.1f}" for x, yy, _, _ in dots)
        series.append(Series(severity, colour, points, dots))
    ticks = tuple(Tick(x, f"#{r['id']}", str(r["time"])[:10]) for x, r in zip(xs, runs, strict=True))
    return TrendChart(height, top, bottom, ticks, tuple(series), peak)


def _grouped(items: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Plan items of one section by subject, each with its places."""
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for item in items:
        key = (item["subject"], item["replacement"])
        group = groups.setdefault(key, {"subject": key[0], "replacement": key[1], "rule_id": item["rule_id"],
                                        "places": []})
        loc = item["location"]
        where = f"{loc['path']}:{loc['line']}" if loc["line"] else (f"{loc['path']}#{loc['pointer']}" if loc["pointer"] else loc["path"])
        group["places"].append(where)
    return sorted(groups.values(), key=lambda g: g["subject"])


def _upgrade_sections(plan: Mapping[str, Any]) -> list[dict[str, Any]]:
    sections = []
    for step in plan["releases"]:
        when = f"{step['version']} ({step['date']})" if step["date"] else step["version"]
        if step["breaks"]:
            sections.append({"title": f"Breaks in {when}", "kind": "breaks", "groups": _grouped(step["breaks"])})
        if step["deprecated"]:
            sections.append({"title": f"Becomes deprecated in {when}", "kind": "deprecated",
                             "groups": _grouped(step["deprecated"])})
    saas = plan["deployment"] == "saas"
    extra = (
        ("already_broken", f"Already past its sunset as of {plan['as_of']}" if saas
         else f"Already broken at {plan['from']}", "breaks"),
        ("already_deprecated", f"Deprecated at {plan['from']} already, still supported at {plan['to']}", "deprecated"),
        ("unsupported", "Not in any published API spec", "deprecated"),
        ("unplaced", "No release known", "deprecated"),
    )
    for key, title, kind in extra:
        if plan[key]:
            sections.append({"title": title, "kind": kind, "groups": _grouped(plan[key])})
    return sections


def build(report: Report) -> dict[str, Any]:
    """Template context for the optional sections; each is None when the report lacks it."""
    extras = report.extras
    plan = extras.get("upgrade")
    history = extras.get("history")
    repositories = extras.get("repositories")
    upgrade_view = None
    if isinstance(plan, Mapping):
        upgrade_view = {"plan": plan, "chart": upgrade_chart(plan, report.releases),
                        "sections": _upgrade_sections(plan)}
    history_view = None
    if isinstance(history, Mapping) and history.get("runs"):
        history_view = {"history": history, "chart": trend_chart(history["runs"])}
    return {
        "upgrade": upgrade_view,
        "history": history_view,
        "repositories": repositories if isinstance(repositories, list) and repositories else None,
    }
