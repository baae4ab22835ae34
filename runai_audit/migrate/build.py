"""Build the REST request body from a parsed Cluster API workload manifest.

The mapping itself is data (`migrate.fields`); the few fields that need judgement live here:
GPUs (whole devices, a portion or memory), ports (an inference serves on one), identity
(`runAsUser`), and the workload's name and project. Everything that does not fit is recorded
as unmapped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runai_audit.migrate.fields import (
    CLUSTER_PLACEHOLDER,
    COLLECTIONS,
    DISTRIBUTED,
    INFERENCE,
    PROJECT_PLACEHOLDER,
    SIMPLE,
    Collection,
)
from runai_audit.migrate.values import Unconvertible, as_int, as_number, as_quantity, as_text

_HANDLED_ELSEWHERE = frozenset({"name", "namePrefix", "gpu", "gpuMemory", "gpuLimit", "runAsUser", "serviceType", "ports"})


def _put(body: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for part in parents:
        body = body.setdefault(part, {})
    body[last] = value


def _unwrap(raw: object) -> object:
    """`{value: X}` -> X; a bare scalar stays itself; anything else cannot be a single value."""
    if isinstance(raw, Mapping):
        if "value" not in raw:
            raise Unconvertible("no value")
        return raw["value"]
    return raw


class _Builder:
    def __init__(self, kind: str, spec: Mapping[str, Any]) -> None:
        self.kind, self.spec = kind, spec
        self.body: dict[str, Any] = {}
        self.unmapped: list[str] = []

    def simple(self, key: str) -> None:
        rule = SIMPLE[key]
        if self.kind not in rule.kinds:
            self.unmapped.append(f"spec.{key}")
            return
        try:
            value = _unwrap(self.spec[key])
            if value is not None:
                _put(self.body, rule.target, rule.convert(value))
        except Unconvertible:
            self.unmapped.append(f"spec.{key}")

    def collection(self, key: str, rule: Collection) -> list[dict[str, Any]]:
        """The request objects for `spec.<key>.items`, recording whatever does not fit."""
        path = f"spec.{key}"
        if self.kind not in rule.kinds:
            self.unmapped.append(path)
            return []
        raw = self.spec[key]
        items = raw.get("items") if isinstance(raw, Mapping) else None
        if isinstance(items, Mapping):
            entries = [(str(k), f"{path}.items.{k}", v.get("value") if isinstance(v, Mapping) else v) for k, v in items.items()]
            entries = [(n, w + ".value" if isinstance(v, Mapping) else w, v) for n, w, v in entries]
        elif isinstance(items, list):
            entries = [("", f"{path}.items[{i}]", v) for i, v in enumerate(items)]
        else:
            self.unmapped.append(path)
            return []
        out = [obj for name, where, value in entries if (obj := self._item(rule, name, where, value))]
        if out:
            _put(self.body, rule.target, out)
        return out

    def _item(self, rule: Collection, name: str, where: str, value: object) -> dict[str, Any] | None:
        obj: dict[str, Any] = {rule.key_as: name} if rule.key_as and name else {}
        if not isinstance(value, Mapping):
            if not rule.scalar_as or value is None:
                self.unmapped.append(where)
                return None
            try:
                convert = {t: c for _, t, c in rule.fields}.get(rule.scalar_as, as_text)
                obj[rule.scalar_as] = convert(value)
            except Unconvertible:
                self.unmapped.append(where)
                return None
            return obj
        converters = {source: (target, convert) for source, target, convert in rule.fields}
        for field, inner in value.items():
            if field not in converters or inner is None:
                if inner is not None:
                    self.unmapped.append(f"{where}.{field}")
                continue
            target, convert = converters[field]
            try:
                _put(obj, target, convert(inner))
            except Unconvertible:
                self.unmapped.append(f"{where}.{field}")
        return obj or None


def _gpu(builder: _Builder) -> None:
    """`gpu` (whole devices or a fraction), `gpuMemory` and `gpuLimit` -> the compute block."""
    spec, body = builder.spec, builder.body
    try:
        memory = _unwrap(spec["gpuMemory"]) if "gpuMemory" in spec else None
        devices = as_number(_unwrap(spec["gpu"])) if "gpu" in spec and _unwrap(spec["gpu"]) is not None else None
    except Unconvertible:
        builder.unmapped.extend(f"spec.{k}" for k in ("gpu", "gpuMemory") if k in spec)
        return
    portion = False
    if memory is not None:
        try:
            _put(body, "spec.compute.gpuMemoryRequest", as_quantity(memory))
            _put(body, "spec.compute.gpuRequestType", "memory")
            _put(body, "spec.compute.gpuDevicesRequest", 1)
        except Unconvertible:
            builder.unmapped.append("spec.gpuMemory")
        if devices is not None:
            builder.unmapped.append("spec.gpu")  # one request type per workload
    elif devices is not None:
        if 0 < devices < 1:
            portion = True
            _put(body, "spec.compute.gpuDevicesRequest", 1)
            _put(body, "spec.compute.gpuRequestType", "portion")
            _put(body, "spec.compute.gpuPortionRequest", devices)
        elif float(devices).is_integer() and devices >= 0:
            _put(body, "spec.compute.gpuDevicesRequest", int(devices))
        else:
            builder.unmapped.append("spec.gpu")
    if "gpuLimit" in spec:
        try:
            if not portion:
                raise Unconvertible("a limit needs a fractional request")
            _put(body, "spec.compute.gpuPortionLimit", as_number(_unwrap(spec["gpuLimit"])))
        except Unconvertible:
            builder.unmapped.append("spec.gpuLimit")


def _ports(builder: _Builder) -> None:
    spec = builder.spec
    if builder.kind == INFERENCE:
        if "ports" in spec:
            _serving_port(builder)
        if "serviceType" in spec:
            builder.unmapped.append("spec.serviceType")
        return
    ports = builder.collection("ports", COLLECTIONS["ports"]) if "ports" in spec else []
    if "serviceType" not in spec:
        return
    try:
        default = COLLECTIONS["ports"].fields[2][2](_unwrap(spec["serviceType"]))
    except Unconvertible:
        builder.unmapped.append("spec.serviceType")
        return
    if not ports:
        builder.unmapped.append("spec.serviceType")
    for port in ports:
        port.setdefault("serviceType", default)


def _serving_port(builder: _Builder) -> None:
    """An inference serves on one port: the first item's container port."""
    raw = builder.spec["ports"]
    items = raw.get("items") if isinstance(raw, Mapping) else None
    entries = list(items.items()) if isinstance(items, Mapping) else []
    for number, (key, item) in enumerate(entries):
        value = item.get("value") if isinstance(item, Mapping) else None
        container = value.get("container") if isinstance(value, Mapping) else None
        if number == 0 and container is not None and len(value) == 1:  # type: ignore[arg-type]
            try:
                _put(builder.body, "spec.servingPort.container", as_int(container))
                continue
            except Unconvertible:
                pass
        builder.unmapped.append(f"spec.ports.items.{key}")
    if not entries:
        builder.unmapped.append("spec.ports")


