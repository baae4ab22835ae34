"""Throughput and peak memory of the traffic scanners, next to a plain-parser baseline.

    python benchmarks/traffic_bench.py                 # 1 GB and 100 MB HARs, 1M and 100k audit events
    python benchmarks/traffic_bench.py --size-mb 300   # a smaller large HAR

Inputs are generated once into benchmarks/out/ (git-ignored) by gen_traffic.py and reused.
Every measurement runs in its own subprocess, so each peak RSS is that run's alone. Baselines
read the same file with no audit work: ijson.items over the HAR entries (C builder) and ijson's
event stream (what the scanner consumes); json.loads on every audit-log line.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def _peak_rss_mb() -> float:
    """VmHWM of this process (high-water resident set), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource  # not Linux: ru_maxrss (KB on Linux, bytes on macOS)

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _scan(kind: str, file: Path) -> tuple[int, int, int]:
    """(count, observations, requests) of one scanner run."""
    from runai_audit.scanners.base import StreamStats
    from runai_audit.scanners.traffic import scan_audit_log, scan_har

    stats = StreamStats()
    scanner = scan_har if kind == "har-scan" else scan_audit_log
    observations = sum(1 for _ in scanner(file, file.name, stats))
    if stats.problems:
        raise SystemExit(f"unexpected problems: {stats.problems}")
    return stats.entries, observations, stats.entries


def _baseline(kind: str, file: Path) -> int:
    """Entries or lines read by the plain parser."""
    import ijson

    count = 0
    with file.open("rb") as fh:
        if kind == "har-ijson-items":
            count = sum(1 for _ in ijson.items(fh, "log.entries.item"))
        elif kind == "har-ijson-events":
            for prefix, event, _ in ijson.parse(fh):
                count += event == "start_map" and prefix == "log.entries.item"
        elif kind == "audit-json-loads":
            for line in fh:
                json.loads(line)
                count += 1
        else:
            raise SystemExit(f"unknown measurement {kind}")
    return count


def _measure(kind: str, file: Path) -> dict[str, float]:
    """Run one measurement in this (fresh) process."""
    start = time.perf_counter()
    if kind in ("har-scan", "audit-scan"):
        count, observations, requests = _scan(kind, file)
    else:
        count, observations, requests = _baseline(kind, file), 0, 0
    seconds = time.perf_counter() - start
    if kind == "audit-scan":  # report events (lines) like the baseline; counted after the clock stops
        with file.open("rb") as fh:
            count = sum(1 for _ in fh)
    return {"seconds": seconds, "count": count, "observations": observations, "requests": requests,
            "peak_mb": _peak_rss_mb()}


def measure(kind: str, file: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", kind, str(file)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def ensure_har(size_mb: float) -> Path:
    from gen_traffic import write_har

    path = OUT / f"bench-{size_mb:g}mb.har"
    if not path.exists():
        print(f"generating {path.name} ...", flush=True)
        write_har(path, size_mb)
    return path


def ensure_audit(events: int) -> Path:
    from gen_traffic import write_audit_log

    path = OUT / f"bench-{events}-events.jsonl"
    if not path.exists():
        print(f"generating {path.name} ...", flush=True)
        write_audit_log(path, events)
    return path


def report(title: str, files: list[Path], runs: list[tuple[str, str]], unit: str) -> None:
    """runs: (label, measurement kind); the first is the scanner, the rest baselines."""
    print(f"\n{title}")
    header = f"{'file':<28}{'run':<22}{'MB':>8}{'sec':>8}{'MB/s':>8}{unit + '/s':>13}{'peak RSS MB':>13}{'x baseline':>12}"
    print(header)
    print("-" * len(header))
    for file in files:
        size_mb = file.stat().st_size / 1e6
        results = {label: measure(kind, file) for label, kind in runs}
        scanner = results[runs[0][0]]
        for label, _ in runs:
            r = results[label]
            ratio = scanner["seconds"] / r["seconds"] if label != runs[0][0] else 1.0
            print(
                f"{file.name:<28}{label:<22}{size_mb:>8.0f}{r['seconds']:>8.1f}{size_mb / r['seconds']:>8.1f}"
                f"{r['count'] / r['seconds']:>13,.0f}{r['peak_mb']:>13.1f}{ratio:>12.2f}"
            )
        requests = f" ({scanner['requests']:,.0f} requests)" if unit == "events" else ""
        print(f"{'':<28}(scanner yielded {scanner['observations']:,.0f} observations from "
              f"{scanner['count']:,.0f} {unit}{requests})")


def main() -> None:
    parser = argparse.ArgumentParser(description="Traffic scanner benchmark.")
    parser.add_argument("--size-mb", type=float, default=1000.0, help="size of the large HAR (default 1000)")
    parser.add_argument("--small-mb", type=float, default=100.0, help="size of the small HAR (default 100)")
    parser.add_argument("--events", type=int, default=1_000_000, help="audit events in the large log")
    parser.add_argument("--measure", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(args.measure[0], Path(args.measure[1]))))
        return
    OUT.mkdir(exist_ok=True)
    hars = [ensure_har(args.small_mb), ensure_har(args.size_mb)]
    audits = [ensure_audit(max(1, args.events // 10)), ensure_audit(args.events)]
    report(
        "HAR (scan_har vs ijson alone); the ratio is scanner time / baseline time",
        hars,
        [("scan_har", "har-scan"), ("ijson.items entries", "har-ijson-items"), ("ijson.parse events", "har-ijson-events")],
        "entries",
    )
    report(
        "Kubernetes audit log, JSON lines (scan_audit_log vs json.loads per line)",
        audits,
        [("scan_audit_log", "audit-scan"), ("json.loads per line", "audit-json-loads")],
        "events",
    )


if __name__ == "__main__":
    main()
