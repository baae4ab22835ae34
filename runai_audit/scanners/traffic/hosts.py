"""Which recorded requests went to Run:ai, decided in one streaming pass with bounded memory.

A request counts when its host is Run:ai's SaaS domain (`run.ai` and its subdomains), a host the
user named (exact or glob), a host whose name says Run:ai (`runai.acme.com`), or a host that has
been *inferred*: it received at least one request on a path only Run:ai serves (`/v1/k8s/`,
`/apis/run.ai/`, ...). A self-hosted control plane usually has a corporate name, so inference is
what finds it without configuration.

Inference sees a host's requests in file order, and a host's first requests may come before its
first Run:ai-shaped path. Rather than read the file twice, the judge holds back the already-built
observations of up to MAX_PENDING_PER_HOST requests for each of up to MAX_PENDING_HOSTS unknown
hosts; when a host is inferred they are released, and at the end whatever is still held is
third-party traffic. Memory is therefore bounded by hosts x requests held, whatever the file
size. Requests beyond that look-back are counted, and if their host is inferred later the
scanner reports how many were not audited (the fix is to name the host with --host).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from runai_audit.knowledge.paths import RUNAI_SERVED_PREFIXES, is_runai_host
from runai_audit.models import Confidence, Observation

# Paths served by Run:ai and, in practice, by nothing else (shared with the engine's
# unknown-host count, so both agree on what "Run:ai-shaped" means).
RUNAI_PATH_PREFIXES: tuple[str, ...] = RUNAI_SERVED_PREFIXES

MAX_PENDING_HOSTS = 128
MAX_PENDING_PER_HOST = 64
MAX_TRACKED_HOSTS = 4096

_NAMED_RUNAI = re.compile(r"(^|[.-])run-?ai([.-]|$)")


def is_runai_path(path: str) -> bool:
    return path.startswith(RUNAI_PATH_PREFIXES)


def host_names_runai(host: str) -> bool:
    """A host whose name carries Run:ai as a label part: runai.acme.com, acme-runai.internal."""
    return bool(_NAMED_RUNAI.search(_bare_host(host)))


def _bare_host(host: str) -> str:
    name = host.lower().strip()
    if name.startswith("["):  # IPv6 literal
        return name.partition("]")[0] + "]"
    return name.partition(":")[0].rstrip(".")


class Kind(Enum):
    NAMED = "named"  # run.ai domain or a host the user gave: high confidence
    HINTED = "hinted"  # the host's name says Run:ai: medium confidence, runai_hint
    INFERRED = "inferred"  # recognised from the paths it serves: medium confidence, runai_hint
    UNKNOWN = "unknown"  # not (yet) known to be Run:ai


@dataclass(frozen=True)
class Verdict:
    kind: Kind
    released: tuple[Observation, ...] = ()  # held observations of a host just inferred

    @property
    def runai(self) -> bool:
        return self.kind is not Kind.UNKNOWN

    @property
    def confidence(self) -> Confidence:
        return Confidence.HIGH if self.kind is Kind.NAMED else Confidence.MEDIUM

    @property
    def hint(self) -> bool:
        """The scanner vouches for the host (the engine otherwise trusts only run.ai and --host)."""
        return self.kind is not Kind.NAMED


@dataclass
class HostJudge:
    """Judges hosts as requests stream past; see the module docstring for the bound."""

    patterns: tuple[str, ...] = ()
    _known: dict[str, Kind] = field(default_factory=dict)
    _pending: dict[str, list[tuple[Observation, ...]]] = field(default_factory=dict)
    _overflow: dict[str, int] = field(default_factory=dict)
    lost: dict[str, int] = field(default_factory=dict)  # host -> requests not audited

    def classify(self, host: str) -> Kind:
        """What the host's name alone says (cached per host)."""
        kind = self._known.get(host)
        if kind is None:
            if is_runai_host(host, self.patterns):
                kind = Kind.NAMED
            elif host_names_runai(host):
                kind = Kind.HINTED
            else:
                kind = Kind.UNKNOWN
            if len(self._known) < MAX_TRACKED_HOSTS or kind is not Kind.UNKNOWN:
                self._known[host] = kind
        return kind

    def judge(self, host: str, path: str) -> Verdict:
        """Call once per request, before building its observations when the kind is known."""
        kind = self.classify(host)
        if kind is not Kind.UNKNOWN:
            return Verdict(kind)
        if not is_runai_path(path):
            return Verdict(Kind.UNKNOWN)
        self._known[host] = Kind.INFERRED
        held = self._pending.pop(host, [])
        missed = self._overflow.pop(host, 0)
        if missed:
            self.lost[host] = missed
        return Verdict(Kind.INFERRED, tuple(obs for request in held for obs in request))

    def can_hold(self, host: str) -> bool:
        """Would `hold` keep a request for this host? Lets callers skip building observations
        (body parsing and all) for third-party traffic past the look-back."""
        held = self._pending.get(host)
        if held is None:
            return len(self._pending) < MAX_PENDING_HOSTS
        return len(held) < MAX_PENDING_PER_HOST

    def hold(self, host: str, observations: tuple[Observation, ...]) -> bool:
        """Keep an unknown host's request in case the host is inferred later; False when the
        look-back is full and the request is dropped (the caller counts it unmatched)."""
        held = self._pending.get(host)
        if held is None:
            if len(self._pending) >= MAX_PENDING_HOSTS:
                self.drop(host)
                return False
            held = self._pending[host] = []
        if len(held) >= MAX_PENDING_PER_HOST:
            self.drop(host)
            return False
        held.append(observations)
        return True

    def drop(self, host: str) -> None:
        """Count a request of an unknown host that was not held."""
        if host in self._overflow or len(self._overflow) < MAX_TRACKED_HOSTS:
            self._overflow[host] = self._overflow.get(host, 0) + 1

    def still_held(self) -> int:
        """Requests never released: third-party traffic, counted unmatched at the end."""
        return sum(len(held) for held in self._pending.values())
