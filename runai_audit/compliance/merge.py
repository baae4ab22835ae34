"""The estate report: per-repository JSON results merged into one Report.

Each repository's CI runs its own scan and keeps the JSON; a scheduled job merges them. Every
finding's path gets the repository name in front ("payments/scripts/sync.py"), and so does its
fingerprint (two repositories with the same file and call stay two findings). Coverage is
summed. Results made with different catalog versions, tool versions or targets are merged
anyway, with a coverage note saying so: a reader must know the facts behind them differ.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from runai_audit.models import Coverage, Finding, InputProblem, Provenance, Report, SkippedFile, UnknownHost

__all__ = ["MergeError", "RepositoryResult", "merge_reports", "repository_names", "repository_rows"]


class MergeError(Exception):
    """Nothing could be merged, or the inputs cannot be told apart."""


@dataclass(frozen=True)
class RepositoryResult:
    name: str
    source: str  # the JSON file it came from
    report: Report


def repository_names(files: Sequence[Path], explicit: Mapping[str, str]) -> dict[Path, str]:
    """Name each result file: from --name REPO=FILE, else its parent folder's name when those
    tell the files apart (artifacts/<repo>/result.json), else the file's stem."""
    by_file = {Path(file).resolve(): name for name, file in explicit.items()}
    missing = sorted(set(by_file) - {f.resolve() for f in files})
    if missing:
        raise MergeError(f"--name names a file that is not being merged: {missing[0]}")
    rest = [f for f in files if f.resolve() not in by_file]
    parents = [f.parent.name for f in rest]  # as given: "result.json" has none, so its stem names it
    use_parent = all(parents) and len(set(parents)) == len(parents)
    names = {f: by_file.get(f.resolve()) or (f.parent.name if use_parent else f.stem) for f in files}
    seen: dict[str, Path] = {}
    for file, name in names.items():
        if not name or "/" in name:
            raise MergeError(f"{file}: {name!r} is not a usable repository name; give one with --name REPO={file}")
        if name in seen:
            raise MergeError(f"{seen[name]} and {file} would both be called {name!r}; tell them apart with --name REPO=FILE")
        seen[name] = file
    return names


def _prefixed(name: str, path: str) -> str:
    return f"{name}/{path.lstrip('/')}"


def _finding(name: str, f: Finding) -> Finding:
    identity = f.fingerprint or f"{f.rule_id}\x1f{f.location.path}\x1f{f.subject}"
    return replace(
        f,
        location=replace(f.location, path=_prefixed(name, f.location.path)),
        fingerprint=hashlib.sha256(f"{name}\x1f{identity}".encode()).hexdigest()[:16],
    )


def _coverage(results: Sequence[RepositoryResult], notes: Iterable[str]) -> Coverage:
    skipped: list[SkippedFile] = []
    errors: list[InputProblem] = []
    own_notes: list[str] = []
    hosts: dict[str, tuple[int, list[str]]] = {}
    for r in results:
        cov = r.report.coverage
        for h in cov.unknown_hosts:
            calls, where = hosts.get(h.host, (0, []))
            hosts[h.host] = (calls + h.calls, where + [_prefixed(r.name, loc) for loc in h.locations])
        skipped += [SkippedFile(_prefixed(r.name, s.path), s.reason) for s in cov.files_skipped]
        errors += [replace(e, path=_prefixed(r.name, e.path)) for e in cov.errors]
        own_notes += [f"{r.name}: {n}" for n in cov.notes]
    return Coverage(
        files_scanned=sum(r.report.coverage.files_scanned for r in results),
        files_skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        errors=tuple(sorted(errors, key=lambda e: (e.path, e.line))),
        traffic_entries=sum(r.report.coverage.traffic_entries for r in results),
        traffic_unmatched=sum(r.report.coverage.traffic_unmatched for r in results),
        notes=(*notes, *own_notes),
        unknown_hosts=tuple(UnknownHost(host, calls, tuple(sorted(where))) for host, (calls, where) in sorted(hosts.items())),
    )


def _differs(results: Sequence[RepositoryResult], what: str, value: Any) -> list[str]:
    values = {r.name: str(value(r.report)) for r in results}
    if len(set(values.values())) <= 1:
        return []
    listing = ", ".join(f"{name} {v}" for name, v in sorted(values.items()))
    return [f"the results were made with different {what} ({listing}); their findings may not be comparable"]


def repository_rows(results: Sequence[RepositoryResult]) -> list[dict[str, Any]]:
    """One row per repository for the per-repository table (extras["repositories"])."""
    rows = []
    for r in sorted(results, key=lambda r: r.name):
        counts = r.report.counts()
        rows.append({
            "name": r.name,
            "source": r.source,
            "target": f"{r.report.target.deployment} {r.report.target.version}",
            "as_of": r.report.target.as_of,
            "catalog_version": r.report.provenance.catalog_version,
            "files_scanned": r.report.coverage.files_scanned,
            "counts": {**counts, "suppressed": sum(1 for f in r.report.findings if f.suppressed)},
            "unreadable": len(r.report.coverage.errors),
        })
    return rows


def _joined(values: Iterable[str]) -> str:
    return ", ".join(sorted(set(values)))


def merge_reports(results: Sequence[RepositoryResult], problems: Sequence[InputProblem] = ()) -> Report:
    """One report for the whole estate. `problems` are result files that could not be read:
    they become coverage errors, so --strict can refuse an incomplete estate."""
    if not results:
        raise MergeError("no result could be read; nothing to merge")
    first = results[0].report
    notes = [
        *_differs(results, "catalog versions", lambda r: r.provenance.catalog_version),
        *_differs(results, "tool versions", lambda r: r.provenance.tool_version),
        *_differs(results, "targets", lambda r: f"{r.target.deployment} {r.target.version}"),
    ]
    findings = [_finding(r.name, f) for r in results for f in r.report.findings]
    rules = {rule.id: rule for r in reversed(results) for rule in r.report.rules}
    coverage = _coverage(results, notes)
    coverage = replace(coverage, errors=(*problems, *coverage.errors))
    provenance = Provenance(
        tool_name=first.provenance.tool_name,
        tool_version=_joined(r.report.provenance.tool_version for r in results),
        catalog_version=_joined(r.report.provenance.catalog_version for r in results),
        spec_versions=tuple(sorted({v for r in results for v in r.report.provenance.spec_versions},
                                   key=lambda v: tuple(int(p) if p.isdigit() else 0 for p in v.split(".")))),
        spec_source=_joined(r.report.provenance.spec_source for r in results),
    )
    releases = max((r.report.releases for r in results), key=len)
    return Report(
        target=replace(first.target, as_of=max(r.report.target.as_of for r in results)),
        provenance=provenance,
        findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
        coverage=coverage,
        rules=tuple(rules[k] for k in sorted(rules)),
        fail_on=first.fail_on,
        releases=releases,
        extras={"repositories": repository_rows(results)},
    )

