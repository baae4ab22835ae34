"""Where a traffic scanner hands each recorded request: counted, judged by host, yielded or held.

Observations are built lazily (`build` is only called for requests that may be Run:ai's), so
third-party traffic past the judge's look-back costs no body parsing.
"""

from __future__ import annotations

from collections.abc import Callable

from runai_audit.models import InputProblem, Observation
from runai_audit.scanners.base import StreamStats
from runai_audit.scanners.traffic.hosts import HostJudge, Kind, Verdict

Build = Callable[[Verdict], tuple[Observation, ...]]
HELD = Verdict(Kind.INFERRED)  # what a held request becomes if its host is inferred later
HINTED = Verdict(Kind.HINTED)
MAX_HOSTS_NAMED = 10


class RequestSink:
    def __init__(self, path: str, stats: StreamStats, hosts: tuple[str, ...]) -> None:
        self.path = path
        self.stats = stats
        self.judge = HostJudge(hosts)
        self.big_bodies = 0
        self.max_body_kb = 0

    def offer(self, host: str, path: str, build: Build, hinted: bool = False) -> tuple[Observation, ...]:
        """Count one request; return the observations to yield now (possibly with earlier,
        held requests of a host just recognised). `hinted`: the request names Run:ai itself
        (a Postman {{runai_url}} base), whatever its host."""
        self.stats.entries += 1
        verdict = self.judge.judge(host, path)
        if verdict.runai:
            return verdict.released + build(verdict)
        if hinted:
            return build(HINTED)
        if self.judge.can_hold(host):
            self.judge.hold(host, build(HELD))
        else:
            self.judge.drop(host)
            self.stats.unmatched += 1
        return ()

    def finish(self) -> None:
        """Count what was never released as third-party, and report requests missed."""
        self.stats.unmatched += self.judge.still_held()
        lost = sorted(self.judge.lost.items(), key=lambda item: (-item[1], item[0]))
        if lost:
            total = sum(count for _, count in lost)
            named = ", ".join(f"{host or '(no host)'} ({count})" for host, count in lost[:MAX_HOSTS_NAMED])
            more = f" and {len(lost) - MAX_HOSTS_NAMED} more hosts" if len(lost) > MAX_HOSTS_NAMED else ""
            self.stats.problems.append(InputProblem(
                self.path,
                f"{total} earlier requests to hosts recognised as Run:ai only later in the file were "
                f"not audited: {named}{more}; name these hosts with --host to include them",
            ))
        if self.big_bodies:
            self.stats.problems.append(InputProblem(
                self.path,
                f"{self.big_bodies} request bodies larger than {self.max_body_kb} KB were not "
                "inspected for field names",
            ))
