"""Run:ai custom resources through the Kubernetes Python client.

`CustomObjectsApi().create_namespaced_custom_object(group="run.ai", version="v2alpha1",
namespace=ns, plural="trainingworkloads", body=...)` is a POST to
`/apis/run.ai/v2alpha1/namespaces/{ns}/trainingworkloads` on the cluster's API server, so it
becomes an ApiCall with that path (base unknown). Only group `run.ai` counts.

Group, version and plural are often module constants or a helper's parameters
(`get_resources(plural, ns, group=RUNAI_GROUP, version=RUNAI_VERSION)`): a helper call is then
reported where the value that completes the request is given, at the helper's call site, and
not inside a helper that only passes the value on.
"""

from __future__ import annotations

import ast
import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass

from runai_audit.models import ApiCall, BodyField, Confidence, Location
from runai_audit.scanners.python.body import dict_paths, scalar_value
from runai_audit.scanners.python.callchain import Frame, bind_call, callee, frames_resolver, passes_through
from runai_audit.scanners.python.context import Context
from runai_audit.scanners.python.resolve import Resolver
from runai_audit.scanners.python.text import Text

__all__ = ["detect_custom_object"]

_METHOD = re.compile(
    r"^(create|list|get|patch|replace|delete|delete_collection)_(namespaced|cluster)_custom_object"
    r"(?:_(status|scale))?(?:_with_http_info)?$"
)
_ALL_NAMESPACES = re.compile(r"^list_custom_object_for_all_namespaces(?:_with_http_info)?$")
_VERB_METHOD = {"create": "POST", "list": "GET", "get": "GET", "patch": "PATCH", "replace": "PUT",
                "delete": "DELETE", "delete_collection": "DELETE"}
GROUP = "run.ai"
_HELPER_DEPTH = 4
_MENTIONS: weakref.WeakKeyDictionary[Context, bool] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _Request:
    """A custom-object method call, its arguments bound to the client's parameter names."""

    verb: str
    scope: str  # namespaced | cluster | all
    sub: str | None
    args: dict[str, ast.expr]
    func: ast.Attribute

    @property
    def named(self) -> bool:
        return self.verb not in ("create", "list", "delete_collection")


def detect_custom_object(ctx: Context, call: ast.Call) -> ApiCall | None:
    """The request a custom-object call makes; at a call of a local helper, the request the
    helper makes with the arguments given there (`get_resources('runaijobs', ns, 'run.ai')`)."""
    request = _request(call)
    if request is not None:
        texts = _texts(ctx.resolver, request)
        if passes_through(ctx, texts, call):
            return None  # the helper's callers supply group, version or plural
        return _api_call(ctx, request, ctx.resolver, _name_position(ctx, request.func))
    if not _mentions_custom_objects(ctx):
        return None
    for inner, frames in _helper_requests(ctx, call, [], 0):
        resolver = frames_resolver(ctx, frames)
        texts = _texts(resolver, inner)
        if _value_of(texts[0]) != GROUP or not _depends_on(ctx, inner, frames) \
                or passes_through(ctx, texts, call):
            continue
        return _api_call(ctx, inner, resolver, _call_position(ctx, call))
    return None


def _request(call: ast.Call) -> _Request | None:
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
    if verb not in ("create", "list", "delete_collection"):
        params.append("name")
    if verb in ("create", "patch", "replace"):
        params.append("body")
    return _Request(verb, scope, sub, _bind(call, params), func)


def _texts(resolver: Resolver, request: _Request) -> list[Text]:
    """Group, version and plural as far as the source tells."""
    args = request.args
    plural = args.get("plural") or args.get("resource_plural")
    return [resolver.text(node) if node is not None else Text()
            for node in (args.get("group"), args.get("version"), plural)]


def _mentions_custom_objects(ctx: Context) -> bool:
    """Most modules make no custom-object call: then no call site needs following (asked once
    per module, not once per call)."""
    found = _MENTIONS.get(ctx)
    if found is None:
        found = _MENTIONS[ctx] = any("custom_object" in line for line in ctx.lines)
    return found


def _helper_requests(ctx: Context, site: ast.Call, frames: list[Frame], depth: int
                     ) -> Iterator[tuple[_Request, list[Frame]]]:
    """Custom-object calls reached from `site` through local helpers (a few levels deep), each
    with the frames that bind the helpers' parameters."""
    found = callee(ctx, site)
    if found is None or depth >= _HELPER_DEPTH:
        return
    func, skip_first = found
    scope = ctx.index.scopes.get(id(func))
    if scope is None or any(f.scope is scope for f in frames):
        return
    inner_frames = [*frames, Frame(scope, bind_call(func, site, skip_first))]
    calls = sorted((n for n in ast.walk(func) if isinstance(n, ast.Call)), key=lambda n: (n.lineno, n.col_offset))
    for inner in calls:
        request = _request(inner)
        if request is not None:
            yield request, inner_frames
        else:
            yield from _helper_requests(ctx, inner, inner_frames, depth + 1)


def _depends_on(ctx: Context, request: _Request, frames: list[Frame]) -> bool:
    """Whether the outermost frame's arguments add anything to group, version or plural. If
    not, the request is reported nearer to it (or was already, at an inner call site)."""
    def rendered(resolver: Resolver) -> list[str]:
        return [text.render() for text in _texts(resolver, request)]

    return rendered(frames_resolver(ctx, frames)) != rendered(frames_resolver(ctx, frames[1:]))


def _api_call(ctx: Context, request: _Request, resolver: Resolver, where: Location) -> ApiCall | None:
    args = request.args

    def value(name: str) -> str | None:
        node = args.get(name)
        return _value_of(resolver.text(node)) if node is not None else None

    if value("group") != GROUP:
        return None
    version = value("version")
    plural = value("plural") or value("resource_plural")
    segments = ["apis", GROUP, version or "{*}"]
    if request.scope == "namespaced":
        segments += ["namespaces", value("namespace") or "{*}"]
    segments.append(plural or "{*}")
    if request.named:
        segments.append(value("name") or "{*}")
    if request.sub:
        segments.append(request.sub)
    body: list[BodyField] = []
    if args.get("body") is not None:
        for item in dict_paths(resolver, args["body"]):
            body.append(BodyField(item.path, scalar_value(resolver, item.path, item.value), ctx.location(item.key)))
    return ApiCall(
        method=_VERB_METHOD[request.verb],
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


def _value_of(text: Text) -> str | None:
    value = text.literal
    return value if value and "/" not in value else None


def _call_position(ctx: Context, call: ast.Call) -> Location:
    """Where a helper is called: its name (`get_resources` in `api.get_resources(...)`)."""
    if isinstance(call.func, ast.Attribute):
        return _name_position(ctx, call.func)
    return ctx.location(call.func)


def _name_position(ctx: Context, func: ast.Attribute) -> Location:
    """The method name itself (`create_namespaced_custom_object`), where the call is read."""
    end_line = func.end_lineno or func.lineno
    end_col = func.end_col_offset
    if end_col is None:
        return ctx.location(func)
    column = ctx.column(end_line, end_col) - len(func.attr)
    return ctx.at(end_line, max(column, 1))
