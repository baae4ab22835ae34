"""Who binds what, where: lookups over the bindings of one parsed module.

The resolver asks "what was `url` bound to before this line?" and "what is `self.base`?". The
index answers with Python's scope rules (a method does not see its class body's names) from the
records python.scope builds, plus a parent map of the syntax tree.
"""

from __future__ import annotations

import ast

from runai_audit.scanners.python.scope import (
    Binding,
    FunctionNode,
    Mutation,
    Scope,
    ScopeBuilder,
    dotted_name,
    position,
)

__all__ = ["Binding", "Index", "Mutation", "Scope", "dotted_name"]


class Index:
    """Parents, scopes, bindings and import aliases of one module."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.parents: dict[int, ast.AST] = {}
        stack: list[ast.AST] = [tree]  # one pass over the children (ast.walk would list them twice)
        while stack:
            parent = stack.pop()
            for child in ast.iter_child_nodes(parent):
                self.parents[id(child)] = parent
                stack.append(child)
        built = ScopeBuilder(tree)
        self.scopes = built.scopes
        self.classes = built.classes
        self.aliases = built.aliases
        self.module = built.module

    # ------------------------------------------------------------------ queries

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(id(node))

    def statement_of(self, node: ast.AST) -> ast.AST:
        current: ast.AST | None = node
        while current is not None and not isinstance(current, ast.stmt):
            current = self.parent(current)
        return current if current is not None else node

    def scope_of(self, node: ast.AST) -> Scope:
        current = self.parent(node)
        while current is not None:
            scope = self.scopes.get(id(current))
            if scope is not None and not self._is_header_part(node, current):
                return scope
            node, current = current, self.parent(current)
        return self.module

    @staticmethod
    def _is_header_part(child: ast.AST, scope_node: ast.AST) -> bool:
        """Decorators, defaults and bases belong to the enclosing scope, not the def's own."""
        if (isinstance(scope_node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                and child in scope_node.decorator_list):
            return True
        if isinstance(scope_node, ast.ClassDef):
            return child in scope_node.bases or child in scope_node.keywords
        if isinstance(scope_node, FunctionNode):
            args = scope_node.args
            return child is args or child in args.defaults or child in args.kw_defaults
        return False

    def canonical(self, node: ast.AST) -> str | None:
        """Dotted name with the first part replaced by what it was imported as."""
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        full = self.aliases.get(head, head)
        return f"{full}.{rest}" if rest else full

    def lookup(self, name: str, at: ast.AST) -> Binding | None:
        """The binding of `name` visible at node `at`, following Python's scope rules."""
        scope: Scope | None = self.scope_of(at)
        use = position(self.statement_of(at))
        own = True
        while scope is not None:
            if scope.kind != "class" or own:
                found = _pick(scope.bindings.get(name, ()), use, own)
                if found is not None:
                    return found
            scope, own = scope.parent, False
        return None

    def lookup_before(self, binding: Binding) -> Binding | None:
        """The binding of the same name that an augmented assignment extends."""
        earlier = [b for b in binding.scope.bindings.get(binding.name, ())
                   if position(b.stmt) < position(binding.stmt)]
        return earlier[-1] if earlier else None

    def class_for_receiver(self, receiver: ast.expr) -> Scope | None:
        """The class scope when `receiver` is `self` / `cls` in a method, or a class name."""
        if not isinstance(receiver, ast.Name):
            return None
        scope: Scope | None = self.scope_of(receiver)
        while scope is not None:
            if scope.owner is not None and scope.self_name == receiver.id:
                return scope.owner
            scope = scope.parent
        return self.classes.get(receiver.id)

    def lookup_attr(self, cls: Scope, attr: str, at: ast.AST, depth: int = 0) -> Binding | None:
        """`self.attr` in class `cls` (or a base class defined in this module)."""
        candidates = cls.attrs.get(attr, [])
        if candidates:
            use_scope = self.scope_of(at)
            use = position(self.statement_of(at))
            same = [b for b in candidates if b.scope is use_scope and position(b.stmt) < use]
            if same:
                return same[-1]
            init = [b for b in candidates if b.scope.name == "__init__"]
            return (init or candidates)[-1]
        if depth < 5:
            for base in cls.bases:
                base_scope = self.classes.get(base)
                if base_scope is not None and base_scope is not cls:
                    found = self.lookup_attr(base_scope, attr, at, depth + 1)
                    if found is not None:
                        return found
        return None

    def mutations_between(self, binding: Binding, at: ast.AST) -> list[Mutation]:
        """In-place changes to `binding.name` in its scope after it was bound and before `at`."""
        start = position(binding.stmt)
        end = position(self.statement_of(at))
        return [m for m in binding.scope.mutations.get(binding.name, ())
                if start < position(m.stmt) < end]

    def mutations_after(self, binding: Binding) -> list[Mutation]:
        """In-place changes to `binding.name` until the name is next rebound in its scope."""
        start = position(binding.stmt)
        later = [position(b.stmt) for b in binding.scope.bindings.get(binding.name, ())
                 if b.kind == "assign" and position(b.stmt) > start]
        end = min(later) if later else (10**9, 0)
        return [m for m in binding.scope.mutations.get(binding.name, ())
                if start < position(m.stmt) < end]

def _pick(bindings: list[Binding] | tuple[Binding, ...], use: tuple[int, int], own: bool
          ) -> Binding | None:
    if not bindings:
        return None
    before = [b for b in bindings if position(b.stmt) < use or b.kind == "param"]
    if before:
        return before[-1]
    # Own scope: a later binding (a loop body, say) is a guess, but better than nothing.
    # Enclosing scopes: functions run after the module body, so the last binding wins.
    return bindings[-1] if not own else bindings[0]


