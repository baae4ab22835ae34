"""Scan benchmark: one command, prints throughput beside a baseline measured in the same run.

    python benchmarks/scan_bench.py [--files 10000] [--dense-files 2000]

Two cases. Mixed: a synthetic repository where about 1% of the files touch Run:ai (gen_repo).
Dense: every file is a Python module calling Run:ai in several ways (gen_dense), so the full
readers and the judge run on each file instead of the prefilter turning most away.

Baseline, per case: read every file of the tree and run one regular expression over it (the
least any scanner must do). Then `runai-audit scan` on the same tree, as a user runs it (a
subprocess, JSON output), once with one worker and once with the default parallelism.
Reported: seconds, files/s, MB/s, and each time as a multiple of that case's baseline.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_dense import generate_dense  # noqa: E402
from gen_repo import generate  # noqa: E402

from runai_audit.collect.sizing import default_jobs  # noqa: E402  (what a scan without --jobs uses)

PATTERN = re.compile(rb"run\.ai|runai|/v1/k8s|/api/v[12]/", re.IGNORECASE)


def baseline(root: Path) -> tuple[float, int, int]:
    start = time.perf_counter()
    files = size = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            data = (Path(dirpath) / name).read_bytes()
            PATTERN.search(data)
            files += 1
            size += len(data)
    return time.perf_counter() - start, files, size


def run_tool(root: Path, jobs: int | None) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "runai_audit", "scan", str(root), "--format", "json", "--fail-on", "never",
           "--as-of", "2026-11-28", "-q"]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"scan failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return elapsed, proc.stdout


def measure(root: Path) -> None:
    """Time the baseline and the tool (one worker, default workers) on `root`; print the table."""
    base_s, files, size = baseline(root)
    rows = [("baseline: read + one regex", base_s)]
    out = ""
    for label, jobs in (("runai-audit scan --jobs 1", 1), (f"runai-audit scan (jobs={default_jobs()}, the default)", None)):
        elapsed, out = run_tool(root, jobs)
        rows.append((label, elapsed))
    print(f"{'':36} {'seconds':>8} {'files/s':>9} {'MB/s':>7} {'x baseline time':>16}")
    for label, secs in rows:
        print(f"{label:36} {secs:8.2f} {files / secs:9.0f} {size / 1e6 / secs:7.1f} {secs / base_s:16.1f}")
    findings = out.count('"rule_id"')
    print(f"findings reported: {findings}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=10_000, help="mixed case size (0: skip)")
    parser.add_argument("--dense-files", type=int, default=2_000, help="dense case size (0: skip)")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        if args.files:
            root = base / "repo"
            total, runai = generate(root, args.files, 0.01, seed=7)
            print(f"mixed repository: {args.files} files, {total / 1e6:.1f} MB, {runai} touching Run:ai")
            measure(root)
        if args.dense_files:
            dense = base / "dense"
            total = generate_dense(dense, args.dense_files, seed=11)
            print(f"\ndense repository: {args.dense_files} Python files, {total / 1e6:.1f} MB, every one calling Run:ai")
            measure(dense)


if __name__ == "__main__":
    main()
