"""URL parsing, path templates and host checks, shared by catalog rows and OpenAPI specs.

Scanners rebuild URLs from code, so parts may be unknown: an unresolved segment is the
wildcard `{*}`, an unresolved base (host and any prefix) is a leading `{**}`. Everything here is
pure and cheap: the engine calls it once per observation and per candidate template.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

WILDCARD = "{*}"
BASE_WILDCARD = "{**}"

# Paths served by Run:ai and, in practice, by nothing else. Prefixes, matched case-sensitively.
# Traffic infers a Run:ai host from them; the engine counts calls to unknown hosts with them.
RUNAI_SERVED_PREFIXES: tuple[str, ...] = (
    "/v1/k8s/",  # legacy control-plane API
    "/apis/run.ai/",  # Cluster API CRDs through a Kubernetes API server
    "/api/v1/token",  # token endpoint (with /api/v2/token)
    "/api/v2/token",
    "/api/v1/org-unit/",
    "/api/v1/workloads",
    "/api/v1/asset/",
    "/api/v1/workload-templates",
    "/api/v1/authorization/access-rules",
    "/api/v1/cli-exposer/",
    "/api/v1/node-pools",
    "/researcher/api/",  # deprecated cluster-level Researcher REST API
)

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_PLACEHOLDER = re.compile(r"\{[^{}/]*\}")
_HOSTLIKE = re.compile(r"^(localhost|[^/\s]*\.[A-Za-z][^/\s]*|[^/\s]+:\d+)$")


@dataclass(frozen=True)
class ParsedUrl:
    host: str | None  # lower case, without port or credentials; None when absent or unresolved
    path: str  # normalised, "/" at least; may start with "{**}" when unknown_base
    query_names: tuple[str, ...] = ()  # names only, in first-seen order; values are never kept
    unknown_base: bool = False  # the base (host and prefix) was not resolved: path is a tail

    @property
    def segments(self) -> tuple[str, ...]:
        """Path segments after the unknown base, if any."""
        return split_path(self.path)[0]


def split_path(path: str) -> tuple[tuple[str, ...], bool]:
    """"/a/{*}/b" -> (("a", "{*}", "b"), False); "{**}/a" -> (("a",), True)."""
    unknown_base = path.startswith(BASE_WILDCARD)
    if unknown_base:
        path = path[len(BASE_WILDCARD) :]
    return tuple(s for s in path.split("/") if s), unknown_base


def _normal_segment(raw: str) -> str:
    segment = unquote(raw)
    # Anything only partly known ("proj-{*}") or a documentation placeholder ("{projectId}")
    # can only be matched as a wildcard.
    if "{" in segment and _PLACEHOLDER.search(segment):
        return WILDCARD
    return segment


def normalise_path(path: str) -> str:
    """Collapse slashes, drop the trailing one, percent-decode, turn placeholders into `{*}`.

    The query and fragment must already be removed. A leading `{**}` is kept.
    """
    unknown_base = path.startswith(BASE_WILDCARD)
    if unknown_base:
        path = path[len(BASE_WILDCARD) :]
    segments = [_normal_segment(s) for s in path.split("/") if s]
    joined = "/" + "/".join(segments)
    return BASE_WILDCARD + joined if unknown_base else joined


def _host_of(netloc: str) -> str | None:
    netloc = netloc.rsplit("@", 1)[-1]  # never keep credentials
    ipv6 = netloc.startswith("[")
    host = netloc[1:].split("]", 1)[0] if ipv6 else netloc.split(":", 1)[0]
    host = host.strip().rstrip(".").lower()
    if not host or "{" in host:
        return None
    return host


def _query_names(query: str) -> tuple[str, ...]:
    names: dict[str, None] = {}
    for pair in query.split("&"):
        name = unquote(pair.split("=", 1)[0].replace("+", " ")).strip()
        if name:
            names.setdefault(name, None)
    return tuple(names)


def parse_url(url: str) -> ParsedUrl:
    """Split a full URL, a bare path, "host/path" or a rebuilt URL with wildcards."""
    text = url.strip().split("#", 1)[0]
    text, _, query = text.partition("?")
    host: str | None = None
    unknown_base = False
    if text.startswith(BASE_WILDCARD):
        unknown_base = True
        rest = text[len(BASE_WILDCARD) :]
    elif _SCHEME.match(text) or text.startswith("//"):
        after = text.split("//", 1)[1]
        netloc, slash, rest = after.partition("/")
        rest = slash + rest
        host = _host_of(netloc)
        unknown_base = netloc.startswith(BASE_WILDCARD)
    elif not text.startswith("/") and _HOSTLIKE.match(text.split("/", 1)[0]):
        netloc, slash, rest = text.partition("/")
        rest = slash + rest
        host = _host_of(netloc)
    else:
        rest = text
    path = normalise_path(rest)
    if unknown_base:
        path = BASE_WILDCARD + path
    return ParsedUrl(host=host, path=path, query_names=_query_names(query), unknown_base=unknown_base)


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class MatchScore:
    """How well an observed path fits a template; compare with `rank`, higher is better."""

    concrete: int  # literal template segment == literal observed segment
    params: int  # template parameter matched a literal observed segment
    wildcards: int  # observed `{*}` segments
    wildcard_on_literal: int  # of those, against a literal template segment (a guess)
    skipped: int  # segments swallowed by an unknown base or a proxy prefix

    @property
    def rank(self) -> tuple[int, int, int, int]:
        return (self.concrete, -self.wildcards, -self.wildcard_on_literal, -self.skipped)

    @property
    def exact(self) -> bool:
        """Every observed segment was known and nothing was skipped."""
        return self.wildcards == 0 and self.skipped == 0


PARAM = None  # marker for a whole-segment "{name}" in a compiled template
# A parameter the spec types as a UUID or an integer takes any value but a plain lower-case
# word: `/api/v1/clusters/minimal` is not `/api/v1/clusters/{clusterUuid}` but a path the
# reference does not have. Placeholders written as words (`CLUSTER_ID`, `my-cluster`, `id`,
# `uuid`, `clustername`) still fit.
TYPED_PARAM = re.compile(r"(?![a-z]+\Z)[^/]+|[a-z]*(?:id|uuid|name|key)")


class PathTemplate:
    """An OpenAPI-style path template ("/api/v1/projects/{projectId}"), compiled once."""

    __slots__ = ("segments", "template")

    def __init__(self, template: str, typed: frozenset[str] = frozenset()) -> None:
        self.template = template
        compiled: list[str | re.Pattern[str] | None] = []
        for raw in (s for s in template.split("/") if s):
            if not _PLACEHOLDER.search(raw):
                compiled.append(raw)
            elif _PLACEHOLDER.fullmatch(raw):
                compiled.append(TYPED_PARAM if raw[1:-1] in typed else PARAM)
            else:  # "{id}.json", "{name}:suspend"
                parts = _PLACEHOLDER.split(raw)
                compiled.append(re.compile("[^/]+".join(re.escape(p) for p in parts)))
        # A literal, PARAM for "{name}", or a pattern for a mixed segment.
        self.segments: tuple[str | re.Pattern[str] | None, ...] = tuple(compiled)

    def __repr__(self) -> str:
        return f"PathTemplate({self.template!r})"

    def match(self, path: str, allow_prefix: bool = False) -> MatchScore | None:
        observed, unknown_base = split_path(normalise_path(path))
        return self.match_segments(observed, unknown_base, allow_prefix)

    def match_segments(
        self, observed: Sequence[str], unknown_base: bool, allow_prefix: bool = False
    ) -> MatchScore | None:
        """Align the template's end with the observed path's end, then compare segment by segment."""
        extra = len(self.segments) - len(observed)
        if extra > 0 and not unknown_base:
            return None  # template is longer: only an unknown base may hide its head
        if extra < 0 and not allow_prefix:
            return None  # observed is longer: only a proxy prefix may explain its head
        template = self.segments[extra:] if extra > 0 else self.segments
        tail = observed[-extra:] if extra < 0 else observed
        concrete = params = wildcards = wildcard_on_literal = 0
        for want, got in zip(template, tail, strict=True):
            if got == WILDCARD:
                wildcards += 1
                if isinstance(want, str):
                    wildcard_on_literal += 1
            elif want is PARAM:
                params += 1
            elif isinstance(want, str):
                if want != got:
                    return None
                concrete += 1
            elif want.fullmatch(got):
                params += 1
            else:
                return None
        return MatchScore(concrete, params, wildcards, wildcard_on_literal, abs(extra))


def best_match(
    templates: Iterable[PathTemplate | str], path: str, allow_prefix: bool = False
) -> PathTemplate | None:
    """The most specific template for `path`; the first one wins a tie."""
    observed, unknown_base = split_path(normalise_path(path))
    best: PathTemplate | None = None
    best_rank: tuple[int, int, int, int] | None = None
    for item in templates:
        template = item if isinstance(item, PathTemplate) else PathTemplate(item)
        score = template.match_segments(observed, unknown_base, allow_prefix)
        if score is not None and (best_rank is None or score.rank > best_rank):
            best, best_rank = template, score.rank
    return best


# --------------------------------------------------------------------------- hosts


def is_runai_host(host: str | None, extra_hosts: Sequence[str] = ()) -> bool:
    """run.ai and its subdomains, or a host the user named (exact or glob such as "*.corp.example")."""
    if not host:
        return False
    name = _host_of(host) or ""
    if name == "run.ai" or name.endswith(".run.ai"):
        return True
    for pattern in extra_hosts:
        wanted = pattern.strip().lower()
        if wanted and (name == wanted or fnmatch.fnmatchcase(name, wanted)):
            return True
    return False
