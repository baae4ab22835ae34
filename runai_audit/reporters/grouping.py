"""Findings grouped by what they use (the subject): the shape of a migration plan.

Shared by the Markdown and HTML reports so both order the work the same way: what is already
broken first, then by severity, then what breaks soonest.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from runai_audit.models import Finding, Severity, Status
from runai_audit.reporters.common import ordered

# Worst first, for ordering groups.
_STATUS_ORDER = {
    Status.REMOVED: 0,
    Status.UNSUPPORTED: 1,
    Status.DEPRECATED: 2,
    Status.SIGNAL: 3,
    Status.TOOL: 4,
}


@dataclass(frozen=True)
class SubjectGroup:
    subject: str
    findings: tuple[Finding, ...]  # in location order

    @property
    def counted(self) -> tuple[Finding, ...]:
        """The findings that count (unsuppressed); all of them when every one is suppressed."""
        active = tuple(f for f in self.findings if not f.suppressed)
        return active or self.findings

    @property
    def severity(self) -> Severity:
        return max((f.severity for f in self.counted), key=lambda s: s.rank)

    @property
    def status(self) -> Status:
        return min((f.status for f in self.counted), key=lambda s: _STATUS_ORDER[s])

    @property
    def all_suppressed(self) -> bool:
        return all(f.suppressed for f in self.findings)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(sorted({f.rule_id for f in self.findings}))

    def _first(self, attr: str) -> str | None:
        for f in self.findings:
            value = getattr(f, attr)
            if value:
                return str(value)
        return None

    @property
    def replacement(self) -> str:
        return self._first("replacement") or "none"

    @property
    def docs_url(self) -> str | None:
        return self._first("docs_url")

    @property
    def deprecated_in(self) -> str | None:
        return self._first("deprecated_in")

    @property
    def removed_in(self) -> str | None:
        return self._first("removed_in")

    @property
    def breaks_in(self) -> str | None:
        return self._first("breaks_in")

    @property
    def sunset(self) -> str | None:
        return self._first("sunset")

    @property
    def sources(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for f in self.findings:
            seen.update(dict.fromkeys(f.sources))
        return tuple(seen)

    @property
    def snippets(self) -> tuple[str, ...]:
        """Distinct migration snippets, in location order."""
        return tuple(dict.fromkeys(f.snippet for f in self.findings if f.snippet))

    @property
    def calls(self) -> int:
        """Recorded calls across the group's traffic findings (0 when none)."""
        return sum(f.usage.count for f in self.findings if f.usage is not None)

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(f.location.path for f in self.findings))


def _order(group: SubjectGroup) -> tuple[int, int, int, str, str]:
    return (
        1 if group.all_suppressed else 0,
        -group.severity.rank,
        _STATUS_ORDER[group.status],
        group.sunset or "9999",
        group.subject,
    )


def by_subject(findings: Iterable[Finding]) -> list[SubjectGroup]:
    buckets: dict[str, list[Finding]] = defaultdict(list)
    for f in ordered(findings):
        buckets[f.subject].append(f)
    groups = [SubjectGroup(subject, tuple(found)) for subject, found in buckets.items()]
    return sorted(groups, key=_order)
