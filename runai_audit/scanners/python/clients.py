"""Which objects are HTTP clients, and what base URL they carry.

An object built by a known constructor (`requests.Session()`, `httpx.Client(base_url=...)`,
`aiohttp.ClientSession(...)`, `urllib3.PoolManager()`, `http.client.HTTPSConnection(host)`) is a
client, whether it is called directly, bound to a name, to `self.x`, or entered with `with`.
An object whose name only suggests a client (`self.session`, `api`, `runai_client`) is a
"named" client: its calls count when their argument looks like a URL.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from runai_audit.scanners.python.context import Context
from runai_audit.scanners.python.index import dotted_name
from runai_audit.scanners.python.resolve import Resolver
from runai_audit.scanners.python.text import Text, concat, hole, lit

__all__ = ["HTTP_MODULES", "Client", "call_argument", "client_base", "client_of", "last_name"]

HTTP_MODULES = frozenset({"requests", "requests.api", "httpx", "aiohttp", "urllib3"})
# constructor -> kind; "http" / "https" kinds take a host (and port) instead of a base URL
_CONSTRUCTORS: dict[str, str] = {
    "requests.Session": "requests", "requests.session": "requests",
    "requests.sessions.Session": "requests",
    "httpx.Client": "httpx", "httpx.AsyncClient": "httpx",
    "aiohttp.ClientSession": "aiohttp", "aiohttp.client.ClientSession": "aiohttp",
    "urllib3.PoolManager": "urllib3", "urllib3.ProxyManager": "urllib3",
    "urllib3.poolmanager.PoolManager": "urllib3",
    "urllib3.HTTPConnectionPool": "http", "urllib3.HTTPSConnectionPool": "https",
    "http.client.HTTPConnection": "http", "http.client.HTTPSConnection": "https",
    "httplib.HTTPConnection": "http", "httplib.HTTPSConnection": "https",
}
_CLIENTISH = re.compile(r"session|client|http|conn|api|rest|requester", re.IGNORECASE)


@dataclass(frozen=True)
class Client:
    kind: str  # a _CONSTRUCTORS kind, or "named" when only the name suggests a client
    constructor: ast.Call | None  # where the base URL / host is given
    names: frozenset[str]  # how the code refers to the client, for the Run:ai hint

    @property
    def is_connection(self) -> bool:
        return self.kind in ("http", "https")


def call_argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    """An argument by keyword, else by position (None when absent)."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    args = [a for a in call.args if not isinstance(a, ast.Starred)]
    return args[position] if 0 <= position < len(args) else None


def last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return last_name(node.func)
    return ""


def client_of(ctx: Context, receiver: ast.expr) -> Client | None:
    """The client a method is called on, or None when the receiver is not one."""
    names = frozenset(n for n in [dotted_name(receiver)] if n)
    if isinstance(receiver, ast.Call):
        built = _constructed(ctx, receiver, names)
        if built is not None:
            return built
    elif isinstance(receiver, ast.Name | ast.Attribute):
        if ctx.index.canonical(receiver) in HTTP_MODULES:
            return None
        target, binding = ctx.resolver.follow(receiver)
        if isinstance(target, ast.Call):
            built = _constructed(ctx, target, names | {binding.name} if binding else names)
            if built is not None:
                return built
        if binding is not None and binding.kind == "opaque" and binding.name in ctx.index.aliases:
            return None  # an imported module or class, not an instance
    last = last_name(receiver)
    if last and _CLIENTISH.search(last):
        return Client("named", None, names)
    return None


def _constructed(ctx: Context, call: ast.Call, names: frozenset[str]) -> Client | None:
    kind = _CONSTRUCTORS.get(ctx.index.canonical(call.func) or "")
    return Client(kind, call, names) if kind is not None else None


def client_base(resolver: Resolver, client: Client | None) -> Text | None:
    """The base URL a client puts before relative paths; None when it has none."""
    if client is None or client.constructor is None:
        return None
    call = client.constructor
    if client.kind == "httpx":
        node = call_argument(call, -1, "base_url")
        return resolver.text(node) if node is not None else None
    if client.kind == "aiohttp":
        node = call_argument(call, 0, "base_url")
        return resolver.text(node) if node is not None else None
    if not client.is_connection:
        return None
    host = call_argument(call, 0, "host")
    if host is None:
        return hole()
    host_text = resolver.text(host)
    first = host_text.parts[0] if host_text.parts else ""
    scheme = lit("") if isinstance(first, str) and "://" in first else lit(client.kind + "://")
    pieces = [scheme, host_text]
    port = call_argument(call, 1, "port")
    if port is not None:
        pieces += [lit(":"), resolver.text(port)]
    return concat(*pieces)
