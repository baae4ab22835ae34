"""The library entry points: run a scan and get a Report.

`run_scan(options)` is what the CLI's `scan`, `baseline create` and `upgrade` commands call.
`scan_text(text, filename)` scans one in-memory file (used by the per-rule test cases and by
anyone embedding the tool).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from pathlib import Path

from runai_audit import __version__
from runai_audit.collect.gather import Collected, collect
from runai_audit.collect.options import ScanOptions as ScanOptions  # part of the library API
from runai_audit.judge.context import EngineContext, SpecLibrary
from runai_audit.knowledge.catalog import Catalog, load_catalog, rule_infos
from runai_audit.models import Coverage, Finding, Provenance, Report, Target

TOOL_NAME = "runai-audit"


class ScanError(Exception):
    """The scan could not do its job at all (bad catalog, spec or options): exit 3."""


class BadOption(ScanError):
    """A value given on the command line is not usable (an unknown release, a bad date, a bad
    log format): a usage error, exit 2."""


@functools.lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The built-in catalog, loaded once per process (it is immutable)."""
    return load_catalog(())


def today() -> str:
    return dt.date.today().isoformat()


def nearest_bundled(target: str, versions: Sequence[str], compare: Callable[[str, str], int]) -> str | None:
    """The bundled spec that describes `target` best: its own, else the newest older one
    (a release after the newest bundled spec keeps what that spec publishes, plus the
    catalog's documented changes)."""
    older = [v for v in versions if compare(v, target) <= 0]
    return max(older, key=functools.cmp_to_key(compare)) if older else None


def load_specs(
    catalog: Catalog, target: str, spec_file: str | None, label: str | None = None
) -> tuple[SpecLibrary, tuple[str, ...], str]:
    from runai_audit.knowledge.specs import (
        SpecError,
        SpecIndex,
        bundled_versions,
        load_bundled,
        load_spec_file,
    )

    versions = bundled_versions()
    target_spec: SpecIndex | None
    release: str | None
    try:
        if spec_file in versions:  # --spec 2.22: a bundled release's spec for this target
            target_spec, source, release = load_bundled(spec_file), f"bundled {spec_file}", target
        elif spec_file:
            target_spec = load_spec_file(Path(spec_file))
            source, release = label or spec_file, target
        else:
            release = nearest_bundled(target, versions, catalog.releases.compare)
            target_spec = load_bundled(release) if release else None
            source = "bundled" if release == target else f"bundled {release} (newest spec before {target})"
    except SpecError as exc:
        raise ScanError(str(exc)) from exc
    library = SpecLibrary(target_spec, versions, load_bundled, catalog.releases.compare, release)
    return library, versions, source


def build_context(options: ScanOptions, catalog: Catalog) -> tuple[EngineContext, Provenance]:
    from runai_audit.knowledge.specs import bundled_versions

    releases = catalog.releases
    target_version = options.target or bundled_versions()[-1]
    try:
        target_version = releases.resolve(target_version)  # "v2.20" and "2.20.15" mean 2.20
    except (KeyError, ValueError):
        known = ", ".join(releases.versions)
        raise BadOption(f"unknown target release {target_version!r} (known: {known})") from None
    if options.deployment not in ("self-hosted", "saas"):
        raise BadOption(f"unknown deployment {options.deployment!r} (self-hosted or saas)")
    as_of = options.as_of or today()
    try:
        dt.date.fromisoformat(as_of)
    except ValueError as exc:
        raise BadOption(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from exc
    if options.log_format:
        from runai_audit.scanners.traffic.log_formats import LogFormatError, compile_format

        try:
            compile_format(options.log_format)
        except (LogFormatError, re.error) as exc:
            raise BadOption(f"--log-format: {exc}") from exc
    specs, versions, source = load_specs(catalog, target_version, options.spec, options.spec_label)
    target = Target(options.deployment, target_version, as_of)
    ctx = EngineContext(catalog.rules, releases, target, specs, options.hosts, options.sunset_within)
    spec_versions = (specs.target.version,) if options.spec and specs.target else versions
    provenance = Provenance(TOOL_NAME, __version__, catalog.version, spec_versions, source)
    return ctx, provenance


def _post_process(findings: list[Finding], out: Collected, options: ScanOptions, ctx: EngineContext) -> list[Finding]:
    """Suppression is a filter after the engine; suppressed findings stay, marked."""
    from runai_audit.gate.baseline import apply_baseline, read_baseline
    from runai_audit.gate.exemptions import apply_exemptions
    from runai_audit.gate.policy import apply_context_levels, apply_severity_overrides
    from runai_audit.gate.suppress import apply_inline
    from runai_audit.judge.fingerprint import assign_fingerprints

    findings = apply_context_levels(findings, dict(options.contexts))
    findings = apply_severity_overrides(findings, dict(options.severity))
    findings = apply_inline(findings, out.directives)  # type: ignore[arg-type]
    findings = apply_exemptions(findings, options.exemptions, ctx.as_of)  # type: ignore[arg-type]
    findings = assign_fingerprints(sorted(findings, key=lambda f: f.sort_key))
    if options.baseline is not None:
        # A scan of named files (pre-commit, --changed-since) says nothing about the other files'
        # entries, so only entries for the files it read can be stale.
        some_files = options.only_files is not None or (bool(options.paths) and not any(p.is_dir() for p in options.paths))
        scanned = out.scanned_paths if some_files else None
        findings = apply_baseline(findings, read_baseline(options.baseline), scanned_paths=scanned,
                                  legacy_paths=out.legacy_paths)
    # Once more, for the findings the filters themselves add (RA901-RA904).
    findings = apply_severity_overrides(findings, dict(options.severity))
    return sorted(findings, key=lambda f: f.sort_key)


def run_scan(
    options: ScanOptions,
    *,
    catalog: Catalog | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    from runai_audit.knowledge.catalog import CatalogError

    try:
        catalog = catalog or (load_catalog(options.rules) if options.rules else default_catalog())
    except CatalogError as exc:
        raise ScanError(str(exc)) from exc
    ctx, provenance = build_context(options, catalog)
    out = collect(options, ctx, progress)
    findings = _post_process(out.findings, out, options, ctx)
    coverage = Coverage(
        files_scanned=out.files_scanned,
        files_skipped=tuple(sorted(out.skipped, key=lambda s: s.path)),
        errors=tuple(sorted(out.problems, key=lambda p: (p.path, p.line))),
        traffic_entries=out.traffic_entries,
        traffic_unmatched=out.traffic_unmatched,
        unknown_hosts=out.unknown_host_coverage(),
    )
    releases = tuple(
        (v, (d.isoformat() if (d := catalog.releases.date_of(v)) else "")) for v in catalog.releases.versions
    )
    return Report(
        target=ctx.target,
        provenance=provenance,
        findings=tuple(findings),
        coverage=coverage,
        rules=rule_infos(catalog),
        fail_on=options.fail_on,
        releases=releases,
        # For -v; no report format writes these.
        extras={"files_read": tuple(sorted(out.scanned_paths)), "jobs": out.jobs},
    )


def scan_text(
    text: str,
    filename: str,
    *,
    target: str | None = None,
    deployment: str = "self-hosted",
    as_of: str | None = None,
    hosts: Sequence[str] = (),
    catalog: Catalog | None = None,
) -> list[Finding]:
    """Findings for one in-memory file, named `filename` (its name picks the scanners)."""
    options = ScanOptions(
        stdin_text=text, stdin_name=filename, target=target, deployment=deployment,
        as_of=as_of, hosts=tuple(hosts),
    )
    return list(run_scan(options, catalog=catalog).findings)
