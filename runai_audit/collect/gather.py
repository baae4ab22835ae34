"""Gather findings from every input of a scan: ordinary files (in parallel for large trees),
recorded traffic (streamed, one file at a time) and stdin. The I/O half of run_scan."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace

from runai_audit.collect.discovery import Candidate, WalkOptions, discover
from runai_audit.collect.filekinds import sniff
from runai_audit.collect.options import ScanOptions
from runai_audit.collect.scanning import (
    HEAD_BYTES,
    FileResult,
    scan_candidate,
    scan_text_file,
    stream_kind,
    stream_observations,
)
from runai_audit.judge.context import EngineContext
from runai_audit.judge.engine import (
    aggregate_usage,
    evaluate,
    file_confirms_runai,
    problem_findings,
)
from runai_audit.models import Finding, InputProblem, SkippedFile
from runai_audit.scanners.base import StreamStats

PARALLEL_THRESHOLD = 64  # below this many files a process pool costs more than it saves


def _scan_files(
    candidates: Sequence[Candidate], options: ScanOptions, progress: Callable[[int, int], None] | None
) -> Iterable[FileResult]:
    jobs = options.jobs or (os.cpu_count() or 1)
    if jobs <= 1 or len(candidates) < PARALLEL_THRESHOLD:
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
    findings = evaluate(result.observations, ctx, file_mentions_runai=result.mentions_runai, file_confirmed=confirmed,
                        file_names_other_vendor=result.names_other_vendor)
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


def collect(
    options: ScanOptions, ctx: EngineContext, progress: Callable[[int, int], None] | None = None
) -> Collected:
    out = Collected()
    walk_options = WalkOptions(options.exclude, options.use_gitignore, options.max_file_size)
    candidates = discover(options.paths, walk_options, out.skipped)
    if options.only_files is not None:
        candidates = [c for c in candidates if c.path.resolve() in options.only_files]
    ordinary: list[Candidate] = []
    for cand in candidates:
        kind = stream_kind(cand, options.log_format)
        if kind:
            _scan_traffic(cand, kind, ctx, options, out)
        else:
            ordinary.append(cand)
    for result in _scan_files(ordinary, options, progress):
        _absorb(result, ctx, out)
    if options.stdin_skipped is not None:
        out.skipped.append(SkippedFile(options.stdin_name, options.stdin_skipped))
    if options.stdin_text is not None:
        name = options.stdin_name
        kind = sniff(name, options.stdin_text[:HEAD_BYTES].encode("utf-8", "replace"))
        _absorb(scan_text_file(options.stdin_text, name, kind), ctx, out)
    out.findings.extend(problem_findings(out.problems, ctx))
    return out
