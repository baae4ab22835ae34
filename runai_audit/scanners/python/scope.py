"""The records of a module's bindings, and the one pass that fills them from the syntax tree.

Assignments per scope (module, class, function), attributes set on `self` in any method of a
class, and in-place changes to a name (`body["k"] = v`, `cmd.append(x)`, `cmd += [...]`).
Nothing is executed; a binding that cannot be followed (a loop variable, an import, a
parameter) is recorded as opaque so lookups stop there.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

__all__ = ["Binding", "Mutation", "Scope", "ScopeBuilder", "dotted_name", "position"]

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


@dataclass(eq=False)
class Binding:
    """`name` bound by `stmt`; `value` is the right-hand side when there is a plain one.

    kind: "assign" (value set), "augadd" (`name += value`), "param" or "opaque" (value None).
    """

    name: str
    stmt: ast.AST
    value: ast.expr | None
    scope: Scope
    kind: str = "assign"


@dataclass(eq=False)
class Mutation:
    """An in-place change to the object a name holds.

    kind: "setitem" (keys = literal subscript chain, node = the assigned value),
    "update" / "append" / "extend" / "insert" (node = the call), "augadd" (node = the value).
    """

    stmt: ast.AST
    kind: str
    node: ast.expr
    keys: tuple[ast.Constant, ...] = ()


@dataclass(eq=False)
class Scope:
    node: ast.AST
    kind: str  # module | class | function
    parent: Scope | None
    name: str = ""
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    mutations: dict[str, list[Mutation]] = field(default_factory=dict)
    # classes: attributes from the class body and from `self.x = ...` in its methods
    attrs: dict[str, list[Binding]] = field(default_factory=dict)
    bases: tuple[str, ...] = ()
    # methods: the class they belong to and the name of their first parameter
    owner: Scope | None = None
    self_name: str | None = None

    def bind(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)


def dotted_name(node: ast.AST) -> str | None:
    """`a.b.c` for a Name/Attribute chain, None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


