"""Requests made through a helper function, rebuilt at each place the helper is called.

```
def _get(self, path, **params):
    return self.session.get(self.base + path, params=params)
...
self._get(f"/clusters/{cid}/projects")
```

The request inside `_get` has a hole where `path` goes. When the helper is called in the same
module (a plain function by name, a method through `self`), each call site yields its own
ApiCall, with the helper's method and base and the caller's path, located at the argument the
caller passed. One level deep: enough for the usual `_get` / `_post` / `_request` helpers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from runai_audit.models import ApiCall
from runai_audit.scanners.python.context import Context
from runai_audit.scanners.python.http import HttpCall, build_api_call
from runai_audit.scanners.python.index import Scope

__all__ = ["CallSites", "expand_through_wrappers"]

FunctionDef = ast.FunctionDef | ast.AsyncFunctionDef


class CallSites:
    """Calls in the module by the name they call (`f(...)` and `x.f(...)` alike)."""

    def __init__(self, calls: Iterable[ast.Call]) -> None:
        self.by_name: dict[str, list[ast.Call]] = {}
        for call in calls:
            func = call.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if name:
                self.by_name.setdefault(name, []).append(call)


def expand_through_wrappers(ctx: Context, spec: HttpCall, sites: CallSites) -> list[ApiCall]:
    """ApiCalls at the call sites of the function around `spec`; [] when there are none."""
    scope = ctx.index.scope_of(spec.call)
    func = scope.node
    if scope.kind != "function" or not isinstance(func, FunctionDef):
        return []
    wanted = _parameters_used(ctx, spec, scope)
    if not wanted:
        return []
    joins_suffix = _joins_suffix(ctx, spec.url_node)
    out: list[ApiCall] = []
    for site in sites.by_name.get(func.name, ()):
        if not _calls_function(ctx, site, scope) or ctx.inside(site, func):  # recursive calls are not call sites worth expanding
            continue
        arguments, given = _bind_arguments(func, site, skip_first=scope.owner is not None)
        passed = [arguments[name] for name in wanted if name in given]
        if not passed or not (joins_suffix or _supplies_path(ctx, passed[0])):
            continue
        resolver = ctx.resolver.with_arguments({(id(scope), k): v for k, v in arguments.items()})
        out.append(build_api_call(ctx, spec, resolver, passed[0]))
    return out


def _supplies_path(ctx: Context, node: ast.expr) -> bool:
    """A caller that passes a path (`"/users"`, `f"/clusters/{cid}/projects"`) makes the
    function a request helper; one that passes an id (`"a"`, `project["id"]`) only fills a
    hole in a URL the function writes out, and the request is reported where it is written."""
    return "/" in ctx.resolver.text(node).render("")


def _joins_suffix(ctx: Context, url_node: ast.expr) -> bool:
    """`f"{self._base_url}/{suffix}"`, `self.base + "/" + path`: the helper writes no path of
    its own, so what its callers pass (`"users"`, `f"clusters/{cid}/projects"`) is the rest of
    the path even without a slash. A URL that names its own segments (`.../projects/{pid}`)
    only takes an id from its callers."""
    node, _ = ctx.resolver.follow(url_node)
    if isinstance(node, ast.JoinedStr):
        pieces: list[ast.expr] = list(node.values)
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        pieces = _added(node)
    else:
        return False
    literals = [p.value for p in pieces if isinstance(p, ast.Constant) and isinstance(p.value, str)]
    holes = len(pieces) - len(literals)
    return holes >= 2 and all(not text.strip("/") for text in literals)


def _added(node: ast.expr) -> list[ast.expr]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _added(node.left) + _added(node.right)
    return [node]


def _parameters_used(ctx: Context, spec: HttpCall, scope: Scope) -> list[str]:
    """Parameters of the enclosing function that the URL (or method) depends on."""
    found: list[str] = []
    for node in (spec.url_node, spec.method_node):
        if node is None:
            continue
        for scope_id, name in ctx.resolver.text(node).params():
            if scope_id == id(scope) and name not in found:
                found.append(name)
    return found


def _calls_function(ctx: Context, site: ast.Call, scope: Scope) -> bool:
    func = site.func
    if isinstance(func, ast.Name):
        binding = ctx.index.lookup(func.id, site)
        return binding is not None and binding.stmt is scope.node
    if isinstance(func, ast.Attribute) and scope.owner is not None:
        cls = ctx.index.class_for_receiver(func.value)
        return cls is not None and _is_same_or_subclass(ctx, cls, scope.owner)
    return False


def _is_same_or_subclass(ctx: Context, cls: Scope, owner: Scope, depth: int = 0) -> bool:
    if cls is owner:
        return True
    if depth > 5:
        return False
    return any(_is_same_or_subclass(ctx, base, owner, depth + 1)
               for base in (ctx.index.classes.get(name) for name in cls.bases) if base is not None)


def _bind_arguments(func: FunctionDef, site: ast.Call, skip_first: bool
                    ) -> tuple[dict[str, ast.expr], set[str]]:
    """Parameter name -> the expression passed (or the default), and the names passed."""
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    defaults: dict[str, ast.expr] = dict(zip(
        [a.arg for a in positional[len(positional) - len(args.defaults):]], args.defaults, strict=True))
    defaults.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None})
    if skip_first and positional:  # self / cls
        positional = positional[1:]
    bound: dict[str, ast.expr] = {}
    for param, value in zip(positional, site.args, strict=False):
        if isinstance(value, ast.Starred):
            break
        bound[param.arg] = value
    for keyword in site.keywords:
        if keyword.arg is not None:
            bound[keyword.arg] = keyword.value
    given = set(bound)
    for name, default in defaults.items():
        bound.setdefault(name, default)
    return bound, given
