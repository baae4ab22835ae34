"""Calls through the runapy SDK, the generated Python client of the Run:ai REST API.

runapy is imported as `runai` (`from runai.runai_client import RunaiClient`) and exposes every
operation as a method named after its operationId, reached through attribute chains such as
`client.organizations.projects.get_projects()`. In a module that imports it, every call of a
snake_case method through a chain of at least two attributes becomes an SdkCall; the engine
keeps those whose name is an operationId and ignores the rest.
"""

from __future__ import annotations

import ast
import re

from runai_audit.models import SdkCall
from runai_audit.scanners.python.context import Context

IMPORTS_RUNAPY = re.compile(r"^\s*(?:from\s+runai(?:\.|\s+import)|import\s+runai\b)", re.MULTILINE)
SNAKE_METHOD = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")
MIN_CHAIN = 2  # client.<group>.<method> at the least


def imports_runapy(source: str) -> bool:
    return IMPORTS_RUNAPY.search(source) is not None


def _chain(node: ast.expr) -> list[str] | None:
    """`client.organizations.projects` -> ["client", "organizations", "projects"]."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return parts[::-1]
    if isinstance(node, ast.Call):  # RunaiClient(...).projects.get_projects()
        inner = _chain(node.func)
        return [*inner, "()", *parts[::-1]] if inner else None
    return None


def detect_sdk_call(ctx: Context, call: ast.Call) -> SdkCall | None:
    func = call.func
    if not isinstance(func, ast.Attribute) or not SNAKE_METHOD.match(func.attr):
        return None
    receiver = _chain(func.value)
    if receiver is None or len(receiver) < MIN_CHAIN:
        return None
    lineno = getattr(func, "end_lineno", None) or call.lineno
    end_col = getattr(func, "end_col_offset", None)
    column = ctx.column(lineno, end_col - len(func.attr)) if end_col is not None else ctx.column(call.lineno, call.col_offset)
    return SdkCall(
        method=func.attr,
        location=ctx.at(lineno, column),
        receiver=".".join(receiver),
        evidence=ctx.evidence(lineno),
    )
