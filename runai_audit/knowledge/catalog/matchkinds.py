"""The registry of catalog match kinds: which keys a row's `match:` may hold, and how to word it.

A match kind is data about a row's shape, not the matching itself (that lives in
runai_audit.judge.matchers, keyed by the same names). To add a kind, add an entry to MATCH_KINDS
below: its required and optional keys, each with a check that returns a problem or None, and a
one-line describer for the generated rule reference. Nothing registers itself on import.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from runai_audit.knowledge.catalog.source import type_name

HTTP_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")

# A check looks at one value and returns what is wrong with it, or None.
Check = Callable[[Any], "str | None"]

_FIELD = re.compile(r"^[A-Za-z_$][\w$-]*(\[\])?(\.[A-Za-z_$][\w$-]*(\[\])?)*$")
_PARAM_NAME = re.compile(r"^[^\s=&?#]+$")


# --------------------------------------------------------------------------- value checks


def non_empty_string(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return f"must be a non-empty string, not {type_name(value)}"
    return None


def boolean(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"must be true or false, not {type_name(value)}"


def path_template(value: Any) -> str | None:
    """An OpenAPI-style path: "/api/v1/projects/{projectId}"."""
    if not isinstance(value, str) or not value:
        return f"must be a path string, not {type_name(value)}"
    if not value.startswith("/"):
        return f"{value!r} must start with '/'"
    if any(c.isspace() for c in value) or "?" in value or "#" in value:
        return f"{value!r} must be a bare path (no spaces, query or fragment)"
    if value.count("{") != value.count("}") or re.search(r"\{[^}]*[{/][^}]*\}|\{\}", value):
        return f"{value!r} has an unbalanced or empty {{parameter}}"
    return None


def _method_problem(method: object) -> str | None:
    if method == "*" or method in HTTP_METHODS:
        return None
    return f"{method!r} is not an HTTP method (use {', '.join(HTTP_METHODS)} or *)"


def http_methods(value: Any) -> str | None:
    """A non-empty list of upper-case methods, or ["*"] for any."""
    if not isinstance(value, list) or not value:
        return f"must be a non-empty list of HTTP methods, not {type_name(value)}"
    for method in value:
        if (problem := _method_problem(method)) is not None:
            return problem
    if "*" in value and len(value) > 1:
        return "'*' already means every method; list it alone"
    if len(set(value)) != len(value):
        return "lists a method twice"
    return None


def _endpoint_problem(endpoint: object) -> str | None:
    if endpoint == "*":
        return None
    if not isinstance(endpoint, str) or " " not in endpoint.strip():
        return f"{endpoint!r} must read \"METHOD /path\" or be \"*\""
    method, _, path = endpoint.strip().partition(" ")
    return _method_problem(method) or path_template(path.strip())


def endpoint_list(value: Any) -> str | None:
    """Operations a field or parameter belongs to: ["POST /api/v1/token"] or ["*"] for any."""
    if not isinstance(value, list) or not value:
        return f"must be a non-empty list of \"METHOD /path\" strings, not {type_name(value)}"
    for endpoint in value:
        if (problem := _endpoint_problem(endpoint)) is not None:
            return problem
    if len(set(value)) != len(value):
        return "lists an endpoint twice"
    return None


def dotted_field(value: Any) -> str | None:
    """A body field path or its dotted suffix: "appID", "compute.migProfile", "items[].name"."""
    if not isinstance(value, str) or not _FIELD.match(value):
        shown = repr(value) if isinstance(value, str) else type_name(value)
        return f"{shown} must be a dotted field path such as compute.migProfile"
    return None


def query_name(value: Any) -> str | None:
    if not isinstance(value, str) or not _PARAM_NAME.match(value):
        shown = repr(value) if isinstance(value, str) else type_name(value)
        return f"{shown} must be a query parameter name"
    return None


def scalar_text(value: Any) -> str | None:
    """Enum values are compared as text, so they must be written as strings."""
    if not isinstance(value, str) or not value:
        return f"must be a non-empty string (quote numbers and booleans), not {type_name(value)}"
    return None


def string_list(value: Any) -> str | None:
    """A non-empty list of distinct non-empty strings: kinds, versions, metric names."""
    if not isinstance(value, list) or not value:
        return f"must be a non-empty list of strings, not {type_name(value)}"
    if not all(isinstance(v, str) and v.strip() for v in value):
        return "every entry must be a non-empty string"
    return "lists an entry twice" if len(set(value)) != len(value) else None


def word_list(value: Any) -> str | None:
    """CLI words or flags: a list (possibly empty) of strings without spaces."""
    if not isinstance(value, list):
        return f"must be a list of words, not {type_name(value)}"
    if not all(isinstance(v, str) and v and not any(c.isspace() for c in v) for v in value):
        return "every entry must be one word without spaces"
    return None


def field_markers(value: Any) -> str | None:
    """Fields that make a shared kind Run:ai's: [{field: schedulerName, equals: runai-scheduler}]."""
    if not isinstance(value, list) or not value:
        return f"must be a non-empty list of {{field, equals}} mappings, not {type_name(value)}"
    for marker in value:
        if not isinstance(marker, dict) or set(marker) - {"field", "equals"} or "field" not in marker:
            return "every marker must be a mapping with field and optionally equals"
        problem = dotted_field(marker["field"])
        if problem is None and "equals" in marker:
            problem = scalar_text(marker["equals"])
        if problem is not None:
            return problem
    return None


