"""Keys a script reads from decoded JSON: `wl["urls"]`, `wl.get("urls")`, `wl.get("urls", [])`.

Responses change too: Run:ai deprecates response fields (GET /api/v1/workloads `urls` and
`externalConnections` in 2.25, `idleGpus` in 2.20). A script that reads them breaks silently
when they go. Only string keys that look like JSON field names are kept; which reads matter is
the engine's business (it ties them to the Run:ai operations the same file calls).
"""

from __future__ import annotations

import ast
import re

from runai_audit.models import FieldRead
from runai_audit.scanners.python.context import Context

JSON_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{1,63}$")


def _key_node(node: ast.AST) -> ast.Constant | None:
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        key = node.slice
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
          and node.args and not node.keywords):
        key = node.args[0]
    else:
        return None
    if isinstance(key, ast.Constant) and isinstance(key.value, str) and JSON_KEY.match(key.value):
        return key
    return None


def detect_read(ctx: Context, node: ast.AST) -> FieldRead | None:
    key = _key_node(node)
    if key is None:
        return None
    assert isinstance(key.value, str)
    return FieldRead(name=key.value, location=ctx.location(key), evidence=ctx.evidence(key.lineno))
