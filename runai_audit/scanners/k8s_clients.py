"""Kubernetes clients in Go and TypeScript that reach Run:ai's CRDs, read lexically.

Recognised, each becoming an ApiCall on `{**}/apis/<group>/<version>/[namespaces/{*}/]<plural>`:

- Go: `schema.GroupVersionResource{Group: "run.ai", Version: "v2alpha1", Resource: "..."}`
  (keyed or positional) and `schema.GroupVersion{...}.WithResource("...")`; the HTTP method
  comes from the dynamic-client chain that uses it (`.Resource(gvr).Namespace(ns).Create(`),
  one call per verb found, `*` when none is. Generated clientsets:
  `.RunV2alpha1().TrainingWorkloads(ns).Create(`.
- TypeScript / JavaScript (@kubernetes/client-node): `createNamespacedCustomObject("run.ai",
  "v2alpha1", ns, "trainingworkloads", body)` and the object-parameter form
  `createNamespacedCustomObject({group, version, namespace, plural, body})`, with the get /
  list / replace / patch / delete and cluster-scoped variants.

Group, version and plural may be string literals or names bound to one in the same file
(`const group = "run.ai"`). Only group run.ai is reported; an unresolved version or plural
becomes `{*}` with medium confidence. Nothing is executed or type-checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from runai_audit.models import ApiCall, Confidence, Location
from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.shell.positions import LineIndex

RUNAI_GROUP = "run.ai"
GO_VERBS = {
    "Create": "POST", "Get": "GET", "List": "GET", "Watch": "GET", "Update": "PUT",
    "UpdateStatus": "PUT", "Patch": "PATCH", "Apply": "PATCH", "ApplyStatus": "PATCH",
    "Delete": "DELETE", "DeleteCollection": "DELETE",
}  # fmt: skip
_NAMED_GO_VERBS = ("Get", "Update", "UpdateStatus", "Patch", "Apply", "ApplyStatus", "Delete")
TS_VERBS = {"create": "POST", "get": "GET", "list": "GET", "replace": "PUT", "patch": "PATCH", "delete": "DELETE"}

_STRING = r"(?:\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|`[^`]*`)"
_BINDING = re.compile(r"\b([A-Za-z_]\w*)\s*(?::=|=)\s*(" + _STRING + r")")
_GVR = re.compile(r"\b(?:\w+\.)?GroupVersionResource\s*\{([^{}]*)\}")
_GV_WITH = re.compile(r"\b(?:\w+\.)?GroupVersion\s*\{([^{}]*)\}\s*\.\s*WithResource\(\s*([^()]*?)\s*\)")
_TYPED = re.compile(r"\.Run(V\w+)\(\)\s*\.\s*([A-Z]\w*)\(([^()]*)\)\s*\.\s*(\w+)\(")
_TS_CALL = re.compile(r"\b(create|get|list|replace|patch|delete)(Namespaced|Cluster)CustomObject(Status|Scale)?\s*\(")
_CHAIN = re.compile(r"\s*(\.\s*Namespace\([^()]*\))?\s*\.\s*(\w+)\(")


def _unquote(token: str) -> str | None:
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"'`":
        return token[1:-1]
    return None


class _Resolver:
    """String literals, and names bound to one literal anywhere in the file."""

    def __init__(self, text: str) -> None:
        self.names: dict[str, str] = {}
        for found in _BINDING.finditer(text):
            value = _unquote(found.group(2))
            if value is not None:
                self.names[found.group(1)] = value

    def __call__(self, token: str | None) -> str | None:
        if token is None:
            return None
        literal = _unquote(token)
        if literal is not None:
            return literal
        name = token.strip().rsplit(".", 1)[-1]
        return self.names.get(name)


def _in_comment(text: str, start: int) -> bool:
    line = text[text.rfind("\n", 0, start) + 1 : start].lstrip()
    return line.startswith(("//", "*", "/*"))


def _split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments of a call, up to its closing parenthesis."""
    args, depth, current, quote = [], 0, [], ""
    for index, char in enumerate(text):
        if quote:
            current.append(char)
            if char == quote and text[index - 1] != "\\":
                quote = ""
            continue
        if char in "\"'`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif char == "," and depth == 0:
            args.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    tail = "".join(current).strip()
    return [*args, tail] if tail or args else args


def _keyed(body: str) -> dict[str, str]:
    """`Group: "run.ai", Version: v` or `group: 'run.ai', plural` (shorthand) -> lower-case keys."""
    out: dict[str, str] = {}
    for part in _split_args(body):
        key, sep, value = part.partition(":")
        key = key.strip().strip("\"'").lower()
        out[key] = value.strip() if sep else key  # `{ group }` shorthand binds a same-named const
    return out


def _url(group: str, version: str | None, plural: str | None, namespaced: bool, named: bool) -> str:
    where = "/namespaces/{*}" if namespaced else ""
    name = "/{*}" if named else ""
    return f"{{**}}/apis/{group}/{version or '{*}'}{where}/{plural or '{*}'}{name}"