def cli_binary(value: Any) -> str | None:
    return None if value in ("runai", "runai-adm") else f"{value!r} must be runai or runai-adm"


def cli_rewrite(value: Any) -> str | None:
    """How the line reads in CLI v2: {to: [training, submit], drop_flags: [--interactive], binary: runai}."""
    if not isinstance(value, dict) or "to" not in value or set(value) - {"to", "drop_flags", "binary"}:
        return "must be a mapping with to and optionally drop_flags, binary"
    problem = word_list(value["to"]) or word_list(value.get("drop_flags", []))
    return problem or (cli_binary(value["binary"]) if "binary" in value else None)


# --------------------------------------------------------------------------- describers


def _code(text: object) -> str:
    return f"`{text}`"


LISTED_INLINE = 3  # longer endpoint lists are summarised; the rule reference lists them below


def _where(match: Mapping[str, Any]) -> str:
    endpoints = list(match.get("endpoints", ["*"]))
    if endpoints == ["*"]:
        return "any Run:ai operation"
    if len(endpoints) > LISTED_INLINE:
        return f"{len(endpoints)} operations"
    return ", ".join(_code(e) for e in endpoints)


def _casing(match: Mapping[str, Any]) -> str:
    return " (any letter case)" if match.get("case_insensitive") else ""


def describe_endpoint(match: Mapping[str, Any]) -> str:
    methods = list(match.get("methods", ["*"]))
    verb = "any method" if methods == ["*"] else ", ".join(methods)
    return f"{verb} {_code(match.get('path'))}"


def describe_body_field(match: Mapping[str, Any]) -> str:
    anchored = " at the top of the body" if match.get("anchored") else ""
    return f"request-body field {_code(match.get('field'))}{anchored}{_casing(match)} in {_where(match)}"


def describe_response_field(match: Mapping[str, Any]) -> str:
    return f"response field {_code(match.get('field'))} read from {_where(match)}"


def describe_query_param(match: Mapping[str, Any]) -> str:
    return f"query parameter {_code(match.get('param'))} in {_where(match)}"


def describe_enum_value(match: Mapping[str, Any]) -> str:
    pair = f"{match.get('field')}: {match.get('value')}"
    return f"request-body value {_code(pair)}{_casing(match)} in {_where(match)}"


def _names(values: Any) -> str:
    return ", ".join(_code(v) for v in values or ())


def describe_crd(match: Mapping[str, Any]) -> str:
    markers = match.get("markers")
    extra = f" carrying {_names(m.get('field') for m in markers)}" if markers else ""
    return f"Kubernetes object {_code(match.get('api_version'))} of kind {_names(match.get('kinds'))}{extra}"


def describe_crd_field(match: Mapping[str, Any]) -> str:
    field = f"spec.{match.get('field')}"
    return f"field {_code(field)} of {_code(match.get('api_version'))} {_names(match.get('kinds'))}"


def describe_k8s_api(match: Mapping[str, Any]) -> str:
    plurals = f" resources {_names(match.get('plurals'))}" if match.get("plurals") else " resources"
    return f"Kubernetes API calls to group {_code(match.get('group'))} {_names(match.get('versions'))}{plurals}"


def describe_metric(match: Mapping[str, Any]) -> str:
    return f"metric name {_names(match.get('names'))} in PromQL, dashboards or rule files"