class ScopeBuilder:
    """Walks statements once, filling scopes, module-level classes and import aliases."""

    def __init__(self, tree: ast.Module) -> None:
        self.scopes: dict[int, Scope] = {}  # id(scope node) -> Scope
        self.classes: dict[str, Scope] = {}  # module-level class name -> scope
        self.aliases: dict[str, str] = {}  # local name -> dotted import path
        self.module = Scope(tree, "module", None)
        self.scopes[id(tree)] = self.module
        self._statements(tree.body, self.module)

    def _statements(self, body: list[ast.stmt], scope: Scope) -> None:
        for stmt in body:
            self._statement(stmt, scope)

    def _statement(self, stmt: ast.stmt, scope: Scope) -> None:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            scope.bind(Binding(stmt.name, stmt, None, scope, "opaque"))
            self._function(stmt, scope)
            return
        if isinstance(stmt, ast.ClassDef):
            scope.bind(Binding(stmt.name, stmt, None, scope, "opaque"))
            cls = Scope(stmt, "class", scope, stmt.name,
                        bases=tuple(n for n in (dotted_name(b) for b in stmt.bases) if n))
            self.scopes[id(stmt)] = cls
            if scope.kind == "module":
                self.classes[stmt.name] = cls
            self._statements(stmt.body, cls)
            return
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                self._target(target, stmt.value, stmt, scope)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self._target(stmt.target, stmt.value, stmt, scope)
        elif isinstance(stmt, ast.AugAssign):
            self._augassign(stmt, scope)
        elif isinstance(stmt, ast.For | ast.AsyncFor):
            self._opaque_targets(stmt.target, stmt, scope)
        elif isinstance(stmt, ast.With | ast.AsyncWith):
            for item in stmt.items:
                if item.optional_vars is not None:
                    self._target(item.optional_vars, item.context_expr, stmt, scope)
        elif isinstance(stmt, ast.Import | ast.ImportFrom):
            self._import(stmt, scope)
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            self._method_mutation(stmt.value, stmt, scope)
        for handler in getattr(stmt, "handlers", ()):
            if isinstance(handler, ast.ExceptHandler) and handler.name:
                scope.bind(Binding(handler.name, handler, None, scope, "opaque"))
        self._walrus_and_lambdas(stmt, scope)
        for child_body in _child_bodies(stmt):
            self._statements(child_body, scope)

    def _function(self, node: FunctionNode, scope: Scope) -> None:
        func = Scope(node, "function", scope, getattr(node, "name", "<lambda>"))
        self.scopes[id(node)] = func
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        params += [a for a in (args.vararg, args.kwarg) if a is not None]
        for arg in params:
            func.bind(Binding(arg.arg, node, None, func, "param"))
        if scope.kind == "class" and not isinstance(node, ast.Lambda):
            positional = [*args.posonlyargs, *args.args]
            static = any(dotted_name(d) == "staticmethod" for d in node.decorator_list)
            if positional and not static:
                func.owner, func.self_name = scope, positional[0].arg
        if isinstance(node, ast.Lambda):
            self._walrus_and_lambdas(node.body, func)
        else:
            self._statements(node.body, func)

    def _walrus_and_lambdas(self, stmt: ast.AST, scope: Scope) -> None:
        """Lambdas and := inside the expressions of one statement (not nested bodies)."""
        stack = [c for c in ast.iter_child_nodes(stmt) if not isinstance(c, ast.stmt)]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Lambda):
                self._function(node, scope)
                continue
            if isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
                scope.bind(Binding(node.target.id, stmt, node.value, scope))
            stack.extend(ast.iter_child_nodes(node))

    def _target(self, target: ast.expr, value: ast.expr, stmt: ast.AST, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            scope.bind(Binding(target.id, stmt, value, scope))
        elif isinstance(target, ast.Tuple | ast.List):
            if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
                for sub_target, sub_value in zip(target.elts, value.elts, strict=True):
                    self._target(sub_target, sub_value, stmt, scope)
            else:
                self._opaque_targets(target, stmt, scope)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            if scope.owner is not None and target.value.id == scope.self_name:
                scope.owner.attrs.setdefault(target.attr, []).append(
                    Binding(target.attr, stmt, value, scope))
        elif isinstance(target, ast.Subscript):
            root, keys = _subscript_chain(target)
            if root is not None:
                scope.mutations.setdefault(root, []).append(Mutation(stmt, "setitem", value, keys))
        elif isinstance(target, ast.Starred):
            self._opaque_targets(target, stmt, scope)
        if scope.kind == "class" and isinstance(target, ast.Name):
            scope.attrs.setdefault(target.id, []).append(Binding(target.id, stmt, value, scope))

    def _opaque_targets(self, target: ast.AST, stmt: ast.AST, scope: Scope) -> None:
        for node in ast.walk(target):
            if isinstance(node, ast.Name):
                scope.bind(Binding(node.id, stmt, None, scope, "opaque"))

    def _augassign(self, stmt: ast.AugAssign, scope: Scope) -> None:
        if not isinstance(stmt.target, ast.Name):
            return
        name = stmt.target.id
        if isinstance(stmt.op, ast.Add):
            scope.bind(Binding(name, stmt, stmt.value, scope, "augadd"))
            scope.mutations.setdefault(name, []).append(Mutation(stmt, "augadd", stmt.value))
        else:
            scope.bind(Binding(name, stmt, None, scope, "opaque"))

    def _method_mutation(self, call: ast.Call, stmt: ast.AST, scope: Scope) -> None:
        func = call.func
        if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
                and func.attr in ("update", "append", "extend", "insert")):
            scope.mutations.setdefault(func.value.id, []).append(Mutation(stmt, func.attr, call))

    def _import(self, stmt: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        for alias in stmt.names:
            if isinstance(stmt, ast.Import):
                local = alias.asname or alias.name.partition(".")[0]
                self.aliases[local] = alias.name if alias.asname else local
            else:
                if alias.name == "*":
                    continue
                local = alias.asname or alias.name
                module = "." * stmt.level + (stmt.module or "")
                self.aliases[local] = f"{module}.{alias.name}" if module else alias.name
            scope.bind(Binding(local, stmt, None, scope, "opaque"))


def _subscript_chain(target: ast.Subscript) -> tuple[str | None, tuple[ast.Constant, ...]]:
    """`body["spec"]["x"]` -> ("body", (<"spec">, <"x">)); (None, ()) if any key is not literal."""
    keys: list[ast.Constant] = []
    node: ast.expr = target
    while isinstance(node, ast.Subscript):
        key = node.slice
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return None, ()
        keys.append(key)
        node = node.value
    if isinstance(node, ast.Name):
        return node.id, tuple(reversed(keys))
    return None, ()


def _child_bodies(stmt: ast.stmt) -> list[list[ast.stmt]]:
    bodies: list[list[ast.stmt]] = []
    for name in ("body", "orelse", "finalbody"):
        value = getattr(stmt, name, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            bodies.append(value)
    for handler in getattr(stmt, "handlers", ()):  # try / try-star
        bodies.append(handler.body)
    if isinstance(stmt, ast.Match):
        bodies.extend(case.body for case in stmt.cases)
    return bodies
