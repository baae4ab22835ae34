"""Run:ai API URLs kept as plain values of YAML and JSON files.

A ConfigMap (`PROJECTS_URL: https://acme.run.ai/v1/k8s/clusters/abc/projects`), a settings
file or an Ansible `uri` task (`url: "{{ runai_url }}/v1/k8s/..."`) names an endpoint the
program reading it will call. Every scalar value that is one URL or path whose path starts with
a Run:ai API prefix becomes an ApiCall of low confidence (nothing says how, or whether, it is
called) at the value's position. The method is `*` unless a sibling key says it
(`method: POST`, as Ansible's `uri` module writes it).

Left out: the shell steps of CI files (the shell scanner reads those, with their real
methods), `apiVersion` values (`run.ai/v2alpha1` is a manifest's group, not a URL), and
mappings that say whether an endpoint is deprecated or what replaces it (`deprecated:`,
`replacement:` keys, as in a rule catalog row or a spec diff): they describe endpoints rather
than call them.
"""

from __future__ import annotations

import re

from runai_audit.models import ApiCall, Confidence, Location, QueryParam
from runai_audit.scanners.manifest.ci import script_scalars
from runai_audit.scanners.manifest.docs import Doc, embedded_offsets
from runai_audit.scanners.manifest.walk import WalkBudget
from runai_audit.scanners.manifest.yaml import YNode
from runai_audit.scanners.python.fallback import is_runai_path
from runai_audit.scanners.shell.cli import evidence
from runai_audit.scanners.shell.url import names_runai, shape_url

METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
MAX_URL_CHARS = 2_000
_PLACEHOLDERS = re.compile(r"\{\{.*?\}\}|\$\{[^}]*\}|\{%.*?%\}")
DESCRIBING_KEYS = ("deprecated", "replacement")


def config_api_calls(
    doc: Doc, path: str, line_offset: int = 0, col_offset: int = 0, *, ci: bool = False
) -> list[ApiCall]:
    """An ApiCall for every scalar value of `doc` that is a Run:ai API URL or path.

    `ci`: the document is a CI file, whose shell steps are left out.
    """
    skip = {id(node) for node in script_scalars(doc, path)} if ci else set()
    calls: list[ApiCall] = []
    budget = WalkBudget()
    # (node, key it sits under, the mapping holding that key, reached through an alias)
    work: list[tuple[YNode, str, YNode | None, bool]] = [(doc.root, "", None, False)]
    while work:
        node, key, parent, via_alias = work.pop()
        via_alias = budget.visit(node, via_alias)
        if node.kind == "map":
            if any(node.get(word) is not None for word in DESCRIBING_KEYS):
                continue
            children = [(v, k.value if k.kind == "scalar" else "", node, via_alias) for k, v in node.pairs()]
            work.extend(reversed(children))
        elif node.kind == "seq":
            work.extend((child, key, parent, via_alias) for child in reversed(node.children))
        elif key != "apiVersion" and id(node) not in skip:
            call = _call(doc, node, key, parent, path, line_offset, col_offset)
            if call is not None:
                calls.append(call)
    return calls


def _value_text(doc: Doc, node: YNode) -> str:
    """The value as written: a one-line templated value keeps its tags (masking filled them)."""
    if node.line == node.end_line and doc.templated(node):
        text = doc.original(node)
        return text[1:-1] if node.style in ("'", '"') and len(text) >= 2 else text
    return node.value


def _call(
    doc: Doc, node: YNode, key: str, parent: YNode | None, path: str, line_offset: int, col_offset: int
) -> ApiCall | None:
    if "/" not in node.value or len(node.value) > MAX_URL_CHARS:
        return None
    text = _value_text(doc, node)
    if len(_PLACEHOLDERS.sub("_", text).split()) != 1:
        return None  # a sentence or a command line, not one URL
    shape = shape_url(text)
    if shape is None or not is_runai_path(shape.path):
        return None
    line, column = embedded_offsets(doc, node)
    column += len(text) - len(text.lstrip())
    line, column = line + 1 + line_offset, column + 1 + col_offset
    lead = len(text) - len(text.lstrip())
    query = tuple(QueryParam(name, Location(path, line, column + at - lead)) for name, at in shape.query)
    return ApiCall(
        method=_sibling_method(parent),
        url=shape.url,
        location=Location(path, line, column),
        query=query,
        confidence=Confidence.LOW,
        evidence=evidence(f"{key}: {shape.url}" if key else shape.url),
        runai_hint=shape.hint or names_runai(key),
    )


def _sibling_method(parent: YNode | None) -> str:
    if parent is None:
        return "*"
    for key, value in parent.pairs():
        if key.kind == "scalar" and key.value.lower() == "method" and value.kind == "scalar":
            method = value.value.strip().upper()
            return method if method in METHODS else "*"
    return "*"