def describe_cli(match: Mapping[str, Any]) -> str:
    words = " ".join([str(match.get("binary")), *(str(w) for w in match.get("command") or ())])
    extra = "".join(
        f" {label} {_names(match.get(key))}"
        for key, label in (("requires_flags", "with"), ("exclude_flags", "without"), ("except_next", "not followed by"))
        if match.get(key)
    )
    return f"command line {_code(words)}{extra}"


def describe_generic(match: Mapping[str, Any]) -> str:
    return "computed by the engine from specs, headers or the run itself"


def describe_unknown(match: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}: {_code(value)}" for key, value in match.items())


# --------------------------------------------------------------------------- the registry


@dataclass(frozen=True)
class MatchKind:
    summary: str  # one line for the rule reference
    required: Mapping[str, Check] = field(default_factory=dict)
    optional: Mapping[str, Check] = field(default_factory=dict)
    describe: Callable[[Mapping[str, Any]], str] = describe_unknown


MATCH_KINDS: dict[str, MatchKind] = {
    "endpoint": MatchKind(
        summary="an HTTP operation: method(s) and path template",
        required={"methods": http_methods, "path": path_template},
        optional={"distinctive": boolean},  # a path shape only Run:ai serves (/v1/k8s/...)
        describe=describe_endpoint,
    ),
    "body_field": MatchKind(
        summary="a JSON request-body field, by dotted path suffix",
        required={"endpoints": endpoint_list, "field": dotted_field},
        # anchored: the field is the whole path from the body's root, not a suffix of it
        optional={"case_insensitive": boolean, "anchored": boolean},
        describe=describe_body_field,
    ),
    "response_field": MatchKind(
        summary="a field read from a JSON response, in a file that calls the operation",
        required={"endpoints": endpoint_list, "field": dotted_field},
        describe=describe_response_field,
    ),
    "query_param": MatchKind(
        summary="a query parameter, by name",
        required={"endpoints": endpoint_list, "param": query_name},
        describe=describe_query_param,
    ),
    "enum_value": MatchKind(
        summary="a value of a request-body field",
        required={"endpoints": endpoint_list, "field": dotted_field, "value": scalar_text},
        optional={"case_insensitive": boolean},
        describe=describe_enum_value,
    ),
    "crd": MatchKind(
        summary="a Kubernetes object (manifest, template, code) by apiVersion and kind",
        required={"api_version": non_empty_string, "kinds": string_list},
        optional={"markers": field_markers},  # for kinds other tools share: only with one of these fields
        describe=describe_crd,
    ),
    "crd_field": MatchKind(
        summary="a field under spec of a Kubernetes object, by its dotted path below spec",
        required={"api_version": non_empty_string, "kinds": string_list, "field": dotted_field},
        describe=describe_crd_field,
    ),
    "k8s_api": MatchKind(
        summary="a Kubernetes API call to /apis/<group>/<version>/...<plural>",
        required={"group": non_empty_string, "versions": string_list},
        optional={"plurals": string_list},
        describe=describe_k8s_api,
    ),
    "metric": MatchKind(
        summary="a Prometheus metric name",
        required={"names": string_list},
        describe=describe_metric,
    ),
    "cli": MatchKind(
        summary="a runai / runai-adm command line, by its leading command words",
        required={"binary": cli_binary, "command": word_list},
        optional={
            "requires_flags": string_list,
            "exclude_flags": string_list,
            "except_next": string_list,  # the word after the command must not be one of these
            "rewrite": cli_rewrite,  # the CLI v2 form, shown with the finding
        },
        describe=describe_cli,
    ),
    "generic": MatchKind(
        summary="no match keys: the engine decides from specs, response headers or the run",
        describe=describe_generic,
    ),
}


def check_match(kind: MatchKind, match: Mapping[str, Any]) -> list[tuple[str | None, str]]:
    """Problems with one row's match keys, as (key or None, problem) pairs."""
    problems: list[tuple[str | None, str]] = []
    allowed = {**kind.required, **kind.optional}
    for key in match:
        if key == "kind":
            continue
        if key not in allowed:
            names = ", ".join(sorted(allowed)) or "none"
            problems.append((key, f"unknown key match.{key} (allowed: {names})"))
    for key in kind.required:
        if key not in match:
            problems.append((None, f"missing key match.{key}"))
    for key, check in allowed.items():
        if key in match and (problem := check(match[key])) is not None:
            problems.append((key, f"match.{key}: {problem}"))
    return problems


def describe_match(kind_name: str, match: Mapping[str, Any]) -> str:
    kind = MATCH_KINDS.get(kind_name)
    return (kind.describe if kind else describe_unknown)(match)
