"""Is this URL Run:ai's? One pure function, documented in the README.

A call counts as Run:ai's when
1. its host is literal and is `run.ai` or a subdomain of it, or a host the user named with
   `--host` (hosts that merely contain "run.ai", such as blockrun.ai, do not count), or the
   scanner vouched for it (`runai_hint`: traffic to a host seen serving Run:ai-only paths), or
   it looks self-hosted (a `runai` label as in runai.mycorp.com, an IP address, localhost)
   and the path starts with a prefix only Run:ai has;
2. its host is not literal (a variable base URL) and
   - its path starts with a prefix only Run:ai has (`/v1/k8s/`, `/apis/run.ai/`,
     `/researcher/api/`), or
   - the expression that built it names Run:ai (RUNAI_URL, self.runai_base, ...), or
   - another call in the same file is Run:ai's by the rules above: then with lowered
     confidence (the file is a Run:ai client, and this call is built the same way), or
   - the file merely mentions Run:ai (a runai name, a comment): then with lowered confidence
     and never enough for an "unsupported" finding.
Kubernetes API paths (`/api/v1/namespaces/...`, `/apis/<group>/...` other than run.ai) and the
current per-cluster `/cluster-api/` are never judged Run:ai REST calls, nor is a URL whose base
is unknown and which keeps fewer than two literal path segments (`{**}/users` could be anyone's).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from runai_audit.knowledge.paths import BASE_WILDCARD, WILDCARD, ParsedUrl, is_runai_host
from runai_audit.models import ApiCall, Confidence

RUNAI_ONLY_PREFIXES = ("/v1/k8s/", "/apis/run.ai/", "/researcher/api/")
KUBERNETES_PREFIXES = ("/api/v1/namespaces", "/api/v1/nodes/{*}/proxy", "/apis/", "/cluster-api/", "/healthz")
RUNAI_API_PREFIXES = ("/api/v1/", "/api/v2/", "/v1/k8s/")
MIN_LITERAL_SEGMENTS = 2


@dataclass(frozen=True)
class Judgement:
    confidence: Confidence
    strong: bool  # enough evidence to call an unknown path "unsupported"


def _lower(conf: Confidence) -> Confidence:
    return Confidence.MEDIUM if conf is Confidence.HIGH else Confidence.LOW


def _starts(path: str, prefixes: Sequence[str]) -> bool:
    return any(path == p.rstrip("/") or path.startswith(p) for p in prefixes)


def tail(path: str) -> str:
    """The path without an unknown-base marker."""
    return path[len(BASE_WILDCARD):] if path.startswith(BASE_WILDCARD) else path


_RUNAI_LABEL = re.compile(r"(?:^|[.-])runai(?:$|[.-])")
_ADDRESS = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f:]+:[0-9a-f:]*)$")


def self_hosted_looking(host: str) -> bool:
    """`runai.mycorp.com`, `runai-cp.internal`, an IP address, localhost or a bare name: a
    host that may well be a self-hosted control plane. `api.blockrun.ai` is not."""
    return bool(_RUNAI_LABEL.search(host)) or bool(_ADDRESS.match(host)) or "." not in host


def is_kubernetes_path(path: str) -> bool:
    path = tail(path)
    if path.startswith("/apis/run.ai/"):
        return False
    return _starts(path, KUBERNETES_PREFIXES) or "/cluster-api/" in path


def too_vague(url: ParsedUrl) -> bool:
    """A URL whose base is unknown and that keeps fewer than two literal path segments
    (`{**}`, `{**}/users`) could be anything; matching it would only guess."""
    literal = [s for s in url.segments if s != WILDCARD]
    return url.unknown_base and len(literal) < MIN_LITERAL_SEGMENTS


def confirms_runai(call: ApiCall, url: ParsedUrl, extra_hosts: Sequence[str]) -> bool:
    """A call that on its own shows its file talks to Run:ai (so the file's other calls, built
    from the same client, deserve a strong judgement too)."""
    if call.runai_hint:
        return True
    if url.host is not None:  # a literal host decides on its own
        return is_runai_host(url.host, extra_hosts)
    return _starts(tail(url.path), RUNAI_ONLY_PREFIXES)


def judge_call(
    call: ApiCall,
    url: ParsedUrl,
    extra_hosts: Sequence[str],
    file_mentions_runai: bool,
    file_confirmed: bool = False,
) -> Judgement | None:
    """How sure we are that `call` goes to Run:ai, or None when it does not."""
    if is_kubernetes_path(url.path) or too_vague(url):
        return None
    if tail(url.path).startswith("/apis/run.ai/"):
        # The Cluster API lives on each cluster's Kubernetes API server, whatever its host.
        return Judgement(call.confidence, strong=True)
    host_known = url.host is not None and "{*}" not in url.host
    if host_known:
        assert url.host is not None
        if is_runai_host(url.host, extra_hosts) or call.runai_hint:
            return Judgement(call.confidence, strong=True)
        if self_hosted_looking(url.host) and _starts(tail(url.path), RUNAI_ONLY_PREFIXES):
            # A self-hosted control plane behind its own name, an address or localhost.
            return Judgement(_lower(call.confidence), strong=True)
        return None
    if _starts(tail(url.path), RUNAI_ONLY_PREFIXES) or call.runai_hint:
        return Judgement(call.confidence, strong=True)
    if file_confirmed:
        return Judgement(_lower(call.confidence), strong=True)
    if file_mentions_runai:
        return Judgement(_lower(call.confidence), strong=False)
    return None


def looks_like_runai_api(path: str) -> bool:
    """A path shape Run:ai's control plane uses; the only kind RA100 may call unsupported."""
    return _starts(tail(path), RUNAI_API_PREFIXES)
