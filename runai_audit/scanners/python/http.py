"""HTTP calls in Python: requests, httpx, aiohttp, urllib3, http.client, urllib, and calls on
session / client objects (see python.clients).

Detection (`find_http`) decides that a call is an HTTP request and which arguments hold the
method, URL and body; building (`build_api_call`) resolves them into an ApiCall. The two are
apart so a wrapper's call sites can rebuild the same request with their own arguments.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from runai_audit.models import ApiCall, BodyField, Location, QueryParam, RelatedLocation
from runai_audit.scanners.python.body import dict_paths, scalar_value
from runai_audit.scanners.python.clients import (
    HTTP_MODULES,
    Client,
    call_argument,
    client_base,
    client_of,
    last_name,
)
from runai_audit.scanners.python.context import Context
from runai_audit.scanners.python.resolve import Resolver
from runai_audit.scanners.python.text import Text
from runai_audit.scanners.python.url import confidence, join_base, mentions_runai, render_url

__all__ = ["HttpCall", "build_api_call", "find_http", "written_at"]

VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
METHOD_FIRST = frozenset({"request", "stream", "build_request", "urlopen", "putrequest",
                          "request_encode_url", "request_encode_body"})
HTTP_METHODS = frozenset(v.upper() for v in VERBS) | {"TRACE", "CONNECT"}
_REQUEST_OBJECTS = frozenset({"requests.Request", "httpx.Request", "requests.models.Request"})
_URLLIB = frozenset({"urllib.request.urlopen", "urllib.request.Request", "urllib2.urlopen",
                     "urllib2.Request"})
_NOT_CLIENTS = frozenset({"os", "json", "yaml", "subprocess", "shlex", "re", "sys", "logging"})
_URLISH = re.compile(r"url|uri|path|endpoint|route|href|link", re.IGNORECASE)
_BODY_KEYWORDS = ("json", "data", "body", "fields", "params")


@dataclass(frozen=True)
class HttpCall:
    """A call found to be an HTTP request, before its arguments are resolved."""

    call: ast.Call
    method: str | None  # known from the function name, else read from method_node
    method_node: ast.expr | None
    url_node: ast.expr
    client: Client | None
    default_method: str = "*"


def find_http(ctx: Context, call: ast.Call) -> HttpCall | None:
    canonical = ctx.index.canonical(call.func) or ""
    module, _, function = canonical.rpartition(".")
    if module in HTTP_MODULES and function in VERBS:
        return _spec(call, function.upper(), None, call_argument(call, 0, "url"), None)
    if (module in HTTP_MODULES and function in ("request", "stream")) or canonical in _REQUEST_OBJECTS:
        return _spec(call, None, call_argument(call, 0, "method"), call_argument(call, 1, "url"), None)
    if canonical in _URLLIB:
        return _urllib(ctx, call, canonical)
    func = call.func
    if not isinstance(func, ast.Attribute) or (func.attr not in VERBS and func.attr not in METHOD_FIRST):
        return None
    if canonical.partition(".")[0] in _NOT_CLIENTS:
        return None
    client = client_of(ctx, func.value)
    if client is None:
        return None
    if func.attr in VERBS:
        spec = _spec(call, func.attr.upper(), None, call_argument(call, 0, "url"), client)
    else:
        spec = _spec(call, None, call_argument(call, 0, "method"), call_argument(call, 1, "url"), client)
    if spec is not None and client.kind == "named" and not _urlish(spec.url_node, ctx.resolver.text(spec.url_node)):
        return None
    return spec


def _spec(call: ast.Call, method: str | None, method_node: ast.expr | None, url: ast.expr | None,
          client: Client | None, default: str = "*") -> HttpCall | None:
    return HttpCall(call, method, method_node, url, client, default) if url is not None else None


def _urllib(ctx: Context, call: ast.Call, canonical: str) -> HttpCall | None:
    url = call_argument(call, 0, "url")
    if url is None:
        return None
    if canonical.endswith("urlopen") and isinstance(ctx.resolver.follow(url)[0], ast.Call):
        return None  # urlopen(Request(...)): the Request is the call
    default = "POST" if call_argument(call, 1, "data") is not None else "GET"
    method_node = call_argument(call, -1, "method")
    return _spec(call, default if method_node is None else None, method_node, url, None, "*")


def _urlish(url_node: ast.expr, text: Text) -> bool:
    template = text.template()
    if "/" in template:
        return True
    return any(_URLISH.search(name) for name in text.hints | {last_name(url_node)})


def build_api_call(ctx: Context, spec: HttpCall, resolver: Resolver, where: ast.AST) -> ApiCall:
    """Resolve a found call into an ApiCall located where its URL is written: at `where` (the
    URL argument, or the argument a wrapper's call site passes for it), or at the string that
    `where` names when it is a variable or attribute set elsewhere."""
    where = written_at(resolver, where)
    related = () if _inside(where, spec.call) else (RelatedLocation(ctx.location(spec.call), "sent"),)
    method = spec.method or _method(resolver, spec.method_node) or spec.default_method
    full = join_base(client_base(resolver, spec.client), resolver.text(spec.url_node))
    ctx.consumed.update(full.nodes)
    rendered = render_url(full)
    hints = full.hints | (spec.client.names if spec.client is not None else frozenset())
    query = [QueryParam(name, _query_location(ctx, where, name)) for name in rendered.query]
    body: list[BodyField] = []
    second = _second_positional(spec, method)
    for keyword in _BODY_KEYWORDS:
        if keyword == "body" and spec.client is not None and spec.client.is_connection:
            node = call_argument(spec.call, 2, "body")
        else:
            node = call_argument(spec.call, -1, keyword)
        if node is None and second is not None and second[0] == keyword:
            node = second[1]
        if node is None:
            continue
        as_query = keyword == "params" or (keyword == "fields" and method in ("GET", "HEAD", "DELETE"))
        for item in dict_paths(resolver, node):
            location = ctx.location(item.key)
            if not as_query:
                body.append(BodyField(item.path, scalar_value(resolver, item.path, item.value), location))
            elif "." not in item.path and all(q.name != item.path for q in query):
                query.append(QueryParam(item.path, location))
        if keyword == "params":
            query += _tuple_params(ctx, resolver, node, query)
    line = getattr(where, "lineno", 0)
    return ApiCall(
        method=method,
        url=rendered.url,
        location=ctx.location(where),
        query=tuple(query),
        body=tuple(body),
        confidence=confidence(method, rendered),
        evidence=ctx.evidence(line),
        runai_hint=mentions_runai(hints),
        related=related,
    )


def _inside(node: ast.AST, call: ast.Call) -> bool:
    """Whether `node` is written within the lines of `call` (an argument of a call split over
    lines): then the call's place is no other place."""
    line = getattr(node, "lineno", 0)
    return call.lineno <= line <= (call.end_lineno or call.lineno)


def written_at(resolver: Resolver, node: ast.AST) -> ast.AST:
    """The expression that writes the URL `node` names: `url = f"{base}/x"` then `get(url)`,
    or `self.path = "/api/v1/x"` in `__init__` then `get(self.path)`, is reported where the
    string is written (the use is written there; the call only sends it). A name bound to
    something that is not a string with a path (an env lookup, a call) keeps the call's place."""
    if not isinstance(node, ast.Name | ast.Attribute):
        return node
    target, _ = resolver.follow(node)
    if target is node or not isinstance(target, ast.Constant | ast.JoinedStr | ast.BinOp | ast.Call):
        return node
    if any(isinstance(part, str) and "/" in part for part in resolver.text(target).parts):
        return target
    return node


def _second_positional(spec: HttpCall, method: str) -> tuple[str, ast.expr] | None:
    """`get(url, params)` / `post(url, data)` / `urlopen(url, data)`: what a second positional
    argument means when the URL is the first."""
    args = spec.call.args
    if spec.method_node is not None or len(args) < 2 or args[0] is not spec.url_node:
        return None
    if isinstance(args[1], ast.Starred):
        return None
    return ("params" if method in ("GET", "HEAD", "OPTIONS", "DELETE") else "data", args[1])


def _method(resolver: Resolver, node: ast.expr | None) -> str | None:
    if node is None:
        return None
    word = resolver.text(node).literal
    return word.upper() if word is not None and word.upper() in HTTP_METHODS else None


def _query_location(ctx: Context, url_node: ast.AST, name: str) -> Location:
    here = ctx.location(url_node)
    for lead in ("?", "&"):
        found = ctx.find(url_node, lead + name + "=")
        if found != here:
            return Location(found.path, found.line, found.column + 1)
    return ctx.find(url_node, name)


def _tuple_params(ctx: Context, resolver: Resolver, node: ast.expr, known: list[QueryParam]
                  ) -> list[QueryParam]:
    """params=[("a", 1), ("b", 2)]: names from the first item of each pair."""
    target, _ = resolver.follow(node)
    out: list[QueryParam] = []
    if isinstance(target, ast.List | ast.Tuple):
        for elt in target.elts:
            first = elt.elts[0] if isinstance(elt, ast.Tuple) and elt.elts else None
            if (isinstance(first, ast.Constant) and isinstance(first.value, str)
                    and all(q.name != first.value for q in [*known, *out])):
                out.append(QueryParam(first.value, ctx.location(first)))
    return out
