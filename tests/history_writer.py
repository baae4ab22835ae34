"""A history writer for the concurrency test, in its own small module: each spawned process
imports only this and runai_audit.compliance.history, not the whole CLI."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from runai_audit.compliance.history import record_run
from runai_audit.models import Coverage, Finding, Location, Provenance, Report, Severity, Status, Target


def finding(n: int, severity: Severity = Severity.ERROR, path: str = "app.py") -> Finding:
    return Finding(f"RA{100 + n % 50}", severity, Status.REMOVED, "m", f"GET /v1/thing/{n}", "none",
                   Location(path, n + 1, 1), fingerprint=f"{path}-{n:04d}")


def report(findings: list[Finding], version: str = "2.24") -> Report:
    return Report(
        target=Target("self-hosted", version, "2026-01-05"),
        provenance=Provenance("runai-audit", "0.1.0", "2026.11.28", (version,), "bundled"),
        findings=tuple(findings),
        coverage=Coverage(files_scanned=3),
    )


def write_runs(db: str, worker: int, runs: int, size: int, barrier: Any, results: Any) -> None:
    """Wait for every writer, then record `runs` runs of `size` findings each as fast as possible,
    under a scope of its own."""
    barrier.wait()
    for run in range(runs):
        findings = [finding(n, path=f"w{worker}/r{run}.py") for n in range(size)]
        started = time.perf_counter()
        shared = record_run(Path(db), report(findings, version=f"2.{worker}"), scope=f"w{worker}")
        history = shared.extras["history"]
        results.put((worker, run, history["run"], history["previous"], time.perf_counter() - started))
