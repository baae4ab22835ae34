"""Converters from Cluster API values to REST request values, for `migrate.fields`.

Each takes what a manifest held (a YAML scalar already read as str, int, float or bool, or a
list) and returns the request value, or raises Unconvertible: the field is then reported as
unmapped rather than guessed.
"""

from __future__ import annotations

import re
import shlex


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
        return shlex.join(as_text(v) for v in value)
    return as_text(value)


# A comma or blank that separates names, not one inside a template tag (`{{ .Values.pool }}`).
_NAME_SEPARATOR = re.compile(r"[,\s]+(?![^{]*[}%]})")


def as_list_of_text(value: object) -> list[str]:
    """Node pools: a list, or one string of names separated by commas or spaces."""
    if isinstance(value, list):
        return [as_text(v) for v in value]
    return [part for part in _NAME_SEPARATOR.split(as_text(value)) if part]


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


def service_type(value: object) -> str:
    text = as_text(value).strip().lower()
    types = {"loadbalancer": "LoadBalancer", "nodeport": "NodePort", "clusterip": "ClusterIP"}
    if text not in types:
        raise Unconvertible("not LoadBalancer, NodePort or ClusterIP")
    return types[text]
