"""Run:ai custom resources through the Kubernetes Python client.

`CustomObjectsApi().create_namespaced_custom_object(group="run.ai", version="v2alpha1",
namespace=ns, plural="trainingworkloads", body=...)` is a POST to
`/apis/run.ai/v2alpha1/namespaces/{ns}/trainingworkloads` on the cluster's API server, so it
becomes an ApiCall with that path (base unknown). Only group `run.ai` counts.
"""

from __future__ import annotations

import ast
import re

from runai_audit.models import ApiCall, BodyField, Confidence, Location
from runai_audit.scanners.python.body import dict_paths, scalar_value
from runai_audit.scanners.python.context import Context

__all__ = ["detect_custom_object"]

_METHOD = re.compile(
    r"^(create|list|get|patch|replace|delete|delete_collection)_(namespaced|cluster)_custom_object"
    r"(?:_(status|scale))?(?:_with_http_info)?$"
)
_ALL_NAMESPACES = re.compile(r"^list_custom_object_for_all_namespaces(?:_with_http_info)?$")
_VERB_METHOD = {"create": "POST", "list": "GET", "get": "GET", "patch": "PATCH", "replace": "PUT",
                "delete": "DELETE", "delete_collection": "DELETE"}
GROUP = "run.ai"


def detect_custom_object(ctx: Context, call: ast.Call) -> ApiCall | None:
    func = call.func
    if not isinstance(func, ast.Attribute):
        return None
    match = _METHOD.match(func.attr)
    if match:
        verb, scope, sub = match.group(1), match.group(2), match.group(3)
    elif _ALL_NAMESPACES.match(func.attr):
        verb, scope, sub = "list", "all", None
    else:
        return None
    params = ["group", "version"]
    if scope == "namespaced":
        params.append("namespace")
    params.append("resource_plural" if scope == "all" else "plural")
    named = verb not in ("create", "list", "delete_collection")
    if named:
        params.append("name")
    if verb in ("create", "patch", "replace"):
        params.append("body")
    args = _bind(call, params)
    group = _value(ctx, args.get("group"))
    if group != GROUP:
        return None
    version = _value(ctx, args.get("version"))
    plural = _value(ctx, args.get("plural") or args.get("resource_plural"))
    segments = ["apis", GROUP, version or "{*}"]
    if scope == "namespaced":
        segments += ["namespaces", _value(ctx, args.get("namespace")) or "{*}"]
    segments.append(plural or "{*}")
    if named:
        segments.append(_value(ctx, args.get("name")) or "{*}")
    if sub:
        segments.append(sub)
    body: list[BodyField] = []
    if args.get("body") is not None:
        for item in dict_paths(ctx.resolver, args["body"]):
            value = scalar_value(ctx.resolver, item.path, item.value)
            body.append(BodyField(item.path, value, ctx.location(item.key)))
    where = _name_position(ctx, func)
    return ApiCall(
        method=_VERB_METHOD[verb],
        url="{**}/" + "/".join(segments),
        location=where,
        body=tuple(body),
        confidence=Confidence.HIGH if version and plural else Confidence.MEDIUM,
        evidence=ctx.evidence(where.line - ctx.line_offset),
        runai_hint=True,
    )


def _bind(call: ast.Call, params: list[str]) -> dict[str, ast.expr]:
    """Positional and keyword arguments by parameter name."""
    bound: dict[str, ast.expr] = {}
    for name, arg in zip(params, call.args, strict=False):
        if isinstance(arg, ast.Starred):
            break
        bound[name] = arg
    for keyword in call.keywords:
        if keyword.arg:
            bound[keyword.arg] = keyword.value
    return bound


def _value(ctx: Context, node: ast.expr | None) -> str | None:
    if node is None:
        return None
    value = ctx.resolver.text(node).literal
    return value if value and "/" not in value else None


def _name_position(ctx: Context, func: ast.Attribute) -> Location:
    """The method name itself (`create_namespaced_custom_object`), where the call is read."""
    end_line = func.end_lineno or func.lineno
    end_col = func.end_col_offset
    if end_col is None:
        return ctx.location(func)
    column = ctx.column(end_line, end_col) - len(func.attr)
    return ctx.at(end_line, max(column, 1))
