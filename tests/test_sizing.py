"""Default --jobs on a big node: the CPUs the process may use (affinity, cgroup quota) and
what fits the cgroup memory limit, read from fake cgroup trees (v2, v1 and none)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from runai_audit.cli import main
from runai_audit.collect import sizing
from runai_audit.collect.sizing import MIB, cpu_quota, default_jobs, memory_limit

POD = "0::/kubepods/burstable/pod1/c1\n"


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="ascii")


@pytest.fixture
def v2(tmp_path: Path) -> Path:
    """A pod's container on cgroup v2: 1.5 CPUs on the container, 512 MiB on the pod."""
    write(tmp_path, "cgroup.controllers", "cpu memory")
    write(tmp_path, "kubepods/burstable/pod1/c1/cpu.max", "150000 100000")
    write(tmp_path, "kubepods/burstable/pod1/c1/memory.max", "max")
    write(tmp_path, "kubepods/burstable/pod1/memory.max", str(512 * MIB))
    write(tmp_path, "kubepods/burstable/pod1/cpu.max", "max 100000")
    return tmp_path


def test_v2_quota_and_memory_of_the_process_and_its_parents(v2: Path) -> None:
    assert cpu_quota(v2, POD) == 1.5
    assert memory_limit(v2, POD) == 512 * MIB
    # 64 CPUs on the node; the quota rounds up to 2; 512 MiB less the main process fits 2 workers.
    assert default_jobs(v2, POD, cpus=64) == 2


def test_v2_memory_caps_below_the_cpu_quota(v2: Path) -> None:
    write(v2, "kubepods/burstable/pod1/c1/cpu.max", "800000 100000")
    write(v2, "kubepods/burstable/pod1/c1/memory.max", str(600 * MIB))
    assert default_jobs(v2, POD, cpus=64) == 2  # the pod's 512 MiB still holds
    write(v2, "kubepods/burstable/pod1/memory.max", "max")
    assert default_jobs(v2, POD, cpus=64) == 3  # (600 - 160) // 128
    write(v2, "kubepods/burstable/pod1/c1/memory.max", str(200 * MIB))
    assert default_jobs(v2, POD, cpus=64) == 1  # never fewer than one


def test_affinity_is_the_ceiling_without_limits(v2: Path) -> None:
    write(v2, "kubepods/burstable/pod1/c1/cpu.max", "max 100000")
    write(v2, "kubepods/burstable/pod1/memory.max", "max")
    assert (cpu_quota(v2, POD), memory_limit(v2, POD)) == (None, None)
    assert default_jobs(v2, POD, cpus=6) == 6


def test_v1_cfs_quota_and_unlimited_memory(tmp_path: Path) -> None:
    own = "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n0::/\n"
    write(tmp_path, "cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "400000")
    write(tmp_path, "cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000")
    write(tmp_path, "memory/docker/abc/memory.limit_in_bytes", "9223372036854771712")
    assert cpu_quota(tmp_path, own) == 4.0
    assert memory_limit(tmp_path, own) is None
    assert default_jobs(tmp_path, own, cpus=64) == 4
    write(tmp_path, "memory/docker/abc/memory.limit_in_bytes", str(1024 * MIB))
    assert default_jobs(tmp_path, own, cpus=64) == 4  # (1024 - 160) // 128 = 6: the CPUs decide
    write(tmp_path, "cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "-1")
    assert default_jobs(tmp_path, own, cpus=64) == 6


def test_no_cgroup_files_leaves_the_cpus(tmp_path: Path) -> None:
    assert default_jobs(tmp_path, "", cpus=3) == 3


def test_the_cli_uses_the_cgroup_limits(v2: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the real CLI: a pod with one CPU scans a tree big enough for a pool with one worker."""
    write(v2, "kubepods/burstable/pod1/c1/cpu.max", "100000 100000")
    own = tmp_path / "self-cgroup"
    own.write_text(POD, encoding="ascii")
    monkeypatch.setattr(sizing, "CGROUP_ROOT", v2)
    monkeypatch.setattr(sizing, "SELF_CGROUP", own)
    tree = tmp_path / "tree"
    tree.mkdir()
    for index in range(70):
        (tree / f"job{index}.sh").write_text('curl "$RUNAI_URL/v1/k8s/users"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["scan", str(tree), "-q", "-v", "--format", "json", "--as-of", "2026-11-28"])
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].endswith(" s with 1 worker")
    assert len(result.stderr.splitlines()) == 71  # 70 files read, then the timing


def test_the_cronjob_limits_fit_the_workers_they_start(tmp_path: Path) -> None:
    """examples/scheduling/cronjob.yaml: requests near the measured peak (224 MiB with two
    workers), limits that give two CPUs, and two workers that fit the memory limit."""
    import yaml

    repo = Path(__file__).resolve().parent.parent
    docs = list(yaml.safe_load_all((repo / "examples/scheduling/cronjob.yaml").read_text(encoding="utf-8")))
    job = next(d for d in docs if d["kind"] == "CronJob")
    (container,) = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert container["resources"] == {"requests": {"cpu": "1", "memory": "256Mi"},
                                      "limits": {"cpu": "2", "memory": "512Mi"}}
    write(tmp_path, "cgroup.controllers", "cpu memory")
    write(tmp_path, "cpu.max", "200000 100000")
    write(tmp_path, "memory.max", str(512 * MIB))
    assert default_jobs(tmp_path, "0::/\n", cpus=64) == 2
    assert sizing.MAIN_MEMORY + 2 * sizing.WORKER_MEMORY <= 512 * MIB
