"""What the engine and the spec checks share: the scan's EngineContext and make_finding.

EngineContext carries everything a judgement needs (rules, release calendar, target, specs) and
caches the engine's Plan; SpecLibrary is the target's spec plus every bundled one. Both the
engine and the spec checks build findings with make_finding, so it lives here, below both.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from runai_audit.judge import findings_text
from runai_audit.judge.lifecycle import ReleaseCalendar, Verdict
from runai_audit.judge.matchers.base import Hit, Matcher
from runai_audit.judge.matchers.rest import methods_match, template
from runai_audit.knowledge.catalog.model import Rule
from runai_audit.models import Finding, Target

if TYPE_CHECKING:
    from runai_audit.knowledge.specs import Operation, SpecIndex

ENDPOINT_CACHE_SIZE = 65536
MAX_SKIPPED_SEGMENTS = 2


def snake_case(name: str) -> str:
    """`getProjects` -> `get_projects`, as the SDK generator names methods."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


class SpecLibrary:
    """The target's spec plus lazy access to every bundled one, for "was it ever published?"."""

    def __init__(
        self,
        target: SpecIndex | None,
        bundled_versions: tuple[str, ...],
        load_bundled: Callable[[str], SpecIndex],
        compare: Callable[[str, str], int],
        release: str | None = None,
    ) -> None:
        self.target = target
        # The release the target's spec stands for: a user's spec says "latest" or "2.2" in
        # info.version, so the scan's target names it; a bundled spec names itself.
        self.release = release or (target.version if target is not None else None)
        self._versions = bundled_versions
        self._load = load_bundled
        self._compare = compare

    def _find(self, spec: SpecIndex, method: str, path: str) -> Operation | None:
        return spec.find(method, path, allow_prefix=False)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one library per scan; the cache dies with it
    def versions_with(self, method: str, path: str) -> tuple[str, ...]:
        return tuple(v for v in self._versions if self._find(self._load(v), method, path) is not None)

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - as above
    def first_flagged(self, method: str, path: str) -> str | None:
        for version in self._versions:
            op = self._find(self._load(version), method, path)
            if op is not None and op.deprecated:
                return version
        return None

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - as above
    def sdk_operation(self, method_name: str) -> Operation | None:
        """The operation an SDK method calls: its operationId verbatim, else the one operation
        whose camelCase id snake-cases to it. The target's spec first, then older ones."""
        specs = [self.target] if self.target is not None else []
        specs += [self._load(v) for v in reversed(self._versions)]
        for spec in specs:
            op = spec.by_operation_id(method_name)
            if op is not None:
                return op
        for spec in specs:
            candidates = [op for op in spec.operations if snake_case(op.operation_id or "") == method_name]
            if len(candidates) == 1:
                return candidates[0]
        return None

    def in_target(self, method: str, path: str) -> bool | None:
        """False only when the target's spec lacks an operation an earlier bundled spec
        published (it was dropped); None when no spec up to the target knew it."""
        if self.target is None:
            return None
        if self._find(self.target, method, path) is not None:
            return True
        release = self.release or ""
        dropped = bool(release) and any(self.earlier_than(v, release) for v in self.versions_with(method, path))
        return False if dropped else None

    def earlier_than(self, version: str, reference: str) -> bool:
        return self._compare(version, reference) < 0


@dataclass
class Plan:
    """Rules grouped by the matcher that handles them, built once per context (by the engine)."""

    pairs: list[tuple[Rule, Matcher]]
    endpoint_rules: list[Rule]
    response_rules: dict[str, list[Rule]] = field(default_factory=dict)  # field name -> rows
    # (method, path, proxy prefix allowed) -> the endpoint rows that win for it. Recorded
    # traffic repeats the same few thousand paths millions of times.
    endpoint_cache: dict[tuple[str, str, bool], tuple[list[Rule], bool]] = field(default_factory=dict)

    def winning_endpoint_rules(self, method: str, path: str, allow_prefix: bool) -> tuple[list[Rule], bool]:
        """The winning endpoint rows, and whether winning took a guess (an unresolved part of
        the path standing for a literal segment of the template)."""
        key = (method, path, allow_prefix)
        cached = self.endpoint_cache.get(key)
        if cached is None:
            if len(self.endpoint_cache) >= ENDPOINT_CACHE_SIZE:
                self.endpoint_cache.clear()
            cached = self.endpoint_cache[key] = _most_concrete(self.endpoint_rules, method, path, allow_prefix)
        return cached


def _most_concrete(
    rules: Sequence[Rule], method: str, path: str, allow_prefix: bool
) -> tuple[list[Rule], bool]:
    """Endpoint rows whose methods and template fit; when several do, the most concrete wins."""
    scored = []
    for rule in rules:
        if not methods_match([m.upper() for m in rule.match.get("methods", ["*"])], method):
            continue
        score = template(str(rule.match["path"])).match(path, allow_prefix=allow_prefix)
        # An unknown base or a proxy prefix may stand for a couple of segments (`/api/v1`,
        # `/v1/k8s`, `/grafana`), not for the part of a path that names the operation:
        # `{**}/api/v1/query` is any Prometheus, not the Grafana datasource proxy.
        if score is not None and score.skipped <= MAX_SKIPPED_SEGMENTS:
            scored.append((score.rank, score.wildcard_on_literal > 0, rule))
    if not scored:
        return [], False
    best = max(rank for rank, _, _ in scored)
    winners = [(guessed, rule) for rank, guessed, rule in scored if rank == best]
    return [rule for _, rule in winners], any(guessed for guessed, _ in winners)


@dataclass(frozen=True)
class EngineContext:
    rules: tuple[Rule, ...]
    releases: ReleaseCalendar
    target: Target
    specs: SpecLibrary
    hosts: tuple[str, ...] = ()
    sunset_within: int | None = None
    _by_id: dict[str, Rule] = field(default_factory=dict, compare=False, repr=False)
    _plan: list[Plan] = field(default_factory=list, compare=False, repr=False)

    def rule(self, rule_id: str) -> Rule:
        if not self._by_id:
            self._by_id.update({r.id: r for r in self.rules})
        return self._by_id[rule_id]

    @property
    def as_of(self) -> dt.date:
        return dt.date.fromisoformat(self.target.as_of)


def make_finding(rule: Rule, hit: Hit, verdict: Verdict, ctx: EngineContext) -> Finding:
    return Finding(
        rule_id=rule.id,
        severity=verdict.severity,
        status=verdict.status,
        message=findings_text.message(rule, hit, verdict, ctx.target),
        subject=hit.subject,
        replacement=rule.replacement,
        location=hit.location,
        evidence=hit.evidence,
        deprecated_in=rule.deprecated_in,
        removed_in=rule.removed_in,
        sunset=verdict.sunset.isoformat() if verdict.sunset else None,
        sources=rule.sources,
        docs_url=rule.docs_url,
        confidence=hit.confidence,
        usage=hit.usage,
        snippet=hit.snippet,
        breaks_in=verdict.breaks_in,
    )
