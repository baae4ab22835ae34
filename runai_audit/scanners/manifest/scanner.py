"""Kubernetes manifests (YAML, JSON, Helm / Jinja templates) -> ManifestObject observations.

Every mapping with a string `apiVersion` and `kind` at the top of a document becomes one
object, and so does every item of a `kind: *List` document (or of a top-level sequence) and
every object held inside another (an OpenShift template's `objects:`, Helm values listing
extra objects; below the top a mapping also needs `metadata` or `spec`, so references such as
`ownerReferences` are not objects). Each object carries every key path below it
(`spec.nodePool`, `spec.environment.items.FOO.value`, `spec.template.spec.containers[].image`)
at the exact line and column of its key.

A multi-line string that holds a manifest is read as one, at its true lines: inline Kustomize
patches (`patches[].patch`, `patchesStrategicMerge` items), Argo `manifest: |` resources,
manifests kept in ConfigMaps. Kustomize needs nothing else: its resources and patch files are
YAML files the walker visits anyway. `kubectl apply -f FILE` is covered the same way: FILE
itself is scanned.

Values that are Run:ai API URLs (a ConfigMap's `PROJECTS_URL`, an Ansible `uri` task) become
low-confidence ApiCalls (`manifest.urls`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from runai_audit.models import FieldRef, InputProblem, Location, ManifestObject, Observation
from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.manifest.ci import is_ci_file, scan_ci_yaml
from runai_audit.scanners.manifest.docs import Doc, embedded_offsets, read_documents
from runai_audit.scanners.manifest.urls import config_api_calls
from runai_audit.scanners.manifest.walk import KeyPath, WalkBudget, iter_key_paths
from runai_audit.scanners.manifest.yaml import YamlLimit, YNode

__all__ = ["looks_like_json", "scan_ci_yaml", "scan_manifest"]

MAX_VALUE_CHARS = 200  # longer scalars are never needed for matching
_API_VERSION = re.compile(r"^[ \t]*apiVersion[ \t]*:", re.M)
_KIND = re.compile(r"^[ \t]*kind[ \t]*:", re.M)


def looks_like_json(text: str, path: str) -> bool:
    if path.lower().endswith(".json"):
        return True
    head = text.lstrip()[:2]
    return head[:1] in ("{", "[") and head not in ("{{", "{%", "{#")


def scan_manifest(text: str, path: str, *, line_offset: int = 0, col_offset: int = 0) -> ScanResult:
    """Observations for every Kubernetes-style object in `text`.

    `line_offset` / `col_offset` place a manifest embedded in another file (a heredoc, an
    inline kustomize patch): line 1 of `text` is reported as line 1 + line_offset, and every
    column is shifted by col_offset.
    """
    result = ScanResult()
    docs, problems = read_documents(text, is_json=looks_like_json(text, path))
    ci = is_ci_file(text, path)  # its run steps are the shell scanner's
    for problem in problems:
        result.problems.append(InputProblem(path, problem.reason, problem.line + 1 + line_offset))
    for doc in docs:
        try:
            _scan_doc(doc, path, line_offset, col_offset, result, ci)
        except YamlLimit as exc:
            line = doc.chunk.first_line + exc.line + 1 + line_offset
            result.problems.append(InputProblem(path, exc.reason, line))
    result.observations = _merge_readings(result.observations)
    return result


def _merge_readings(observations: list[Observation]) -> list[Observation]:
    """One observation per place: a template read once per if/else branch sees what lies
    outside the branches in every reading. An object seen twice keeps the fields of both."""
    merged: dict[object, Observation] = {}
    for obs in observations:
        key: object = (obs.api_version, obs.kind, obs.location) if isinstance(obs, ManifestObject) else obs
        first = merged.get(key)
        if first is None:
            merged[key] = obs
        elif isinstance(first, ManifestObject) and isinstance(obs, ManifestObject):
            fields = tuple(dict.fromkeys(first.fields + obs.fields))
            merged[key] = replace(first, fields=fields, name=first.name or obs.name)
    return list(merged.values())


def _scan_doc(doc: Doc, path: str, line_offset: int, col_offset: int, result: ScanResult, ci: bool) -> None:
    budget = WalkBudget()
    nodes, embedded = _find(doc.root, budget)
    for node in nodes:
        obj = _manifest_object(doc, node, node is doc.root, path, line_offset, col_offset, budget)
        if obj is not None:
            result.observations.append(obj)
    result.observations.extend(config_api_calls(doc, path, line_offset, col_offset, ci=ci))
    for scalar in embedded:
        inner_line, inner_col = embedded_offsets(doc, scalar)
        inner = scan_manifest(scalar.value, path, line_offset=line_offset + inner_line, col_offset=col_offset + inner_col)
        result.observations.extend(inner.observations)
        result.problems.extend(inner.problems)


def _is_object(node: YNode, top: bool) -> bool:
    """A mapping with scalar apiVersion and kind; below the top it also needs metadata or
    spec, so references (ownerReferences, scaleTargetRef) are not taken for objects."""
    if node.kind != "map":
        return False
    keys = {k.value: v.kind for k, v in node.pairs() if k.kind == "scalar"}
    if keys.get("apiVersion") != "scalar" or keys.get("kind") != "scalar":
        return False
    return top or "metadata" in keys or "spec" in keys


def _find(root: YNode, budget: WalkBudget) -> tuple[list[YNode], list[YNode]]:
    """Objects (the document, List items, objects held inside others such as template
    `objects:`) and multi-line strings that hold a manifest (inline kustomize patches, Argo
    `manifest: |`), in document order."""
    objects: list[YNode] = []
    embedded: list[YNode] = []
    list_items = _list_items(root)
    work: list[tuple[YNode, bool, bool]] = [(root, True, False)]
    while work:
        node, top, via_alias = work.pop()
        via_alias = budget.visit(node, via_alias)
        if _is_object(node, top):
            objects.append(node)
        if node.kind == "scalar":
            if "\n" in node.value and _API_VERSION.search(node.value) and _KIND.search(node.value):
                embedded.append(node)
            continue
        children = [v for _, v in node.pairs()] if node.kind == "map" else node.children
        # List items and the items of a top-level sequence are whole objects of their own
        items_top = node.kind == "seq" and (top or node is list_items)
        work.extend((child, items_top, via_alias) for child in reversed(children))
    return objects, embedded


def _list_items(root: YNode) -> YNode | None:
    kind = root.scalar("kind") if root.kind == "map" else None
    items = root.get("items") if kind and kind.endswith("List") else None
    return items if items is not None and items.kind == "seq" else None


def _location(doc: Doc, node: YNode, path: str, line_offset: int, col_offset: int) -> Location:
    return Location(path, doc.line(node) + 1 + line_offset, node.column + 1 + col_offset)


def _value_text(doc: Doc, node: YNode) -> str | None:
    if node.kind != "scalar" or doc.templated(node) or len(node.value) > MAX_VALUE_CHARS:
        return None
    return node.value


def _manifest_object(
    doc: Doc,
    node: YNode,
    whole_document: bool,
    path: str,
    line_offset: int,
    col_offset: int,
    budget: WalkBudget,
) -> ManifestObject | None:
    api_key = next(k for k, _ in node.pairs() if k.kind == "scalar" and k.value == "apiVersion")
    api_node, kind_node = node.get("apiVersion"), node.get("kind")
    assert api_node is not None and kind_node is not None
    if doc.templated(api_node) or doc.templated(kind_node):
        return None  # `apiVersion: {{ .Values.apiVersion }}`: unknowable without rendering

    def key_text(key: YNode) -> str:
        if key.kind != "scalar":
            return "{?}"
        return "{*}" if doc.templated(key) else key.value

    fields: list[FieldRef] = []
    for entry in iter_key_paths(node, budget=budget, key_text=key_text):
        fields.append(_field(doc, entry, path, line_offset, col_offset))
    metadata = node.get("metadata")
    name_node = metadata.get("name") if metadata is not None else None
    name = _value_text(doc, name_node) if name_node is not None else None
    raw = doc.chunk_source() if whole_document else doc.node_text(node)
    return ManifestObject(
        api_version=api_node.value,
        kind=kind_node.value,
        location=_key_location(doc, api_key, path, line_offset, col_offset),
        fields=tuple(fields),
        name=name,
        evidence=f"{api_node.value} {kind_node.value}" + (f" {name}" if name else ""),
        raw=raw,
    )


def _key_location(doc: Doc, key: YNode, path: str, line_offset: int, col_offset: int) -> Location:
    """Where a key's name begins: past the opening quote of a quoted (JSON) key."""
    quote = 1 if key.kind == "scalar" and key.style in ("'", '"') else 0
    return Location(path, doc.line(key) + 1 + line_offset, key.column + 1 + quote + col_offset)


def _field(doc: Doc, entry: KeyPath, path: str, line_offset: int, col_offset: int) -> FieldRef:
    return FieldRef(
        path=entry.path,
        location=_key_location(doc, entry.key, path, line_offset, col_offset),
        value=_value_text(doc, entry.value),
    )
