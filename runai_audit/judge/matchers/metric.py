"""Matcher for Metrics API rows: a deprecated, renamed or removed `runai_*` metric name.

The scanner reports every metric name it sees at its exact position; a `metric` row lists the
names it is about. Names are compared exactly (PromQL names are case-sensitive). A name ending
in `*` is a pattern (`runai_*`): it matches only names the scanner saw written as PromQL, at low
confidence, and only when no row naming the metric exactly matched the same use (the engine
asks `is_pattern_row` and lets the exact rows win).
"""

from __future__ import annotations

from collections.abc import Iterator

from runai_audit.judge.matchers.base import Hit
from runai_audit.knowledge.catalog.model import Rule
from runai_audit.models import Confidence, MetricUse, Observation

PATTERN_END = "*"


def is_pattern_row(rule: Rule) -> bool:
    """A metric row that names a family of metrics rather than each one."""
    return rule.match_kind == "metric" and any(str(n).endswith(PATTERN_END) for n in rule.match["names"])


def _pattern_matches(names: object, name: str) -> bool:
    return any(
        isinstance(n, str) and n.endswith(PATTERN_END) and name.startswith(n[: -len(PATTERN_END)])
        for n in names  # type: ignore[attr-defined]
    )


def match_metric(rule: Rule, obs: Observation) -> Iterator[Hit]:
    if not isinstance(obs, MetricUse):
        return
    names = rule.match["names"]
    via = " through the Grafana datasource proxy" if obs.via_grafana_proxy else ""
    if obs.name in names:
        yield Hit(location=obs.location, subject=f"metric {obs.name}", evidence=obs.evidence,
                  detail=f"metric {obs.name}{via}")
    elif obs.in_promql and _pattern_matches(names, obs.name):
        # The name alone does not show which Prometheus is asked: a guess worth a note.
        yield Hit(location=obs.location, subject=f"metric {obs.name}", evidence=obs.evidence,
                  confidence=Confidence.LOW, detail=f"metric {obs.name} in PromQL{via}")


MATCHERS = {"metric": match_metric}
