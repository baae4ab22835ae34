"""Turn a Python expression into the string it would build, as far as the source tells.

`Resolver.text(node)` follows literals, f-strings, `+`, `%`, `.format(...)`, `urljoin`,
`os.environ` / `os.getenv`, and names bound in the module, class or function. Whatever it
cannot follow becomes a `Hole` carrying the names that went into it, so a URL is never lost,
only made less certain. Every string node it read is recorded, so the wrapper fallback can tell
a literal that was already part of a detected call from one that was not.
"""

from __future__ import annotations

import ast

from runai_audit.scanners.python.index import Binding, Index, dotted_name
from runai_audit.scanners.python.text import (
    Hole,
    Text,
    concat,
    format_text,
    hole,
    join_with,
    lit,
    percent_text,
    strip,
    urljoin_text,
)

__all__ = ["Arguments", "Resolver"]

_DEPTH = 16


_ENV_FUNCS = {"os.getenv", "os.environ.get", "os.environ.setdefault", "os.getenvb"}


Arguments = dict[tuple[int, str], ast.expr]  # (id of function scope, parameter) -> argument


class Resolver:
    """Resolves expressions; `with_arguments` gives one that sees a call site's arguments."""

    def __init__(self, index: Index, arguments: Arguments | None = None,
                 outer: Resolver | None = None) -> None:
        self.index = index
        self.arguments = arguments or {}
        self.outer = outer  # resolves the arguments, in the caller's own context
        self._cache: dict[int, Text] = {}
        self._active: set[int] = set()

    def with_arguments(self, arguments: Arguments) -> Resolver:
        return Resolver(self.index, arguments, self)

    def argument_for(self, node: ast.expr) -> ast.expr | None:
        """The call-site argument a parameter name stands for, when resolving for a call site."""
        if not self.arguments or not isinstance(node, ast.Name):
            return None
        binding = self.index.lookup(node.id, node)
        if binding is None or binding.kind != "param":
            return None
        return self.arguments.get((id(binding.scope), node.id))

    # ------------------------------------------------------------------ following names

    def follow(self, node: ast.expr, depth: int = 0) -> tuple[ast.expr, Binding | None]:
        """The expression a name or `self.attr` was last bound to (through plain aliases)."""
        argument = self.argument_for(node)
        if argument is not None and self.outer is not None:
            return self.outer.follow(argument, depth + 1)
        binding = self.binding_of(node)
        if binding is None or binding.value is None or binding.kind != "assign" or depth > _DEPTH:
            return node, binding
        target, inner = self.follow(binding.value, depth + 1)
        return target, inner or binding

    def binding_of(self, node: ast.expr) -> Binding | None:
        if isinstance(node, ast.Name):
            return self.index.lookup(node.id, node)
        if isinstance(node, ast.Attribute):
            cls = self.index.class_for_receiver(node.value)
            if cls is not None:
                return self.index.lookup_attr(cls, node.attr, node)
        return None

    # ------------------------------------------------------------------ strings

    def text(self, node: ast.expr, depth: int = 0) -> Text:
        key = id(node)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if depth > _DEPTH or key in self._active:
            return hole(dotted_name(node) or "")
        self._active.add(key)
        try:
            result = self._text(node, depth + 1)
        finally:
            self._active.discard(key)
        self._cache[key] = result
        return result

    def _text(self, node: ast.expr, depth: int) -> Text:
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                return lit(node.value, node)
            if isinstance(node.value, int | float) and not isinstance(node.value, bool):
                return lit(str(node.value))
            return hole()
        if isinstance(node, ast.JoinedStr):
            pieces = [self.text(v.value, depth) if isinstance(v, ast.FormattedValue) else
                      self.text(v, depth) for v in node.values]
            joined = concat(*pieces)
            return Text(joined.parts, joined.hints, joined.nodes | {id(node)})
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Add):
                return concat(self.text(node.left, depth), self.text(node.right, depth))
            if isinstance(node.op, ast.Mod):
                return self._percent(node, depth)
            return hole()
        if isinstance(node, ast.Name):
            return self._name(node, depth)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, depth)
        if isinstance(node, ast.Subscript):
            return self._subscript(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.IfExp | ast.BoolOp):
            branches = [node.body, node.orelse] if isinstance(node, ast.IfExp) else node.values
            seen = concat(*(self.text(b, depth) for b in branches))
            return hole(base=seen)
        if isinstance(node, ast.NamedExpr):
            return self.text(node.value, depth)
        return hole()

    def _name(self, node: ast.Name, depth: int) -> Text:
        binding = self.index.lookup(node.id, node)
        if binding is not None and binding.kind == "param":
            argument = self.arguments.get((id(binding.scope), node.id))
            if argument is not None and self.outer is not None:
                return _named(node.id, self.outer.text(argument))
            marker = Hole((node.id,), (id(binding.scope), node.id))
            return Text((marker,), frozenset({node.id}))
        return _named(node.id, self._binding_text(binding, depth))

    def _binding_text(self, binding: Binding | None, depth: int) -> Text | None:
        if binding is None or binding.value is None:
            return None
        if binding.kind == "augadd":
            before = self.index.lookup_before(binding)
            earlier = self._binding_text(before, depth) if before is not None else None
            return concat(earlier or hole(binding.name), self.text(binding.value, depth))
        if binding.kind == "assign":
            return self.text(binding.value, depth)
        return None

    def _attribute(self, node: ast.Attribute, depth: int) -> Text:
        name = dotted_name(node) or node.attr
        cls = self.index.class_for_receiver(node.value)
        if cls is not None:
            binding = self.index.lookup_attr(cls, node.attr, node)
            return _named(name, self._binding_text(binding, depth))
        canonical = self.index.canonical(node) or name
        return hole(name, canonical)

    def _subscript(self, node: ast.Subscript, depth: int) -> Text:
        key = node.slice
        key_text = key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else ""
        container = self.index.canonical(node.value) or ""
        if container == "os.environ":
            return hole(key_text)
        target, _ = self.follow(node.value)
        if isinstance(target, ast.Dict) and key_text:
            for k, v in zip(target.keys, target.values, strict=True):
                if isinstance(k, ast.Constant) and k.value == key_text:
                    return _named(key_text, self.text(v, depth))
        return hole(container, key_text, base=self.text(node.value, depth))

    def _call(self, node: ast.Call, depth: int) -> Text:
        func = node.func
        canonical = self.index.canonical(func) or ""
        args = node.args
        if canonical in _ENV_FUNCS or canonical.endswith(".getenv"):
            env = self.text(args[0], depth) if args else Text()
            return hole(env.literal or "", base=env)
        if canonical.endswith("urljoin") and len(args) >= 2:
            return urljoin_text(self.text(args[0], depth), self.text(args[1], depth))
        if canonical in ("str", "os.fspath") and len(args) == 1:
            return self.text(args[0], depth)
        if canonical in ("os.path.join", "posixpath.join"):
            pieces = [self.text(a, depth) for a in args]
            return join_with(lit("/"), pieces)
        if isinstance(func, ast.Attribute):
            return self._method(node, func, depth)
        return hole(canonical)

    def _method(self, node: ast.Call, func: ast.Attribute, depth: int) -> Text:
        args, name = node.args, func.attr
        if name == "format":
            return self._format(node, func, depth)
        if name == "join" and len(args) == 1 and isinstance(args[0], ast.List | ast.Tuple):
            return join_with(self.text(func.value, depth), [self.text(e, depth) for e in args[0].elts])
        receiver = self.text(func.value, depth)
        if name in ("strip", "rstrip", "lstrip"):
            chars = self.text(args[0], depth).literal if args else None
            return strip(receiver, name, chars)
        if name in ("lower", "upper") and not args:
            return Text(tuple(getattr(p, name)() if isinstance(p, str) else p for p in receiver.parts),
                        receiver.hints, receiver.nodes)
        if name == "get" and args:  # config.get("runai_url"): the key names what it holds
            key = self.text(args[0], depth).literal or ""
            return hole(dotted_name(func) or name, key, base=receiver)
        if name == "replace" and len(args) == 2 and receiver.literal is not None:
            old, new = self.text(args[0], depth).literal, self.text(args[1], depth).literal
            if old is not None and new is not None:
                return Text((receiver.literal.replace(old, new),), receiver.hints, receiver.nodes)
        return hole(dotted_name(func) or name, base=receiver)

    def _format(self, node: ast.Call, func: ast.Attribute, depth: int) -> Text:
        args = [self.text(a, depth) for a in node.args if not isinstance(a, ast.Starred)]
        kwargs = {k.arg: self.text(k.value, depth) for k in node.keywords if k.arg}
        return format_text(self.text(func.value, depth), args, kwargs)

    def _percent(self, node: ast.BinOp, depth: int) -> Text:
        right = node.right
        values = right.elts if isinstance(right, ast.Tuple) else [right]
        texts = [self.text(v, depth) for v in values]
        return percent_text(self.text(node.left, depth), texts, by_name=isinstance(right, ast.Dict))


def _named(name: str, inner: Text | None) -> Text:
    if inner is None:
        return hole(name)
    return Text(inner.parts, inner.hints | {name}, inner.nodes)
