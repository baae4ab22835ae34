"""Is this URL Run:ai's? One pure function, documented in the README.

A call counts as Run:ai's when
1. its host is literal and is `run.ai` or a subdomain of it, or a host the user named with
   `--host` (hosts that merely contain "run.ai", such as blockrun.ai, do not count), or the
   scanner vouched for it (`runai_hint`: traffic to a host seen serving Run:ai-only paths), or
   it looks self-hosted (a `runai` label as in runai.mycorp.com, an IP address, localhost)
   and the path starts with a prefix only Run:ai has;
2. its host is not literal (a variable base URL), or is a documentation placeholder
   (your-domain.com, placeholder.local, xxx.corp: nobody sends real traffic there) and
   - its path starts with a prefix only Run:ai has (`/v1/k8s/`, `/apis/run.ai/`,
     `/researcher/api/`), or
   - the expression that built it names Run:ai (RUNAI_URL, self.runai_base, ...), or
   - another call in the same file is Run:ai's by the rules above: then with lowered
     confidence (the file is a Run:ai client, and this call is built the same way), or
   - the file merely mentions Run:ai (a runai name, a comment): then with lowered confidence
     and never enough for an "unsupported" finding, unless the path sits under a resource
     name only Run:ai's reference uses (RUNAI_NAMED_RESOURCES: `/api/v1/org-unit/...`).
Kubernetes API paths (`/api/v1/namespaces/...`, `/apis/<group>/...` other than run.ai) and the
current per-cluster `/cluster-api/` are never judged Run:ai REST calls, nor is a URL whose base
is unknown and which keeps fewer than two literal path segments (`{**}/users` could be anyone's).

File signals and their weights, strongest first (a stronger one settles it):
- `/apis/run.ai/` in the path, a literal Run:ai host, or a runai-named expression in the call
  (`runai_hint`): Run:ai's, whatever else the file says.
- The file names another vendor whose API shares a "Run:ai-only" prefix (OTHER_VENDORS: Nutanix
  Karbon serves `/v1/k8s/clusters`) and never names Run:ai: no call on an unknown or
  placeholder host is Run:ai's, prefix or not. A file that names both keeps rule 2.
- The Run:ai-only prefix, then another Run:ai call in the file, then a mere mention (rule 2).
Keycloak token paths (`[/auth]/realms/<realm>/...`) are the identity provider's, shared by
everyone who runs Keycloak, so a mention of Run:ai is not enough for them:
- realm `runai` (the realm Run:ai's control plane creates): Run:ai's on any host (the host is
  wherever that Keycloak runs, often written as a stand-in such as dummy.com);
- realm `master` (Keycloak's own admin realm): never Run:ai's API, unless on a Run:ai host;
- any other realm: Run:ai's only with a runai-named expression, a Run:ai host, or another
  Run:ai call in the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from runai_audit.knowledge.paths import BASE_WILDCARD, WILDCARD, ParsedUrl, is_runai_host
from runai_audit.models import ApiCall, Confidence

RUNAI_ONLY_PREFIXES = ("/v1/k8s/", "/apis/run.ai/", "/researcher/api/")
KUBERNETES_PREFIXES = ("/api/v1/namespaces", "/api/v1/nodes/{*}/proxy", "/apis/", "/cluster-api/", "/healthz")
RUNAI_API_PREFIXES = ("/api/v1/", "/api/v2/", "/v1/k8s/", "/researcher/api/")
MIN_LITERAL_SEGMENTS = 2
# Resource names of the control-plane reference (specs 2.18-2.24) that no other well-known API
# uses. A path under one of them, with `/api/v1` written or hidden in an unknown base
# (`{base_url}/org-unit/projects`), names Run:ai as surely as a Run:ai-only prefix: it vouches
# for its file, and in a file that mentions Run:ai a path the reference lacks there
# (`/api/v1/org-unit/project`, singular) is an unsupported Run:ai call.
RUNAI_NAMED_RESOURCES = frozenset({
    "org-unit", "workload-templates", "workload-categories", "workload-priorities", "workload-types",
    "ai-applications", "user-applications", "cli-exposer", "storage-class-configuration",
    "network-topologies",
})
_API_VERSION_PREFIX = re.compile(r"^/api/v\d+(?=/)")

# Vendors whose own APIs use a path Run:ai alone uses otherwise, by how their files name them.
# Add a row when another one is found; each row is a reason a Run:ai-only prefix is not enough.
OTHER_VENDORS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("Nutanix Karbon (/karbon/v1/k8s/clusters)", re.compile(r"nutanix|karbon", re.IGNORECASE)),
)
RUNAI_REALM = "runai"
KEYCLOAK_ADMIN_REALM = "master"
_REALM = re.compile(r"(?:^|/)realms/([^/]+)")
# Hosts that documentation writes instead of a real one (RFC 2606 names and the usual words).
_PLACEHOLDER_HOST = re.compile(
    r"(?:^|[.-])(?:placeholder|changeme|your[a-z0-9-]*|x{3,})(?:[.-]|$)"
)


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


def names_other_vendor(text: str) -> bool:
    """The file names a vendor from OTHER_VENDORS (computed once per file, like the Run:ai
    mention)."""
    return any(pattern.search(text) for _, pattern in OTHER_VENDORS)


def placeholder_host(host: str) -> bool:
    """example.com, dummy.com, your-domain.com, xxx.corp, api.test: a stand-in for a host the
    reader fills in, which says nothing about whose API it is."""
    return bool(_PLACEHOLDER_HOST.search(host))


def keycloak_realm(path: str) -> str | None:
    """The realm of a Keycloak path (`/auth/realms/runai/protocol/...` -> "runai"); "{*}" when
    unresolved; None for any other path."""
    match = _REALM.search(tail(path))
    return match.group(1) if match else None


def names_runai_resource(path: str) -> bool:
    """`/api/v1/org-unit/...` or `{**}/org-unit/...`: a path under a resource only Run:ai has."""
    rest = _API_VERSION_PREFIX.sub("", tail(path))
    first = rest.lstrip("/").split("/", 1)[0]
    return first in RUNAI_NAMED_RESOURCES


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
    if call.runai_hint or keycloak_realm(url.path) == RUNAI_REALM:
        return True
    if url.host is not None and not placeholder_host(url.host):  # a literal host decides on its own
        return is_runai_host(url.host, extra_hosts)
    return _starts(tail(url.path), RUNAI_ONLY_PREFIXES) or names_runai_resource(url.path)


def judge_call(
    call: ApiCall,
    url: ParsedUrl,
    extra_hosts: Sequence[str],
    file_mentions_runai: bool,
    file_confirmed: bool = False,
    file_names_other_vendor: bool = False,
) -> Judgement | None:
    """How sure we are that `call` goes to Run:ai, or None when it does not. The file signals
    and their weights are in the module docstring."""
    if is_kubernetes_path(url.path) or too_vague(url):
        return None
    if tail(url.path).startswith("/apis/run.ai/"):
        # The Cluster API lives on each cluster's Kubernetes API server, whatever its host.
        return Judgement(call.confidence, strong=True)
    realm = keycloak_realm(url.path)
    host = url.host if url.host is not None and "{*}" not in url.host else None
    if realm == RUNAI_REALM:
        return Judgement(call.confidence, strong=True)  # Run:ai's own realm, wherever it is served
    if realm == KEYCLOAK_ADMIN_REALM and not is_runai_host(host, extra_hosts):
        return None  # Keycloak's own admin login, whoever's Keycloak it is
    if host is not None:
        if is_runai_host(host, extra_hosts) or call.runai_hint:
            return Judgement(call.confidence, strong=True)
        if self_hosted_looking(host) and _starts(tail(url.path), RUNAI_ONLY_PREFIXES):
            if file_names_other_vendor and not file_mentions_runai:
                return None
            # A self-hosted control plane behind its own name, an address or localhost.
            return Judgement(_lower(call.confidence), strong=True)
        if not placeholder_host(host):
            return None
    if call.runai_hint:
        return Judgement(call.confidence, strong=True)
    if file_names_other_vendor and not file_mentions_runai:
        return None  # the "Run:ai-only" prefix is that vendor's too
    if realm is not None:
        return _judge_keycloak(call, file_confirmed)
    if _starts(tail(url.path), RUNAI_ONLY_PREFIXES):
        return Judgement(call.confidence, strong=True)
    if file_confirmed or (file_mentions_runai and names_runai_resource(url.path)):
        return Judgement(_lower(call.confidence), strong=True)
    if file_mentions_runai:
        return Judgement(_lower(call.confidence), strong=False)
    return None


def _judge_keycloak(call: ApiCall, file_confirmed: bool) -> Judgement | None:
    """A Keycloak path on a realm other than runai/master and an unknown host: only the
    file's other Run:ai calls decide; a file that only mentions Run:ai may be configuring
    Keycloak itself."""
    return Judgement(_lower(call.confidence), strong=True) if file_confirmed else None


def looks_like_runai_api(path: str) -> bool:
    """A path shape Run:ai's control plane uses; the only kind RA100 may call unsupported."""
    return _starts(tail(path), RUNAI_API_PREFIXES)
