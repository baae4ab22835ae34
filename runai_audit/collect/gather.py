"""Gather findings from every input of a scan: ordinary files (in parallel for large trees),
recorded traffic (streamed, one file at a time) and stdin. The I/O half of run_scan."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from runai_audit.collect.discovery import Candidate, WalkOptions, discover
from runai_audit.collect.filekinds import sniff, sniff_content
from runai_audit.collect.options import ScanOptions
from runai_audit.collect.scanning import (
    HEAD_BYTES,
    STREAM_SCANNERS,
    FileResult,
    scan_candidate,
    scan_text_file,
    stream_kind,
    stream_observations,
)
from runai_audit.collect.sizing import affinity_cpus, default_jobs
from runai_audit.judge.context import EngineContext
from runai_audit.judge.engine import (
    aggregate_usage,
    evaluate,
    file_confirms_runai,
    merge_same_place,
    problem_findings,
    unknown_host_calls,
)
from runai_audit.models import Finding, InputProblem, Location, SkippedFile, UnknownHost
from runai_audit.scanners.base import StreamStats

STREAM_KINDS = frozenset(STREAM_SCANNERS)
PARALLEL_THRESHOLD = 64  # below this many files a process pool costs more than it saves
MAX_LOCATIONS_SHOWN = 20  # per unknown host, in coverage; the count is always complete


def workers_for(candidates: Sequence[Candidate], options: ScanOptions) -> int:
    """--jobs, or the CPUs and memory this process may use (collect.sizing); 1 for a small
    scan, where a process pool costs more than it saves."""
    if len(candidates) < PARALLEL_THRESHOLD:
        return 1
    if options.jobs:
        return min(options.jobs, affinity_cpus())  # more processes than CPUs only cost memory
    return default_jobs()


def _scan_files(
    candidates: Sequence[Candidate], options: ScanOptions, progress: Callable[[int, int], None] | None,
    jobs: int,
) -> Iterable[FileResult]:
    if jobs <= 1:
        for index, cand in enumerate(candidates, 1):
            yield scan_candidate(cand, options.max_file_size)
            if progress:
                progress(index, len(candidates))
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        sizes = [options.max_file_size] * len(candidates)
        chunk = max(1, len(candidates) // (jobs * 8))
        for index, result in enumerate(pool.map(scan_candidate, candidates, sizes, chunksize=chunk), 1):
            yield result
            if progress:
                progress(index, len(candidates))


def _traffic_options(options: ScanOptions) -> object:
    from runai_audit.scanners.traffic import TrafficOptions

    return TrafficOptions(
        hosts=options.hosts,
        log_format=options.log_format,
        include_service_accounts=options.include_service_accounts,
    )


@dataclass
class Collected:
    findings: list[Finding] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    directives: dict[str, tuple[object, ...]] = field(default_factory=dict)
    files_scanned: int = 0
    scanned_paths: set[str] = field(default_factory=set)
    traffic_entries: int = 0
    traffic_unmatched: int = 0
    # display path -> the name runai-audit before 0.2 gave the file, where they differ (baselines)
    legacy_paths: dict[str, str] = field(default_factory=dict)
    unknown_hosts: dict[str, set[Location]] = field(default_factory=dict)
    jobs: int = 1  # worker processes the files were read with

    def unknown_host_coverage(self, shown: int = MAX_LOCATIONS_SHOWN) -> tuple[UnknownHost, ...]:
        """Per host: how many calls, and where the first `shown` of them are."""
        return tuple(
            UnknownHost(host, len(where), tuple(str(loc) for loc in sorted(where)[:shown]))
            for host, where in sorted(self.unknown_hosts.items())
        )


def _absorb(result: FileResult, ctx: EngineContext, out: Collected) -> None:
    if result.skipped is not None:
        out.skipped.append(result.skipped)
        return
    out.files_scanned += 1
    out.scanned_paths.add(result.display)
    out.problems.extend(result.problems)
    if result.directives:
        out.directives[result.display] = result.directives
    confirmed = file_confirms_runai(result.observations, ctx)
    for host, location in unknown_host_calls(
        result.observations, ctx, file_mentions_runai=result.mentions_runai, file_confirmed=confirmed,
        file_names_other_vendor=result.names_other_vendor,
    ):
        out.unknown_hosts.setdefault(host, set()).add(location)
    findings = merge_same_place(evaluate(result.observations, ctx, file_mentions_runai=result.mentions_runai,
                                         file_confirmed=confirmed, file_names_other_vendor=result.names_other_vendor))
    out.findings.extend(
        replace(f, context=written_in) if (written_in := result.contexts.get((f.location.line, f.location.column))) else f
        for f in findings
    )


def _scan_traffic(cand: Candidate, kind: str, ctx: EngineContext, options: ScanOptions, out: Collected) -> None:
    stats = StreamStats()
    try:
        observations = stream_observations(cand, kind, stats, _traffic_options(options))
        out.findings.extend(aggregate_usage(evaluate(observations, ctx, file_mentions_runai=True)))
    except Exception as exc:  # the scanners report bad input themselves; this guards their bugs
        stats.problems.append(InputProblem(cand.display, f"internal error reading {kind}: {type(exc).__name__}"))
    out.files_scanned += 1
    out.scanned_paths.add(cand.display)
    out.traffic_entries += stats.entries
    out.traffic_unmatched += stats.unmatched
    out.problems.extend(stats.problems)


def _scan_stdin(options: ScanOptions, ctx: EngineContext, out: Collected) -> None:
    """The text of `-`: its --stdin-filename picks the scanner, else its content does.
    Recorded traffic is streamed from a temporary copy, as a traffic file would be."""
    assert options.stdin_text is not None
    name = options.stdin_name
    head = options.stdin_text[:HEAD_BYTES].encode("utf-8", "replace")
    kind = sniff(name, head) if name != "-" else sniff_content(head)
    if kind not in STREAM_KINDS:
        _absorb(scan_text_file(options.stdin_text, name, kind), ctx, out)
        return
    with tempfile.TemporaryDirectory(prefix="runai-audit-stdin-") as folder:
        copy = Path(folder) / "stdin"
        copy.write_text(options.stdin_text, encoding="utf-8")
        _scan_traffic(Candidate(copy, name), kind, ctx, options, out)


def collect(
    options: ScanOptions, ctx: EngineContext, progress: Callable[[int, int], None] | None = None
) -> Collected:
    out = Collected()
    walk_options = WalkOptions(options.exclude, options.use_gitignore, options.max_file_size, options.default_excludes)
    candidates = discover(options.paths, walk_options, out.skipped)
    if options.only_files is not None:
        candidates = [c for c in candidates if c.path.resolve() in options.only_files]
    out.legacy_paths = {c.display: c.legacy for c in candidates if c.legacy}
    ordinary: list[Candidate] = []
    for cand in candidates:
        kind = stream_kind(cand, options.log_format)
        if kind:
            _scan_traffic(cand, kind, ctx, options, out)
        else:
            ordinary.append(cand)
    out.jobs = workers_for(ordinary, options)
    for result in _scan_files(ordinary, options, progress, out.jobs):
        _absorb(result, ctx, out)
    if options.stdin_skipped is not None:
        out.skipped.append(SkippedFile(options.stdin_name, options.stdin_skipped))
    if options.stdin_text is not None:
        _scan_stdin(options, ctx, out)
    out.findings.extend(problem_findings(out.problems, ctx))
    return out
