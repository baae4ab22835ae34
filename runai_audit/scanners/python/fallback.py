"""Run:ai API paths that no detected call used: the wrapper fallback.

Code often hides its HTTP library behind a helper (`self._get("/v1/k8s/users")`,
`post_json(f"{BASE}/api/v1/token", body)`). A string that looks like a Run:ai API path and was
not already the URL of a detected call becomes an ApiCall of low confidence at the literal; the
method comes from the helper's name when it says one (`_get` -> GET), `*` otherwise.
"""

from __future__ import annotations

import ast
import re

from runai_audit.models import ApiCall, Confidence
from runai_audit.scanners.python.context import Context
from runai_audit.scanners.python.index import dotted_name
from runai_audit.scanners.python.url import mentions_runai, render_url

__all__ = ["RUNAI_PREFIXES", "detect_wrapped_paths", "is_runai_path"]

RUNAI_PREFIXES = ("/api/v1/", "/api/v2/", "/v1/k8s/", "/apis/run.ai/", "/auth/realms/")
_VERBS = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE"}
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
_JOINERS = ("urljoin", "os.path.join", "posixpath.join")


def is_runai_path(url: str) -> bool:
    """True when the path of a rendered URL starts with a Run:ai API prefix (and goes on)."""
    if url.startswith("{**}"):
        path = url[4:]
    else:
        match = re.match(r"^[a-z][a-z0-9+.-]*://[^/]*", url)
        path = url[match.end():] if match else url
    return any(path.startswith(p) and len(path) > len(p) for p in RUNAI_PREFIXES)


def detect_wrapped_paths(ctx: Context, strings: list[ast.Constant | ast.JoinedStr]) -> list[ApiCall]:
    out: list[ApiCall] = []
    for node in strings:
        if id(node) in ctx.consumed or _is_docstring(ctx, node):
            continue
        top = _outermost(ctx, node)
        text = ctx.resolver.text(top)
        rendered = render_url(text)
        if not is_runai_path(rendered.url):
            continue
        ctx.consumed.update(text.nodes)
        func_name = _enclosing_function_name(ctx, top)
        out.append(ApiCall(
            method=_method_from_name(func_name),
            url=rendered.url,
            location=ctx.location(node),
            query=(),
            confidence=Confidence.LOW,
            evidence=ctx.evidence(node.lineno),
            runai_hint=mentions_runai(text.hints | {func_name}),
        ))
    return out


def _is_docstring(ctx: Context, node: ast.AST) -> bool:
    return isinstance(ctx.index.parent(node), ast.Expr)


def _outermost(ctx: Context, node: ast.expr) -> ast.expr:
    """The whole string expression a literal is part of (`BASE + "/v1/k8s/users"`)."""
    current = node
    while True:
        parent = ctx.index.parent(current)
        if isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Add | ast.Mod):
            current = parent
        elif (isinstance(parent, ast.Attribute) and parent.attr == "format"
              and isinstance(ctx.index.parent(parent), ast.Call)):
            call = ctx.index.parent(parent)
            assert isinstance(call, ast.Call)
            current = call
        elif (isinstance(parent, ast.Call) and current in parent.args
              and (ctx.index.canonical(parent.func) or "").endswith(_JOINERS)):
            current = parent
        else:
            return current


def _enclosing_function_name(ctx: Context, node: ast.expr) -> str:
    parent = ctx.index.parent(node)
    if isinstance(parent, ast.keyword):
        parent = ctx.index.parent(parent)
    if isinstance(parent, ast.Call) and parent.func is not node:
        return dotted_name(parent.func) or ""
    return ""


def _method_from_name(name: str) -> str:
    for word in _WORDS.findall(name.rsplit(".", 1)[-1]):
        method = _VERBS.get(word.lower())
        if method is not None:
            return method
    return "*"
