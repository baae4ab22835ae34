"""Matchers for Cluster API rows: Kubernetes objects, their fields, and Kubernetes API paths.

- `crd`: a ManifestObject whose apiVersion and kind the row names. Rows about kinds other
  tools also use (kubeflow MPIJob) list `markers`, fields of which at least one must be present
  (with a given value, if said) before the object counts as Run:ai's.
- `crd_field`: a key `spec.<field>` inside such an object, reported at the key.
- `k8s_api`: an ApiCall to `/apis/<group>/<version>/[namespaces/<ns>/]<plural>...` (kubectl
  raw calls, curl to the API server, client libraries, audit logs).

A `crd` hit on a Cluster API workload carries the REST request that replaces it (method, path
and body, with manifest values that could be secrets masked).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from runai_audit.judge.matchers.base import Hit
from runai_audit.knowledge.catalog.model import Rule
from runai_audit.knowledge.paths import BASE_WILDCARD, WILDCARD, parse_url
from runai_audit.migrate.convert import MIGRATABLE_API_VERSIONS, MigrationError, migrate_manifest
from runai_audit.migrate.fields import ENDPOINTS
from runai_audit.models import ApiCall, Confidence, FieldRef, ManifestObject, Observation


def _strings(match: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = match.get(key) or ()
    return tuple(str(v) for v in value)


def _marker_present(marker: Mapping[str, Any], fields: Sequence[FieldRef]) -> bool:
    """A marker names a dotted path suffix (`schedulerName`, `metadata.annotations.x`)."""
    suffix = str(marker["field"])
    wanted = marker.get("equals")
    for field in fields:
        path = field.path.replace("[]", "")
        named = path == suffix or path.endswith("." + suffix)
        if named and (wanted is None or field.value == str(wanted)):
            return True
    return False


def object_matches(match: Mapping[str, Any], obj: ManifestObject) -> bool:
    if obj.api_version != match["api_version"] or obj.kind not in _strings(match, "kinds"):
        return False
    markers = match.get("markers")
    return not markers or any(_marker_present(m, obj.fields) for m in markers)


def migration_snippet(obj: ManifestObject) -> str | None:
    """The REST request replacing a Cluster API workload, secrets masked; None if not possible."""
    if obj.raw is None or obj.api_version not in MIGRATABLE_API_VERSIONS or obj.kind not in ENDPOINTS:
        return None
    try:
        return migrate_manifest(obj.raw).render(redact=True)
    except MigrationError:
        return None


def match_crd(rule: Rule, obs: Observation) -> Iterator[Hit]:
    if not isinstance(obs, ManifestObject) or not object_matches(rule.match, obs):
        return
    yield Hit(
        location=obs.location,
        subject=f"{obs.api_version} {obs.kind}",
        evidence=obs.evidence,
        confidence=obs.confidence,
        snippet=migration_snippet(obs),
        usage=obs.usage,
    )


def match_crd_field(rule: Rule, obs: Observation) -> Iterator[Hit]:
    if not isinstance(obs, ManifestObject) or not object_matches(rule.match, obs):
        return
    wanted = "spec." + str(rule.match["field"])
    for field in obs.fields:
        if field.path == wanted:
            yield Hit(
                location=field.location,
                subject=f"{obs.api_version} {obs.kind} field {wanted}",
                evidence=obs.evidence,
                confidence=obs.confidence,
                usage=obs.usage,
                detail=f"field {wanted}",
            )


def k8s_resource(url: str) -> tuple[str, str, str, bool] | None:
    """(group, version, plural, namespaced) of a Kubernetes API group path, or None.

    `/apis/run.ai/v2alpha1/namespaces/runai-a/trainingworkloads/x` ->
    ("run.ai", "v2alpha1", "trainingworkloads", True). Unresolved parts stay `{*}`.
    """
    segments = [s for s in parse_url(url).path.removeprefix(BASE_WILDCARD).split("/") if s]
    try:
        start = segments.index("apis")
    except ValueError:
        return None
    rest = segments[start + 1 :]
    if len(rest) < 3:
        return None
    group, version, tail = rest[0], rest[1], rest[2:]
    namespaced = tail[0] == "namespaces" and len(tail) >= 3
    plural = tail[2] if namespaced else tail[0]
    return group, version, plural, namespaced


def match_k8s_api(rule: Rule, obs: Observation) -> Iterator[Hit]:
    if not isinstance(obs, ApiCall):
        return
    found = k8s_resource(obs.url)
    if found is None:
        return
    group, version, plural, namespaced = found
    if group != rule.match["group"]:
        return
    versions, plurals = _strings(rule.match, "versions"), _strings(rule.match, "plurals")
    guessed = False
    if version not in versions:
        if version != WILDCARD:
            return
        guessed = True
    if plurals and plural not in plurals:
        if plural != WILDCARD:
            return
        guessed = True
    confidence = obs.confidence
    if guessed or obs.method == "*":
        confidence = Confidence.MEDIUM if confidence is Confidence.HIGH else Confidence.LOW
    where = "namespaces/{namespace}/" if namespaced else ""
    method = obs.method if obs.method != "*" else "ANY"
    yield Hit(
        location=obs.location,
        subject=f"{method} /apis/{group}/{version}/{where}{plural}",
        evidence=obs.evidence,
        confidence=confidence,
        usage=obs.usage,
    )


MATCHERS = {
    "crd": match_crd,
    "crd_field": match_crd_field,
    "k8s_api": match_k8s_api,
}
