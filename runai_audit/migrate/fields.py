"""How Cluster API (run.ai/v2alpha1) workload fields become REST workload request fields.

Data only, plus the small converters it names. The correspondence is our reading of the CRD
reference (`kubectl explain trainingworkload.spec` and friends) against the request schemas of
POST /api/v1/workloads/{trainings,workspaces,distributed,inferences} in the 2.24 spec; every
target path below exists in those schemas for the kinds it is listed for (the tests check this
against the bundled spec). Anything a manifest holds that is not listed here is reported as
unmapped, never silently dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from runai_audit.migrate.values import (
    as_args,
    as_bool,
    as_int,
    as_list_of_text,
    as_number,
    as_quantity,
    as_seconds,
    as_text,
    capabilities,
    framework,
    non_preemptibility,
    preemptibility,
    pull_policy,
    service_type,
)

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
