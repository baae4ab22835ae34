"""The contract between catalog rows and the engine.

A matcher is a pure function for one match kind: given a validated rule and one observation, it
yields a Hit for every place the observation uses what the rule describes. It decides nothing
about severity or status; the engine stamps those from the lifecycle policy and the target.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from runai_audit.knowledge.catalog.model import Rule
from runai_audit.models import Confidence, Location, Observation, Usage


@dataclass(frozen=True)
class Hit:
    location: Location
    subject: str  # what was used, as the finding will name it
    evidence: str = ""
    confidence: Confidence = Confidence.HIGH
    snippet: str | None = None  # migration help attached to the finding
    usage: Usage | None = None
    detail: str | None = None  # an extra clause for the message ("field nodePool")


class Matcher(Protocol):
    def __call__(self, rule: Rule, obs: Observation) -> Iterator[Hit]: ...
