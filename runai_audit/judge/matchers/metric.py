"""Matcher for Metrics API rows: a deprecated, renamed or removed `runai_*` metric name.

The scanner reports every metric name it sees at its exact position; a `metric` row lists the
names it is about. Names are compared exactly (PromQL names are case-sensitive).
"""

from __future__ import annotations

from collections.abc import Iterator

from runai_audit.judge.matchers.base import Hit
from runai_audit.knowledge.catalog.model import Rule
from runai_audit.models import MetricUse, Observation


def match_metric(rule: Rule, obs: Observation) -> Iterator[Hit]:
    if not isinstance(obs, MetricUse) or obs.name not in rule.match["names"]:
        return
    via = " through the Grafana datasource proxy" if obs.via_grafana_proxy else ""
    yield Hit(
        location=obs.location,
        subject=f"metric {obs.name}",
        evidence=obs.evidence,
        detail=f"metric {obs.name}{via}",
    )


MATCHERS = {"metric": match_metric}
