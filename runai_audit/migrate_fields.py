"""How Cluster API (run.ai/v2alpha1) workload fields become REST workload request fields.

Data only, plus the small converters it names. The correspondence is our reading of the CRD
reference (`kubectl explain trainingworkload.spec` and friends) against the request schemas of
POST /api/v1/workloads/{trainings,workspaces,distributed,inferences} in the 2.24 spec; every
target path below exists in those schemas for the kinds it is listed for (the tests check this
against the bundled spec). Anything a manifest holds that is not listed here is reported as
unmapped, never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

TRAINING, WORKSPACE, DISTRIBUTED, INFERENCE = "TrainingWorkload", "InteractiveWorkload", "DistributedWorkload", "InferenceWorkload"
ALL_KINDS = frozenset({TRAINING, WORKSPACE, DISTRIBUTED, INFERENCE})
NOT_INFERENCE = ALL_KINDS - {INFERENCE}

# kind -> (REST collection path, operation id in the 2.24 spec)
ENDPOINTS: dict[str, tuple[str, str]] = {
    TRAINING: ("/api/v1/workloads/trainings", "create_training1"),
    WORKSPACE: ("/api/v1/workloads/workspaces", "create_workspace1"),
    DISTRIBUTED: ("/api/v1/workloads/distributed", "create_distributed"),
    INFERENCE: ("/api/v1/workloads/inferences", "create_inference1"),
}

PROJECT_PLACEHOLDER = "<project id>"
CLUSTER_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"  # a valid uuid nobody owns


class Unconvertible(ValueError):
    """The value has a shape or content the target field cannot take."""


def as_text(value: object) -> str:
    if isinstance(value, (dict, list)) or value is None:
        raise Unconvertible("not a single value")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def as_number(value: object) -> float | int:
    if isinstance(value, bool) or value is None:
        raise Unconvertible("not a number")
    if isinstance(value, (int, float)):
        return value
    text = str(value).strip()
    if text.endswith("m") and text[:-1].isdigit():  # Kubernetes millicores: "500m"
        return int(text[:-1]) / 1000
    try:
        number = float(text)
    except ValueError as exc:
        raise Unconvertible("not a number") from exc
    return int(number) if number.is_integer() else number


def as_int(value: object) -> int:
    number = as_number(value)
    if isinstance(number, float):
        raise Unconvertible("not a whole number")
    return number


def as_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise Unconvertible("not true or false")


_QUANTITY = re.compile(r"^[+]?[0-9.]+[eEinumkKMGTP]*[-+]?[0-9]*$")


def as_quantity(value: object) -> str:
    text = as_text(value).strip()
    if not _QUANTITY.match(text):
        raise Unconvertible("not a resource quantity such as 4G")
    return text


def as_args(value: object) -> str:
    """`arguments` may be one string or a list; the REST field is one string."""
    if isinstance(value, list):
        import shlex

        return shlex.join(as_text(v) for v in value)
    return as_text(value)


def as_list_of_text(value: object) -> list[str]:
    """Node pools: a list, or one string of names separated by commas or spaces."""
    if isinstance(value, list):
        return [as_text(v) for v in value]
    return [part for part in re.split(r"[,\s]+", as_text(value)) if part]


def pull_policy(value: object) -> str:
    text = as_text(value).strip().lower()
    policies = {"always": "Always", "ifnotpresent": "IfNotPresent", "never": "Never"}
    if text not in policies:
        raise Unconvertible("not Always, IfNotPresent or Never")
    return policies[text]


_DURATION = re.compile(r"^(\d+)([smhd]?)$")


def as_seconds(value: object) -> int:
    """`ttlAfterFinish` as a number of seconds or a duration such as 30s, 5m, 2h, 1d."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    found = _DURATION.match(as_text(value).strip())
    if not found:
        raise Unconvertible("not a duration such as 600s or 2h")
    return int(found.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[found.group(2)]


def preemptibility(value: object) -> str:
    return "preemptible" if as_bool(value) else "non-preemptible"


def non_preemptibility(value: object) -> str:
    return "non-preemptible" if as_bool(value) else "preemptible"


def framework(value: object) -> str:
    text = as_text(value).strip().lower().removesuffix("job")
    names = {"mpi": "MPI", "pytorch": "PyTorch", "tf": "TF", "tensorflow": "TF", "xgboost": "XGBoost"}
    if text not in names:
        raise Unconvertible("not MPI, PyTorch, TF or XGBoost")
    return names[text]


# Linux capabilities the 2.24 request schema accepts (components.schemas.Capability).
CAPABILITIES = frozenset(
    {
        "AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND", "CHOWN", "DAC_OVERRIDE",
        "DAC_READ_SEARCH", "FOWNER", "FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE", "LINUX_IMMUTABLE",
        "MAC_ADMIN", "MAC_OVERRIDE", "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW",
        "SETGID", "SETFCAP", "SETPCAP", "SETUID", "SYS_ADMIN", "SYS_BOOT", "SYS_CHROOT", "SYS_MODULE",
        "SYS_NICE", "SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG",
        "SYSLOG", "WAKE_ALARM",
    }
)


def capabilities(value: object) -> list[str]:
    names = value if isinstance(value, list) else as_list_of_text(value)
    out = [as_text(n).strip().upper().removeprefix("CAP_") for n in names]
    if not out or any(n not in CAPABILITIES for n in out):
        raise Unconvertible("not a list of Linux capability names")
    return out


@dataclass(frozen=True)
class Simple:
    """A one-value CRD field (`spec.X.value`) and where its value goes in the request."""

    target: str  # dotted path in the request body
    convert: Callable[[object], object]
    kinds: frozenset[str] = ALL_KINDS


SIMPLE: dict[str, Simple] = {
    "image": Simple("spec.image", as_text),
    "imagePullPolicy": Simple("spec.imagePullPolicy", pull_policy),
    "command": Simple("spec.command", as_text),
    "arguments": Simple("spec.args", as_args),
    "workingDir": Simple("spec.workingDir", as_text),
    "cpu": Simple("spec.compute.cpuCoreRequest", as_number),
    "cpuLimit": Simple("spec.compute.cpuCoreLimit", as_number),
    "memory": Simple("spec.compute.cpuMemoryRequest", as_quantity),
    "memoryLimit": Simple("spec.compute.cpuMemoryLimit", as_quantity),
    "largeShm": Simple("spec.compute.largeShmRequest", as_bool),
    "nodeType": Simple("spec.nodeType", as_text),
    "nodePools": Simple("spec.nodePools", as_list_of_text),
    "nodePool": Simple("spec.nodePools", as_list_of_text),  # the deprecated single pool
    "createHomeDir": Simple("spec.createHomeDir", as_bool),
    "stdin": Simple("spec.stdin", as_bool, NOT_INFERENCE),
    "tty": Simple("spec.tty", as_bool, NOT_INFERENCE),
    "supplementalGroups": Simple("spec.security.supplementalGroups", as_text),
    "runAsUid": Simple("spec.security.runAsUid", as_int),
    "runAsGid": Simple("spec.security.runAsGid", as_int),
    "allowPrivilegeEscalation": Simple("spec.security.allowPrivilegeEscalation", as_bool, NOT_INFERENCE),
    "hostIpc": Simple("spec.security.hostIpc", as_bool, NOT_INFERENCE),
    "hostNetwork": Simple("spec.security.hostNetwork", as_bool, NOT_INFERENCE),
    "preemptible": Simple("spec.preemptibility", preemptibility),
    "nonPreemptible": Simple("spec.preemptibility", non_preemptibility),
    "completions": Simple("spec.completions", as_int, frozenset({TRAINING})),
    "parallelism": Simple("spec.parallelism", as_int, frozenset({TRAINING})),
    "backoffLimit": Simple("spec.backoffLimit", as_int, NOT_INFERENCE),
    "ttlAfterFinish": Simple("spec.autoDeletionTimeAfterCompletionSeconds", as_seconds, NOT_INFERENCE),
    "capabilities": Simple("spec.security.capabilities", capabilities),
    "jobType": Simple("spec.distributedFramework", framework, frozenset({DISTRIBUTED})),
    "workers": Simple("spec.numWorkers", as_int, frozenset({DISTRIBUTED})),
    "slotsPerWorker": Simple("spec.slotsPerWorker", as_int, frozenset({DISTRIBUTED})),
    "minScale": Simple("spec.autoscaling.minReplicas", as_int, frozenset({INFERENCE})),
    "maxScale": Simple("spec.autoscaling.maxReplicas", as_int, frozenset({INFERENCE})),
    "metric": Simple("spec.autoscaling.metric", as_text, frozenset({INFERENCE})),
    "target": Simple("spec.autoscaling.metricThreshold", as_int, frozenset({INFERENCE})),
}


@dataclass(frozen=True)
class Collection:
    """A CRD map field (`spec.X.items.<key>.value`) that becomes a list of request objects.

    `key_as` names the request field that receives the item's key ("" to drop it);
    `fields` maps keys of the item's value to request keys, each with a converter; `scalar_as`
    is where a plain (non-mapping) item value goes.
    """

    target: str
    key_as: str = ""
    scalar_as: str = ""
    fields: tuple[tuple[str, str, Callable[[object], object]], ...] = ()
    kinds: frozenset[str] = ALL_KINDS


def service_type(value: object) -> str:
    text = as_text(value).strip().lower()
    types = {"loadbalancer": "LoadBalancer", "nodeport": "NodePort", "clusterip": "ClusterIP"}
    if text not in types:
        raise Unconvertible("not LoadBalancer, NodePort or ClusterIP")
    return types[text]


_NAME_VALUE = (("name", "name", as_text), ("value", "value", as_text))

COLLECTIONS: dict[str, Collection] = {
    "environment": Collection("spec.environmentVariables", key_as="name", scalar_as="value", fields=_NAME_VALUE),
    "labels": Collection("spec.labels", key_as="name", scalar_as="value", fields=_NAME_VALUE),
    "annotations": Collection("spec.annotations", key_as="name", scalar_as="value", fields=_NAME_VALUE),
    "extendedResources": Collection(
        "spec.compute.extendedResources",
        key_as="resource",
        scalar_as="quantity",
        fields=(("resource", "resource", as_text), ("quantity", "quantity", as_quantity)),
    ),
    "tolerations": Collection(
        "spec.tolerations",
        key_as="name",
        fields=(
            ("key", "key", as_text),
            ("operator", "operator", as_text),
            ("value", "value", as_text),
            ("effect", "effect", as_text),
            ("seconds", "seconds", as_int),
            ("tolerationSeconds", "seconds", as_int),
        ),
    ),
    "pvcs": Collection(
        "spec.storage.pvc",
        fields=(
            ("claimName", "claimName", as_text),
            ("path", "path", as_text),
            ("existingPvc", "existingPvc", as_bool),
            ("readOnly", "readOnly", as_bool),
            ("size", "claimInfo.size", as_quantity),
            ("storageClass", "claimInfo.storageClass", as_text),
        ),
    ),
    "gitSync": Collection(
        "spec.storage.git",
        fields=(
            ("repository", "repository", as_text),
            ("branch", "branch", as_text),
            ("revision", "revision", as_text),
            ("path", "path", as_text),
        ),
    ),
    "s3": Collection(
        "spec.storage.s3",
        fields=(("bucket", "bucket", as_text), ("path", "path", as_text), ("url", "url", as_text)),
        kinds=NOT_INFERENCE,
    ),
    "ports": Collection(
        "spec.ports",
        fields=(
            ("container", "container", as_int),
            ("external", "external", as_int),
            ("serviceType", "serviceType", service_type),
            ("toolType", "toolType", as_text),
            ("toolName", "toolName", as_text),
        ),
        kinds=NOT_INFERENCE,
    ),
    "exposedUrls": Collection(
        "spec.exposedUrls",
        fields=(("container", "container", as_int), ("url", "url", as_text)),
    ),
}
