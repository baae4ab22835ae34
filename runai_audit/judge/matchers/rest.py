"""Matchers for REST catalog rows: endpoints, body fields, query parameters, enum values.

Each takes a validated rule and one ApiCall whose URL the engine has already judged to be
Run:ai's, and yields a Hit per use. Path templates are compiled once per rule and cached.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence

from runai_audit.judge.matchers.base import Hit
from runai_audit.knowledge.catalog.model import Rule
from runai_audit.knowledge.paths import ParsedUrl, PathTemplate, parse_url
from runai_audit.models import ApiCall, BodyField, Confidence, Observation


@functools.lru_cache(maxsize=4096)
def template(path: str) -> PathTemplate:
    return PathTemplate(path)


@functools.lru_cache(maxsize=65536)
def parsed(url: str) -> ParsedUrl:
    return parse_url(url)


def methods_match(wanted: Sequence[str], method: str) -> bool:
    return method == "*" or "*" in wanted or method in wanted


def lower_confidence(conf: Confidence) -> Confidence:
    return Confidence.MEDIUM if conf is Confidence.HIGH else Confidence.LOW


def endpoint_matches(endpoint: str, call: ApiCall) -> bool:
    """`endpoint` is "METHOD /path/template" or "*" (any operation)."""
    if endpoint.strip() == "*":
        return True
    method, _, path = endpoint.strip().partition(" ")
    if not methods_match([method.upper()], call.method):
        return False
    url = parsed(call.url)
    # A literal host may sit behind a reverse-proxy prefix (/runai); an unknown base is
    # handled by the template itself through the leading {**}.
    return template(path.strip()).match(url.path, allow_prefix=url.host is not None) is not None


def matching_endpoint(endpoints: Sequence[str], call: ApiCall) -> str | None:
    """The first endpoint pattern the call matches, as "METHOD /template" for subjects."""
    for endpoint in endpoints:
        if endpoint_matches(endpoint, call):
            if endpoint.strip() == "*":
                return _call_subject(call, parsed(call.url).path)
            return endpoint.strip()
    return None


def field_suffix_matches(field_path: str, suffix: str, case_insensitive: bool, anchored: bool = False) -> bool:
    """`spec.compute.migProfile` ends with `compute.migProfile` on a segment boundary.
    Anchored rows name the whole path from the body's root (their replacement often has the
    same last segment, e.g. placementStrategy -> schedulingConfiguration.placementStrategy)."""
    path, want = (field_path.lower(), suffix.lower()) if case_insensitive else (field_path, suffix)
    path = path.replace("[]", "")
    return path == want or (not anchored and path.endswith("." + want))


def _call_subject(call: ApiCall, rule_path: str) -> str:
    return f"{call.method if call.method != '*' else 'ANY'} {rule_path}"


def endpoint_hit(rule: Rule, call: ApiCall) -> Hit:
    """The Hit of an endpoint row the call is already known to match."""
    conf = call.confidence if call.method != "*" else lower_confidence(call.confidence)
    return Hit(
        location=call.location,
        subject=_call_subject(call, str(rule.match["path"])),
        evidence=call.evidence,
        confidence=conf,
        usage=call.usage,
    )


def _field_hits(
    rule: Rule, call: ApiCall, fields: Sequence[BodyField], what: str, endpoint: str
) -> Iterator[Hit]:
    suffix = str(rule.match["field"])
    ci = bool(rule.match.get("case_insensitive", False))
    anchored = bool(rule.match.get("anchored", False))
    wanted_value = rule.match.get("value")
    for field in fields:
        if not field_suffix_matches(field.path, suffix, ci, anchored):
            continue
        if wanted_value is not None:
            if field.value is None:
                continue
            have, want = (field.value, str(wanted_value))
            if (have.lower() != want.lower()) if ci else (have != want):
                continue
            detail = f"{what} {field.path}={want}"
        else:
            detail = f"{what} {field.path}"
        yield Hit(
            location=field.location or call.location,
            subject=f"{detail} in {endpoint}",
            evidence=call.evidence,
            confidence=call.confidence,
            usage=call.usage,
            detail=detail,
        )


def match_body_member(rule: Rule, obs: Observation) -> Iterator[Hit]:
    """Body fields and enum values alike: an enum row also names the `value`."""
    if isinstance(obs, ApiCall) and obs.body:
        endpoint = matching_endpoint(rule.match.get("endpoints", ["*"]), obs)
        if endpoint:
            what = "value" if "value" in rule.match else "field"
            yield from _field_hits(rule, obs, obs.body, what, endpoint)


def match_query_param(rule: Rule, obs: Observation) -> Iterator[Hit]:
    if not isinstance(obs, ApiCall) or not obs.query:
        return
    endpoint = matching_endpoint(rule.match.get("endpoints", ["*"]), obs)
    if endpoint is None:
        return
    want = str(rule.match["param"])
    for param in obs.query:
        if param.name == want:
            yield Hit(
                location=param.location or obs.location,
                subject=f"query parameter {want} in {endpoint}",
                evidence=obs.evidence,
                confidence=obs.confidence,
                usage=obs.usage,
                detail=f"query parameter {want}",
            )


MATCHERS = {
    "body_field": match_body_member,
    "enum_value": match_body_member,
    "query_param": match_query_param,
}
