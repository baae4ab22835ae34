"""Kubernetes manifests (YAML, JSON, Helm / Jinja templates) -> ManifestObject observations.

Every mapping with a string `apiVersion` and `kind` at the top of a document becomes one
object, and so does every item of a `kind: *List` document (or of a top-level sequence). Each
object carries every key path below it (`spec.nodePool`, `spec.environment.items.FOO.value`,
`spec.template.spec.containers[].image`) at the exact line and column of its key.

Kustomize needs nothing special: its resources and patch files are YAML files the walker visits
anyway, and patches written inline in a kustomization (`patches[].patch`, string items of
`patchesStrategicMerge`) are read here as manifests of their own, at their true lines.
`kubectl apply -f FILE` is covered the same way: FILE itself is scanned.
"""

from __future__ import annotations

from runai_audit.models import FieldRef, InputProblem, Location, ManifestObject
from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.manifest_ci import scan_ci_yaml
from runai_audit.scanners.manifest_docs import Doc, embedded_offsets, read_documents
from runai_audit.scanners.manifest_heredoc import scan_shell_heredocs
from runai_audit.scanners.manifest_walk import KeyPath, WalkBudget, iter_key_paths
from runai_audit.scanners.manifest_yaml import YamlLimit, YNode

__all__ = ["looks_like_json", "scan_ci_yaml", "scan_manifest", "scan_shell_heredocs"]

MAX_VALUE_CHARS = 200  # longer scalars are never needed for matching
_KUSTOMIZE_GROUP = "kustomize.config.k8s.io/"


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
    for problem in problems:
        result.problems.append(InputProblem(path, problem.reason, problem.line + 1 + line_offset))
    for doc in docs:
        try:
            _scan_doc(doc, path, line_offset, col_offset, result)
        except YamlLimit as exc:
            line = doc.chunk.first_line + exc.line + 1 + line_offset
            result.problems.append(InputProblem(path, exc.reason, line))
    return result


def _scan_doc(doc: Doc, path: str, line_offset: int, col_offset: int, result: ScanResult) -> None:
    budget = WalkBudget()
    for node, whole_document in _object_nodes(doc.root):
        obj = _manifest_object(doc, node, whole_document, path, line_offset, col_offset, budget)
        if obj is None:
            continue
        result.observations.append(obj)
        if obj.api_version.startswith(_KUSTOMIZE_GROUP):
            _scan_inline_patches(doc, node, path, line_offset, col_offset, result)


def _is_object(node: YNode) -> bool:
    return node.kind == "map" and node.scalar("apiVersion") is not None and node.scalar("kind") is not None


def _object_nodes(root: YNode) -> list[tuple[YNode, bool]]:
    """(object node, is it the whole document) for the document and any List items."""
    found: list[tuple[YNode, bool]] = []
    if _is_object(root):
        found.append((root, True))
        kind = root.scalar("kind") or ""
        items = root.get("items")
        if kind.endswith("List") and items is not None and items.kind == "seq":
            found.extend((item, False) for item in items.children if _is_object(item))
    elif root.kind == "seq":
        found.extend((item, False) for item in root.children if _is_object(item))
    return found


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
    if whole_document:
        start = doc.chunk.start_index
        raw = doc.source[start : start + len(doc.chunk.text)]
    else:
        raw = doc.node_text(node)
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


def _scan_inline_patches(
    doc: Doc, node: YNode, path: str, line_offset: int, col_offset: int, result: ScanResult
) -> None:
    """Inline patches of a kustomization, scanned as manifests at their own lines."""
    texts: list[YNode] = []
    patches = node.get("patches")
    if patches is not None and patches.kind == "seq":
        for item in patches.children:
            patch = item.get("patch") if item.kind == "map" else None
            if patch is not None and patch.kind == "scalar":
                texts.append(patch)
    merges = node.get("patchesStrategicMerge")
    if merges is not None and merges.kind == "seq":
        texts.extend(item for item in merges.children if item.kind == "scalar" and "\n" in item.value)
    for scalar in texts:
        inner_line, inner_col = embedded_offsets(doc, scalar)
        inner = scan_manifest(scalar.value, path, line_offset=line_offset + inner_line, col_offset=col_offset + inner_col)
        result.observations.extend(inner.observations)
        result.problems.extend(inner.problems)
