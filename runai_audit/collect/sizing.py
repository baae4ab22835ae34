"""How many worker processes a scan gets by default: as many as the CPUs this process may
use, and no more than fit in the container's memory limit.

`os.cpu_count()` is the node's count: on a 64-core node a pod limited to 2 CPUs would start 64
workers, be throttled by the CFS quota and, with a 1 GiB limit, be OOM-killed. So the count is
the smallest of the scheduler affinity (taskset, cpuset), the cgroup CPU quota (v2 `cpu.max`,
v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`), rounded up, and what the cgroup memory limit (v2
`memory.max`, v1 `memory.limit_in_bytes`) leaves for workers after the main process. Limits of
parent cgroups apply too, so the walk goes from the process's own cgroup up to the root.

The cgroup root and the text of /proc/self/cgroup are parameters, so a test can fake both.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
SELF_CGROUP = Path("/proc/self/cgroup")
MIB = 1024 * 1024
# Measured (README "Scheduled compliance"): the main process of a 1,120-file scan peaked at
# 90 MiB and each worker at 71 MiB; these budgets keep about half as much again in reserve.
MAIN_MEMORY = 160 * MIB
WORKER_MEMORY = 128 * MIB
# cgroup v1 writes "no limit" as a huge page-rounded number rather than "max".
_V1_UNLIMITED = 1 << 60


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _own_cgroups(self_cgroup: str) -> dict[str, str]:
    """controller -> path from /proc/self/cgroup ("" for the v2 unified hierarchy)."""
    out: dict[str, str] = {}
    for line in self_cgroup.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        for controller in controllers.split(",") if controllers else [""]:
            out[controller] = path.strip() or "/"
    return out


def _upward(base: Path, path: str) -> Iterator[Path]:
    """base/path, its parents, up to base itself."""
    current = base / path.strip("/") if path.strip("/") else base
    while True:
        yield current
        if current == base or base not in current.parents:
            return
        current = current.parent


def _v2_dirs(root: Path, own: dict[str, str]) -> Iterator[Path]:
    if (root / "cgroup.controllers").exists():
        yield from _upward(root, own.get("", "/"))
    elif (root / "unified" / "cgroup.controllers").exists():  # hybrid: v1 controllers, v2 beside
        yield from _upward(root / "unified", own.get("", "/"))


def _v1_dirs(root: Path, own: dict[str, str], controller: str) -> Iterator[Path]:
    for name in (controller, f"{controller},cpuacct", f"cpuacct,{controller}"):
        mount = root / name
        if mount.is_dir():
            yield from _upward(mount, own.get(controller, "/"))
            return


def cpu_quota(root: Path | None = None, self_cgroup: str | None = None) -> float | None:
    """The CPUs the cgroup quota allows (1.5 for "150000 100000"), or None when unlimited."""
    root = root or CGROUP_ROOT
    own = _own_cgroups(self_cgroup if self_cgroup is not None else (_read(SELF_CGROUP) or ""))
    quotas: list[float] = []
    for folder in _v2_dirs(root, own):
        text = _read(folder / "cpu.max")
        if text:
            allowed, _, every = text.partition(" ")
            if allowed.isdigit() and every.isdigit() and int(every):  # "max 100000": no quota
                quotas.append(int(allowed) / int(every))
    for folder in _v1_dirs(root, own, "cpu"):
        quota_text, period_text = _read(folder / "cpu.cfs_quota_us"), _read(folder / "cpu.cfs_period_us")
        if quota_text and period_text and quota_text.lstrip("-").isdigit() and period_text.isdigit():
            runtime, period = int(quota_text), int(period_text)
            if runtime > 0 and period > 0:  # -1: no quota
                quotas.append(runtime / period)
    return min(quotas) if quotas else None


def memory_limit(root: Path | None = None, self_cgroup: str | None = None) -> int | None:
    """The cgroup memory limit in bytes, or None when unlimited."""
    root = root or CGROUP_ROOT
    own = _own_cgroups(self_cgroup if self_cgroup is not None else (_read(SELF_CGROUP) or ""))
    limits: list[int] = []
    for folder in _v2_dirs(root, own):
        text = _read(folder / "memory.max")
        if text and text.isdigit():
            limits.append(int(text))
    for folder in _v1_dirs(root, own, "memory"):
        text = _read(folder / "memory.limit_in_bytes")
        if text and text.isdigit() and int(text) < _V1_UNLIMITED:
            limits.append(int(text))
    return min(limits) if limits else None


def affinity_cpus() -> int:
    """CPUs the scheduler lets this process run on (taskset, cpuset); the node's count where
    the platform cannot say."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def default_jobs(root: Path | None = None, self_cgroup: str | None = None, cpus: int | None = None) -> int:
    """Workers for a scan when --jobs and `jobs:` are not given (see the module docstring)."""
    jobs = cpus if cpus is not None else affinity_cpus()
    quota = cpu_quota(root, self_cgroup)
    if quota is not None:
        jobs = min(jobs, max(1, math.ceil(quota)))
    limit = memory_limit(root, self_cgroup)
    if limit is not None:
        jobs = min(jobs, max(1, (limit - MAIN_MEMORY) // WORKER_MEMORY))
    return max(1, jobs)
