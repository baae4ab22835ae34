"""Calls into functions of the same module, and the arguments they bind.

A value written at a call site often reaches the call that uses it through one or two helper
functions (`get_runai(plural, ns)` -> `get_resources(plural, ns, GROUP, VERSION)` ->
`list_namespaced_custom_object(...)`). These helpers let a detector resolve the inner call with
each frame's arguments bound (`frames_resolver`) and name the functions that call a given one
(`callers`), so a pass-through helper can leave the report to its callers.
"""

from __future__ import annotations

import ast
import weakref
from dataclasses import dataclass

from runai_audit.scanners.python.context import Context
from runai_audit.scanners.python.index import Index, Scope
from runai_audit.scanners.python.resolve import Resolver
from runai_audit.scanners.python.text import Text

__all__ = ["Frame", "bind_call", "callee", "callers", "frames_resolver", "passes_through"]

FunctionDef = ast.FunctionDef | ast.AsyncFunctionDef

# Calls by the name they call, built once per module and only when a detector asks.
_CALLS: weakref.WeakKeyDictionary[Index, dict[str, list[ast.Call]]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class Frame:
    """One step into a helper: the helper's scope and what the call bound to its parameters."""

    scope: Scope
    arguments: dict[str, ast.expr]


def _calls_by_name(index: Index) -> dict[str, list[ast.Call]]:
    found = _CALLS.get(index)
    if found is None:
        found = {}
        for node in ast.walk(index.tree):
            if isinstance(node, ast.Call):
                name = _called_name(node.func)
                if name:
                    found.setdefault(name, []).append(node)
        _CALLS[index] = found
    return found


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else ""


def callee(ctx: Context, call: ast.Call) -> tuple[FunctionDef, bool] | None:
    """The function of this module that `call` runs, and whether its first parameter is the
    receiver (`self.helper(...)`); None for anything else."""
    func = call.func
    if isinstance(func, ast.Name):
        binding = ctx.index.lookup(func.id, call)
        if binding is not None and isinstance(binding.stmt, FunctionDef) and binding.stmt.name == func.id:
            return binding.stmt, False
        return None
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
            and func.value.id not in ctx.index.classes:  # `Class.method(obj, ...)` binds differently
        cls = ctx.index.class_for_receiver(func.value)
        if cls is None:
            return None
        for binding in cls.bindings.get(func.attr, ()):
            if isinstance(binding.stmt, FunctionDef):
                return binding.stmt, True
    return None


def callers(ctx: Context, func: FunctionDef) -> list[ast.Call]:
    """Calls of `func` in the module, outside `func` itself (recursion is no caller)."""
    out = []
    for call in _calls_by_name(ctx.index).get(func.name, ()):
        found = callee(ctx, call)
        if found is not None and found[0] is func and not ctx.inside(call, func):
            out.append(call)
    return out


def bind_call(func: FunctionDef, call: ast.Call, skip_first: bool) -> dict[str, ast.expr]:
    """Parameter name -> the expression the call passes, or the parameter's default."""
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    bound: dict[str, ast.expr] = dict(zip(
        [a.arg for a in positional[len(positional) - len(args.defaults):]], args.defaults, strict=True))
    bound.update({a.arg: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None})
    if skip_first:
        positional = positional[1:]
    for param, value in zip(positional, call.args, strict=False):
        if isinstance(value, ast.Starred):
            break
        bound[param.arg] = value
    bound.update({k.arg: k.value for k in call.keywords if k.arg is not None})
    return bound


def frames_resolver(ctx: Context, frames: list[Frame]) -> Resolver:
    """A resolver that sees each frame's arguments, outermost first."""
    resolver = ctx.resolver
    for frame in frames:
        resolver = resolver.with_arguments({(id(frame.scope), k): v for k, v in frame.arguments.items()})
    return resolver


def passes_through(ctx: Context, texts: list[Text], at: ast.AST) -> bool:
    """True when one of `texts` is nothing but a parameter of the function around `at`, and that
    function is called in the module: its callers say what the value is, so they report."""
    scope = ctx.index.scope_of(at)
    if scope.kind != "function" or not isinstance(scope.node, FunctionDef):
        return False
    whole = [_only_param(text) for text in texts]
    return any(p is not None and p[0] == id(scope) for p in whole) and bool(callers(ctx, scope.node))


def _only_param(text: Text) -> tuple[int, str] | None:
    params = text.params()
    return params[0] if len(text.parts) == 1 and params else None
