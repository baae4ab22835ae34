"""Field paths of dicts built in Python: request bodies, query parameters, manifests.

`{"spec": {"compute": {"migProfile": "1g.5gb"}}}` gives `spec`, `spec.compute` and
`spec.compute.migProfile`, each at its key. Dicts bound to a name and then filled in over
several statements (`body["grantType"] = "app_token"`, `body.update(...)`) count too, as do
`dict(a=1)`, `json.dumps({...})` and nested names (`{"spec": spec}`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from runai_audit.scanners.python.index import Binding
from runai_audit.scanners.python.resolve import Resolver
from runai_audit.scanners.redact import is_secret_name, looks_opaque

__all__ = ["KeyPath", "dict_paths", "is_dictish", "scalar_value"]

_DEPTH = 12
_VALUE_MAX = 64
_SERIALISERS = {"json.dumps", "yaml.dump", "yaml.safe_dump", "dict", "copy.deepcopy", "copy.copy"}


@dataclass(frozen=True)
class KeyPath:
    path: str
    key: ast.AST  # the key node (a string constant or a keyword argument), for the location
    value: ast.expr | None


def is_dictish(resolver: Resolver, node: ast.expr) -> bool:
    target = _unwrap(resolver, node)
    return isinstance(target, ast.Dict) or _is_dict_call(resolver, target)


def dict_paths(resolver: Resolver, node: ast.expr, prefix: str = "", depth: int = 0) -> list[KeyPath]:
    """Every key path of the dict `node` evaluates to, as far as the source shows."""
    if depth > _DEPTH:
        return []
    out: list[KeyPath] = []
    argument = resolver.argument_for(node)
    if argument is not None and resolver.outer is not None:
        return dict_paths(resolver.outer, argument, prefix, depth + 1)
    if isinstance(node, ast.Name):
        binding = _binding(resolver, node)
        if binding is not None and binding.value is not None:
            out += dict_paths(resolver, binding.value, prefix, depth + 1)
            out += _mutations(resolver, binding, node, prefix, depth)
    elif isinstance(node, ast.Attribute):
        target, _ = resolver.follow(node)
        if target is not node:
            out += dict_paths(resolver, target, prefix, depth + 1)
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                out += dict_paths(resolver, value, prefix, depth + 1)
            elif isinstance(key, ast.Constant) and isinstance(key.value, str):
                out += _entry(resolver, prefix + key.value, key, value, depth)
    elif isinstance(node, ast.Call) and _is_dict_call(resolver, node):
        for arg in node.args[:1]:
            out += dict_paths(resolver, arg, prefix, depth + 1)
        for keyword in node.keywords:
            if keyword.arg is None:
                out += dict_paths(resolver, keyword.value, prefix, depth + 1)
            else:
                out += _entry(resolver, prefix + keyword.arg, keyword, keyword.value, depth)
    elif isinstance(node, ast.Call) and node.args and _is_serialiser(resolver, node):
        out += dict_paths(resolver, node.args[0], prefix, depth + 1)
    return _dedupe(out)


def scalar_value(resolver: Resolver, key: str, node: ast.expr | None) -> str | None:
    """A short literal value, kept only for enum matching; never for secret-looking keys."""
    if node is None or is_secret_name(key.rsplit(".", 1)[-1]):
        return None
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return "true" if node.value else "false"
        if isinstance(node.value, int | float):
            return str(node.value)
    if isinstance(node, ast.Constant | ast.Name | ast.Attribute):
        value = resolver.text(node).literal
        if value is not None and len(value) <= _VALUE_MAX and not looks_opaque(value):
            return value
    return None


def _entry(resolver: Resolver, path: str, key: ast.AST, value: ast.expr, depth: int) -> list[KeyPath]:
    out = [KeyPath(path, key, value)]
    out += _nested(resolver, value, path, depth + 1)
    return out


def _nested(resolver: Resolver, value: ast.expr, path: str, depth: int) -> list[KeyPath]:
    if depth > _DEPTH:
        return []
    target = _unwrap(resolver, value)
    if isinstance(target, ast.Dict) or _is_dict_call(resolver, target):
        return dict_paths(resolver, value, path + ".", depth + 1)
    if isinstance(value, ast.Name) and _binding(resolver, value) is not None:
        # a dict filled in later (`spec = {}` then `spec["x"] = 1`) is still a dict
        found = dict_paths(resolver, value, path + ".", depth + 1)
        if found:
            return found
    if isinstance(target, ast.List | ast.Tuple):
        out: list[KeyPath] = []
        for elt in target.elts:
            out += _nested(resolver, elt, path + "[]", depth + 1)
        return out
    return []


def _mutations(resolver: Resolver, binding: Binding, at: ast.Name, prefix: str, depth: int
               ) -> list[KeyPath]:
    out: list[KeyPath] = []
    for change in resolver.index.mutations_between(binding, at):
        if change.kind == "setitem" and change.keys:
            path = prefix
            for i, key in enumerate(change.keys):
                path = f"{path}.{key.value!s}" if i else prefix + str(key.value)
                last = i == len(change.keys) - 1
                out.append(KeyPath(path, key, change.node if last else None))
            out += _nested(resolver, change.node, path, depth + 1)
        elif change.kind == "update" and isinstance(change.node, ast.Call):
            call = change.node
            for arg in call.args[:1]:
                out += dict_paths(resolver, arg, prefix, depth + 1)
            for keyword in call.keywords:
                if keyword.arg is not None:
                    out += _entry(resolver, prefix + keyword.arg, keyword, keyword.value, depth)
    return out


def _unwrap(resolver: Resolver, node: ast.expr, depth: int = 0) -> ast.expr:
    """Through names and serialisers (`json.dumps(x)`) to the expression that builds the dict."""
    if depth > _DEPTH:
        return node
    if isinstance(node, ast.Name | ast.Attribute):
        target, _ = resolver.follow(node)
        return target if target is node else _unwrap(resolver, target, depth + 1)
    if (isinstance(node, ast.Call) and node.args and not _is_dict_call(resolver, node)
            and _is_serialiser(resolver, node)):
        return _unwrap(resolver, node.args[0], depth + 1)
    return node


def _binding(resolver: Resolver, node: ast.expr) -> Binding | None:
    if not isinstance(node, ast.Name):
        return None
    binding = resolver.index.lookup(node.id, node)
    return binding if binding is not None and binding.kind == "assign" else None


def _is_dict_call(resolver: Resolver, node: ast.expr) -> bool:
    return isinstance(node, ast.Call) and resolver.index.canonical(node.func) == "dict"


def _dedupe(paths: list[KeyPath]) -> list[KeyPath]:
    seen: set[str] = set()
    out: list[KeyPath] = []
    for item in paths:
        if item.path not in seen:
            seen.add(item.path)
            out.append(item)
    return out


def _is_serialiser(resolver: Resolver, node: ast.Call) -> bool:
    return (resolver.index.canonical(node.func) or "") in _SERIALISERS