def _call(method: str, url: str, location: Location, resolved: bool, evidence: str) -> ApiCall:
    confidence = Confidence.HIGH if resolved and method != "*" else Confidence.MEDIUM
    return ApiCall(method=method, url=url, location=location, confidence=confidence, evidence=evidence)


def _go_usages(text: str, literal_end: int, variable: str | None) -> list[tuple[str, bool, bool]]:
    """(method, namespaced, named) for every dynamic-client chain using the resource."""
    found: list[tuple[str, bool, bool]] = []
    tails = []
    inline = re.match(r"\s*\)", text[literal_end:])
    if inline:
        tails.append(literal_end + inline.end())
    if variable:
        tails.extend(m.end() for m in re.finditer(r"\.Resource\(\s*" + re.escape(variable) + r"\s*\)", text))
    for tail in tails:
        chain = _CHAIN.match(text, tail)
        if chain and chain.group(2) in GO_VERBS:
            verb = chain.group(2)
            found.append((GO_VERBS[verb], chain.group(1) is not None, verb in _NAMED_GO_VERBS))
    return list(dict.fromkeys(found))


def _scan_go(text: str, path: str, resolve: _Resolver, index: LineIndex) -> Iterator[ApiCall]:
    literals: list[tuple[int, int, dict[str, str | None]]] = []
    for found in _GVR.finditer(text):
        keyed = _keyed(found.group(1))
        if "group" in keyed or "version" in keyed or "resource" in keyed:
            parts = {k: resolve(keyed.get(k)) for k in ("group", "version", "resource")}
        else:
            positional = [*_split_args(found.group(1)), "", "", ""][:3]
            parts = dict(zip(("group", "version", "resource"), map(resolve, positional), strict=True))
        literals.append((found.start(), found.end(), parts))
    for found in _GV_WITH.finditer(text):
        keyed = _keyed(found.group(1))
        parts = {"group": resolve(keyed.get("group")), "version": resolve(keyed.get("version"))}
        parts["resource"] = resolve(found.group(2))
        literals.append((found.start(), found.end(), parts))
    for start, end, parts in sorted(literals, key=lambda item: item[0]):
        if parts["group"] != RUNAI_GROUP or _in_comment(text, start):
            continue
        before = text[text.rfind("\n", 0, start) + 1 : start]
        bound = re.search(r"(\w+)\s*(?::=|=)\s*(?:&)?$", before)
        usages = _go_usages(text, end, bound.group(1) if bound else None) or [("*", True, False)]
        resolved = parts["version"] is not None and parts["resource"] is not None
        line, column = index.position(start)
        for method, namespaced, named in usages:
            url = _url(RUNAI_GROUP, parts["version"], parts["resource"], namespaced, named)
            yield _call(method, url, Location(path, line, column), resolved, "GroupVersionResource")
    for found in _TYPED.finditer(text):
        version, kind_plural, verb = found.group(1), found.group(2), found.group(4)
        if verb not in GO_VERBS or _in_comment(text, found.start()):
            continue
        line, column = index.position(found.start() + 1)
        url = _url(RUNAI_GROUP, version[0].lower() + version[1:], kind_plural.lower(), bool(found.group(3).strip()), verb in _NAMED_GO_VERBS)
        yield _call(GO_VERBS[verb], url, Location(path, line, column), True, f"Run{version}().{kind_plural}")


def _scan_ts(text: str, path: str, resolve: _Resolver, index: LineIndex) -> Iterator[ApiCall]:
    for found in _TS_CALL.finditer(text):
        if _in_comment(text, found.start()):
            continue
        verb, scope, sub = found.group(1), found.group(2), found.group(3)
        args = _split_args(text[found.end() :])
        namespaced = scope == "Namespaced"
        names = ("group", "version", "namespace", "plural", "name") if namespaced else ("group", "version", "plural", "name")
        if args and args[0].startswith("{"):
            fields = _keyed(args[0][1:].rstrip("}"))
            values = {k: resolve(fields.get(k)) for k in names}
        else:
            values = {k: resolve(a) for k, a in zip(names, args, strict=False)}  # calls may omit the name
        if values.get("group") != RUNAI_GROUP:
            continue
        named = verb in ("get", "replace", "patch", "delete") or sub is not None
        url = _url(RUNAI_GROUP, values.get("version"), values.get("plural"), namespaced, named)
        if sub:
            url += "/" + sub.lower()
        resolved = values.get("version") is not None and values.get("plural") is not None
        line, column = index.position(found.start())
        yield _call(TS_VERBS[verb], url, Location(path, line, column), resolved, found.group().rstrip("( "))


def scan_k8s_clients(text: str, path: str) -> ScanResult:
    """ApiCalls for Run:ai CRD access through Kubernetes client libraries in Go or TS/JS."""
    result = ScanResult()
    if RUNAI_GROUP not in text and ".RunV" not in text:
        return result
    resolve, index = _Resolver(text), LineIndex(text)
    scanner = _scan_go if path.endswith(".go") else _scan_ts
    result.observations.extend(scanner(text, path, resolve, index))
    return result
