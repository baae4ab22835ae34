"""Turn a Cluster API workload manifest into the REST request that replaces it.

Pure: text in, a Migration out. `migrate_manifest` reads one run.ai/v2alpha1 (or the older,
identically shaped v1alpha1) TrainingWorkload, InteractiveWorkload, DistributedWorkload or
InferenceWorkload and builds the body of POST /api/v1/workloads/{trainings, workspaces,
distributed, inferences}: every field it can carry over, placeholders for what a manifest
never says (the project id, the cluster id), and the list of every field it could not map.
Which field goes where is data, in `migrate.fields`.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runai_audit.migrate.build import build_body
from runai_audit.migrate.fields import ENDPOINTS
from runai_audit.scanners.manifest.docs import Doc, read_documents
from runai_audit.scanners.manifest.scanner import looks_like_json
from runai_audit.scanners.manifest.walk import resolve_scalar, to_python
from runai_audit.scanners.manifest.yaml import YamlLimit, YNode

MIGRATABLE_API_VERSIONS = ("run.ai/v2alpha1", "run.ai/v1alpha1")
# Request fields whose manifest values are safe to repeat in a report; every other string is
# replaced by a marker there (values may be secrets: environment values, commands, URLs).
_SAFE_STRING_KEYS = frozenset(
    {
        "name", "projectId", "clusterId", "image", "imagePullPolicy", "gpuRequestType", "gpuMemoryRequest",
        "gpuMemoryLimit", "cpuMemoryRequest", "cpuMemoryLimit", "distributedFramework", "preemptibility",
        "nodeType", "nodePools", "serviceType", "operator", "effect", "metric", "claimName", "path",
        "size", "storageClass", "resource", "quantity", "key", "toolType", "toolName", "workingDir", "uidGidSource",
        "capabilities",
    }
)
REDACTED = "<value from the manifest>"


class MigrationError(ValueError):
    """The text is not a workload manifest this tool can translate."""


@dataclass(frozen=True)
class Migration:
    method: str
    path: str
    body: dict[str, Any]
    unmapped: tuple[str, ...]  # manifest field paths that have no place in the request
    kind: str

    def render(self, *, redact: bool = False) -> str:
        """"POST /path", the JSON body, and a comment naming unmapped fields."""
        body = redacted(self.body) if redact else self.body
        text = f"{self.method} {self.path}\n{json.dumps(body, indent=2)}"
        if self.unmapped:
            text += "\n# not mapped: " + ", ".join(self.unmapped)
        return text


def redacted(value: Any, key: str = "") -> Any:
    """The body with every string that is not known to be harmless replaced by a marker."""
    if isinstance(value, dict):
        return {k: redacted(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v, key) for v in value]
    if isinstance(value, str) and key not in _SAFE_STRING_KEYS:
        return REDACTED
    return value


def migrate_all(text: str) -> list[Migration]:
    """A Migration for every migratable workload in `text` (documents and List items)."""
    docs, problems = read_documents(text, is_json=looks_like_json(text, ""))
    if not docs and problems:
        raise MigrationError(f"line {problems[0].line + 1}: {problems[0].reason}")
    found: list[Migration] = []
    for doc in docs:
        items = doc.root.get("items") if doc.root.kind == "map" else None
        nodes = [doc.root]
        if items is not None and items.kind == "seq" and (doc.root.scalar("kind") or "").endswith("List"):
            nodes.extend(items.children)
        elif doc.root.kind == "seq":
            nodes = list(doc.root.children)
        for node in nodes:
            kind = node.scalar("apiVersion") in MIGRATABLE_API_VERSIONS and node.scalar("kind")
            if node.kind != "map" or kind not in ENDPOINTS:
                continue
            try:
                data = to_python(node, scalar=functools.partial(_scalar, doc))
            except YamlLimit as exc:
                raise MigrationError(exc.reason) from exc
            assert isinstance(data, dict)
            found.append(build_migration(str(kind), data))
    return found


def migrate_manifest(obj_text: str) -> Migration:
    """The REST request for the first migratable workload object in `obj_text`."""
    found = migrate_all(obj_text)
    if not found:
        wanted = ", ".join(sorted(ENDPOINTS))
        raise MigrationError(f"no {' or '.join(MIGRATABLE_API_VERSIONS)} workload ({wanted}) found")
    return found[0]


def _scalar(doc: Doc, node: YNode) -> object:
    """A templated scalar keeps its template text ("{{ .Values.image }}") instead of filler."""
    if doc.templated(node):
        text = doc.original(node)
        return text[1:-1] if node.style in ("'", '"') and len(text) >= 2 else text
    return resolve_scalar(node)


def build_migration(kind: str, data: Mapping[str, Any]) -> Migration:
    """The Migration for one parsed manifest (a mapping with apiVersion, kind, metadata, spec)."""
    body, unmapped = build_body(kind, data)
    path, _ = ENDPOINTS[kind]
    return Migration("POST", path, body, unmapped, kind)