def _identity(builder: _Builder) -> None:
    """`runAsUser: true` with a uid means a custom uid/gid; on its own it has no REST twin."""
    spec = builder.spec
    if "runAsUser" not in spec:
        return
    try:
        wanted = _unwrap(spec["runAsUser"])
    except Unconvertible:
        wanted = None
    if wanted in (False, "false", None):
        return
    if "runAsUid" in spec and wanted in (True, "true"):
        _put(builder.body, "spec.security.uidGidSource", "custom")
    else:
        builder.unmapped.append("spec.runAsUser")


def _name_and_project(builder: _Builder, metadata: Mapping[str, Any]) -> None:
    spec, body = builder.spec, builder.body
    name: object = None
    for key, prefix in (("name", False), ("namePrefix", True)):
        try:
            value = _unwrap(spec[key]) if key in spec else None
        except Unconvertible:
            builder.unmapped.append(f"spec.{key}")
            continue
        if value is not None and name is None:
            name = value
            if prefix:
                body["useGivenNameAsPrefix"] = True
    body["name"] = as_text(name if name is not None else metadata.get("name") or "<workload name>")
    namespace = metadata.get("namespace")
    project = str(namespace).removeprefix("runai-") if isinstance(namespace, str) and namespace.startswith("runai-") else None
    body["projectId"] = f"<id of project {project}>" if project else PROJECT_PLACEHOLDER
    body["clusterId"] = CLUSTER_PLACEHOLDER


def build_body(kind: str, data: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The request body for one parsed manifest (apiVersion, kind, metadata, spec) and the
    manifest fields it could not carry over."""
    spec = data.get("spec") if isinstance(data.get("spec"), Mapping) else {}
    metadata = data.get("metadata") if isinstance(data.get("metadata"), Mapping) else {}
    assert isinstance(spec, Mapping) and isinstance(metadata, Mapping)
    builder = _Builder(kind, spec)
    _name_and_project(builder, metadata)
    if kind == DISTRIBUTED:
        builder.body["masterSpecSameAsWorker"] = True  # the CRD describes one pod template
    _gpu(builder)
    _ports(builder)
    _identity(builder)
    for key in spec:
        if key in _HANDLED_ELSEWHERE:
            continue
        if key == "nodePool" and "nodePools" in spec:
            builder.unmapped.append("spec.nodePool")  # superseded by nodePools in the same spec
        elif key in SIMPLE:
            builder.simple(key)
        elif key in COLLECTIONS:
            builder.collection(key, COLLECTIONS[key])
        else:
            builder.unmapped.append(f"spec.{key}")
    builder.unmapped.extend(f"metadata.{key}" for key in ("labels", "annotations") if metadata.get(key))
    return builder.body, tuple(builder.unmapped)
