"""The argv of a command started from Python, as far as the source tells.

A list literal, a list grown over several statements (`cmd = ["runai"]; cmd += ["submit", x];
cmd.append("--gpu")`), `shlex.split(...)` or `"...".split()`; unresolved items are `{*}`.
"""

from __future__ import annotations

import ast

from runai_audit.scanners.python.resolve import Resolver
from runai_audit.scanners.python.text import split_command

__all__ = ["argv_items"]

_DEPTH = 16


def argv_items(resolver: Resolver, node: ast.expr, depth: int = 0) -> list[str] | None:
    """The strings of a list / tuple expression (an argv); None when it is not one."""
    if depth > _DEPTH:
        return None
    if isinstance(node, ast.List | ast.Tuple):
        out: list[str] = []
        for elt in node.elts:
            if isinstance(elt, ast.Starred):
                out.extend(argv_items(resolver, elt.value, depth + 1) or ["{*}"])
            else:
                out.append(resolver.text(elt, depth).render())
        return out
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = argv_items(resolver, node.left, depth + 1), argv_items(resolver, node.right, depth + 1)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.Call):
        canonical = resolver.index.canonical(node.func) or ""
        if canonical == "shlex.split" and node.args:
            return split_command(resolver.text(node.args[0], depth))
        if canonical in ("list", "tuple") and len(node.args) == 1:
            return argv_items(resolver, node.args[0], depth + 1)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "split" and not node.args:
            return resolver.text(func.value, depth).render().split()
        return None
    if isinstance(node, ast.Name):
        return _name_items(resolver, node, depth)
    return None

def _name_items(resolver: Resolver, node: ast.Name, depth: int) -> list[str] | None:
    binding = resolver.index.lookup(node.id, node)
    while binding is not None and binding.kind == "augadd":
        binding = resolver.index.lookup_before(binding)
    if binding is None or binding.value is None or binding.kind != "assign":
        return None
    out = argv_items(resolver, binding.value, depth + 1)
    if out is None:
        return None
    for change in resolver.index.mutations_between(binding, node):
        call = change.node if isinstance(change.node, ast.Call) else None
        if change.kind == "augadd":
            out += argv_items(resolver, change.node, depth + 1) or ["{*}"]
        elif call is not None and change.kind == "append" and call.args:
            out.append(resolver.text(call.args[0], depth).render())
        elif call is not None and change.kind == "extend" and call.args:
            out += argv_items(resolver, call.args[0], depth + 1) or ["{*}"]
        elif call is not None and change.kind == "insert" and len(call.args) == 2:
            where = call.args[0]
            at = where.value if isinstance(where, ast.Constant) and isinstance(where.value, int) else len(out)
            out.insert(at, resolver.text(call.args[1], depth).render())
    return out


