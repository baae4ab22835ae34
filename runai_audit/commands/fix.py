"""`runai-audit fix`: scan, plan the catalog's fixes, show them as a diff or write them.

The I/O edge of runai_audit.fix: reads the files the findings are in, writes the fixed bytes,
re-scans the changed files and restores any file whose re-scan does not confirm its fixes.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from runai_audit.commands.common import guarded, write_output
from runai_audit.commands.scan import build_scan_options, scan_options
from runai_audit.models import Finding, FixSuggestion, Report, TextEdit

if TYPE_CHECKING:  # the fix modules load only when the command runs, as every command's do
    from runai_audit.api import ScanOptions
    from runai_audit.fix.plan import Outcome, Selection

FORMATS = ["diff", "json", "sarif", "markdown", "html"]


@dataclass
class FileResult:
    path: str
    disk: Path
    before: bytes
    after: bytes
    text_before: str
    text_after: str
    outcomes: list[Outcome]
    problem: str = ""  # why the file was restored / not written
    written: list[str] = field(default_factory=list)  # REST request files (--migrate-dir)


def _split(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(v.strip().upper() for value in values for v in value.split(",") if v.strip())


def _below_cwd(path: Path) -> str | None:
    """`path` relative to the working directory ("" for itself), or None when it is elsewhere."""
    try:
        rel = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return None
    return "" if rel == "." else rel


def resolve_display(display: str, given: Sequence[Path]) -> Path | None:
    """The file on disk behind a finding's path, read back the way discovery wrote it: relative
    to the working directory for what lies below it, else relative to the folder given."""
    for path in given:
        rel = _below_cwd(path)
        if path.is_dir():
            inside = rel is not None and (rel == "" or display == rel or display.startswith(rel + "/"))
            candidate = Path.cwd() / display if inside else path / display if rel is None else None
            if candidate is not None and candidate.is_file():
                return candidate
        elif (rel or path.as_posix()) == display and path.is_file():
            return path
    return None


def dirty_files(files: Sequence[Path]) -> list[Path]:
    """Target files with uncommitted changes in their git work tree (untracked ones too).
    Files outside any work tree are never dirty."""
    dirty: list[Path] = []
    for file in files:
        try:
            result = subprocess.run(
                ["git", "status", "--porcelain", "--", file.name],
                cwd=file.parent, capture_output=True, text=True, timeout=60, check=False,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if result.returncode == 0 and result.stdout.strip():
            dirty.append(file)
    return dirty


def _suggestion(outcome: Outcome, text: str) -> FixSuggestion:
    from runai_audit.fix.textpos import Lines

    if outcome.status != "fixed" or not outcome.edits:
        return FixSuggestion(outcome.safety, note=outcome.reason, status=outcome.status)
    lines = Lines(text)
    edits = []
    for span in outcome.edits:
        (sl, sc), (el, ec) = lines.position(span.start), lines.position(span.end)
        edits.append(TextEdit(sl, sc, el, ec, span.text))
    # The new text of each edit, in file order (a removal adds nothing): never input values.
    fixed_text = " | ".join(s.text for s in sorted(outcome.edits, key=lambda s: s.start) if s.text)
    return FixSuggestion(outcome.safety, fixed_text, tuple(edits), outcome.reason, "fixed")


def _write_migrations(results: list[FileResult], migrate_dir: Path) -> set[int]:
    """Write the REST request of every Cluster API finding with a `migration` outcome; the ids
    of the findings whose request was written."""
    from runai_audit.fix.migration import from_snippet, migrations_of, request_name, request_text
    from runai_audit.migrate.convert import Migration

    prepared: set[int] = set()
    migrate_dir.mkdir(parents=True, exist_ok=True)
    taken = {p.name for p in migrate_dir.iterdir()}
    for result in results:
        wanted = [o for o in result.outcomes if o.status == "migration"]
        if not wanted:
            continue
        found = migrations_of(result.text_after)
        requests: list[Migration] = []
        if isinstance(found, list):  # the file is the manifest: the full, unmasked request
            requests = found
            prepared.update(id(o.finding) for o in wanted)
        else:  # a manifest inside another file: the request the finding carries
            for outcome in wanted:
                kind = outcome.finding.subject.rsplit(" ", 1)[-1]
                request = from_snippet(kind, outcome.finding.snippet or "")
                if request is not None:
                    requests.append(request)
                    prepared.add(id(outcome.finding))
        for request in requests:
            name = request_name(request, taken)
            taken.add(name)
            (migrate_dir / name).write_text(request_text(request), encoding="utf-8")
            result.written.append(str(migrate_dir / name))
    return prepared


@click.command()
@scan_options
@click.option("--write", is_flag=True, help="Apply the fixes (default: print them as a unified diff).")
@click.option("--select", multiple=True, metavar="RULE", help="Fix only these rules (ids or prefixes such as RA6); repeatable, or comma-separated.")
@click.option("--ignore", multiple=True, metavar="RULE", help="Never fix these rules; repeatable, or comma-separated.")
@click.option("--unsafe", is_flag=True, help="Also apply fixes marked unsafe (a person must check them).")
@click.option("--allow-dirty", is_flag=True, help="Write even to files with uncommitted git changes.")
@click.option("--migrate-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Write the REST request of each Cluster API workload manifest here.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="diff", show_default=True,
              help="diff, or a report whose findings carry their fix.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the output here instead of stdout.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note", "never"]), help="Lowest severity that fails (default error).")
@click.option("--baseline", type=click.Path(path_type=Path, dir_okay=False), help="Baselined findings are not fixed.")
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
@guarded
def fix(**params: object) -> int:
    """Fix what the catalog can rewrite in PATHS: print a unified diff, or apply it with --write.
    Exit 0 when nothing is left to fix, 1 when findings remain (as scan)."""
    from runai_audit.api import run_scan
    from runai_audit.fix.plan import Selection

    if any(str(p) == "-" for p in params.get("paths") or ()):  # type: ignore[attr-defined]
        raise click.BadParameter("fix edits files; it cannot read -", param_hint="PATHS")
    options, config = build_scan_options(params)
    selection = Selection(
        select=_split(params.get("select") or ()),  # type: ignore[arg-type]
        ignore=_split(params.get("ignore") or ()),  # type: ignore[arg-type]
        unsafe=bool(params.get("unsafe")),
    )
    report = run_scan(options)
    after_write = report
    given = list(options.paths)
    results, skipped = _plan_all(report, selection, given, options.rules)
    write = bool(params.get("write"))
    if write:
        dirty = dirty_files([r.disk for r in results if r.after != r.before])
        if dirty and not params.get("allow_dirty"):
            names = ", ".join(sorted(str(d) for d in dirty))
            raise click.UsageError(f"uncommitted changes in {names}; commit or stash them, or pass --allow-dirty")
        after_write = _write_and_verify(results, options, report)
    prepared: set[int] = set()
    migrate_dir = params.get("migrate_dir")
    if write and isinstance(migrate_dir, Path):
        prepared = _write_migrations(results, migrate_dir)
    return _finish(report, after_write, results, skipped, prepared, params, config, write)


def _plan_all(
    report: Report, selection: Selection, given: list[Path], rule_files: Sequence[Path]
) -> tuple[list[FileResult], list[str]]:
    from runai_audit.api import default_catalog
    from runai_audit.fix.apply import NotEditable, apply_bytes, apply_text, byte_edits, decode
    from runai_audit.fix.plan import fixable, plan_file
    from runai_audit.knowledge.catalog import load_catalog

    catalog = load_catalog(rule_files) if rule_files else default_catalog()
    rules = {r.id: r for r in catalog.rules}
    by_path: dict[str, list[Finding]] = {}
    for finding in report.findings:
        if fixable(finding):
            by_path.setdefault(finding.location.path, []).append(finding)
    unreadable = {p.path for p in report.coverage.errors}
    results: list[FileResult] = []
    skipped: list[str] = []
    for path in sorted(by_path):
        disk = resolve_display(path, given)
        if disk is None:
            skipped.append(f"{path}: not found on disk")
            continue
        if path in unreadable:  # a reader failed on it: what it means is not known well enough
            skipped.append(f"{path}: its reader reported a problem, so it is not edited")
            continue
        raw = disk.read_bytes()
        try:
            decoded = decode(raw)
        except NotEditable as exc:
            skipped.append(f"{path}: {exc}")
            continue
        plan = plan_file(path, by_path[path], rules, decoded.text, selection)
        edits = plan.edits
        after = apply_bytes(raw, byte_edits(decoded, edits))
        results.append(FileResult(path, disk, raw, after, decoded.text, apply_text(decoded.text, edits), list(plan.outcomes)))
    return results, skipped


def _write_and_verify(results: list[FileResult], options: ScanOptions, report: Report) -> Report:
    """Write each changed file, re-scan them together, and restore any file whose fixes the
    re-scan (or its own reader) does not confirm."""
    from runai_audit.api import run_scan
    from runai_audit.fix.verify import findings_problem, still_loads

    changed = [r for r in results if r.after != r.before]
    for result in changed:
        result.problem = still_loads(result.path, result.text_before, result.text_after) or ""
    ready = [r for r in changed if not r.problem]
    for result in ready:
        result.disk.write_bytes(result.after)
    if not ready:
        return report
    rescan = run_scan(replace(options, only_files=frozenset(r.disk.resolve() for r in ready)))
    for result in ready:
        fixed = [o for o in result.outcomes if o.status == "fixed"]
        before = [f for f in report.findings if f.location.path == result.path]
        after = [f for f in rescan.findings if f.location.path == result.path]
        result.problem = findings_problem(before, after, fixed) or ""
        if result.problem:
            result.disk.write_bytes(result.before)
    # What the files hold now: the re-scan for the files that stayed fixed, the first scan elsewhere.
    kept = {r.path for r in ready if not r.problem}
    now = [f for f in report.findings if f.location.path not in kept]
    now += [f for f in rescan.findings if f.location.path in kept]
    return replace(report, findings=tuple(sorted(now, key=lambda f: f.sort_key)))


def _finish(report: Report, after_write: Report, results: list[FileResult], skipped: list[str],
            prepared: set[int], params: dict[str, object], config: object, write: bool) -> int:
    from runai_audit.fix.diff import file_diff, render_diffs
    from runai_audit.fix.plan import Outcome
    from runai_audit.gate.policy import exit_code
    from runai_audit.reporters import get_reporter

    suggestions: dict[int, FixSuggestion] = {}
    for result in results:
        for outcome in result.outcomes:
            if result.problem and outcome.status == "fixed":
                outcome = Outcome(outcome.finding, "failed", outcome.safety, result.problem)
            suggestions[id(outcome.finding)] = _suggestion(outcome, result.text_before)
            if outcome.status == "migration" and id(outcome.finding) in prepared:
                suggestions[id(outcome.finding)] = FixSuggestion(outcome.safety, note="migration prepared", status="migration")
    findings = tuple(
        replace(f, fix=suggestions[id(f)]) if id(f) in suggestions else f for f in report.findings
    )
    diffs = [file_diff(r.path, r.text_before, r.text_after) for r in results if not r.problem]
    diff_text = render_diffs(diffs)
    shown = replace(report, findings=findings, extras={**report.extras, "fix_diff": diff_text})
    fmt = str(params.get("fmt") or "diff")
    output = params.get("output")
    if fmt == "diff":
        if not write and (diff_text or isinstance(output, Path)):  # no diff: print nothing at all
            write_output(diff_text, output if isinstance(output, Path) else None)
    else:
        write_output(get_reporter(fmt)(shown), output if isinstance(output, Path) else None)
    if not params.get("quiet"):
        click.echo(_summary(findings, results, skipped, write), err=True, nl=False)
    # As scan, on what the files hold when the command ends (the re-scan after --write).
    fail_on = str(params.get("fail_on") or getattr(config, "fail_on", "error") or "error")
    return exit_code(after_write if write else report, fail_on, strict=False)


def _summary(findings: Sequence[Finding], results: list[FileResult], skipped: list[str], write: bool) -> str:
    counts: dict[str, int] = {}
    lines: list[str] = []
    for f in findings:
        if f.fix is None:
            continue
        fixed = f.fix.status == "fixed"
        key = ("fixed" if write else "fixable") if fixed else (
            "unsafe" if f.fix.status == "unsafe" else "migration" if f.fix.note == "migration prepared" else "left")
        counts[key] = counts.get(key, 0) + 1
        if not fixed:
            use = f"; replacement: {f.replacement}" if f.fix.safety == "manual" and f.replacement != "none" else ""
            lines.append(f"  {f.location} {f.rule_id}: {f.fix.note}{use}\n")
    verb = "fixed" if write else "fixable"
    head = (f"{counts.get(verb, 0)} {verb}, {counts.get('unsafe', 0)} need --unsafe, "
            f"{counts.get('migration', 0)} migrations prepared, {counts.get('left', 0)} left for a person")
    out = [head + "\n", *lines]
    out += [f"  restored {r.path}: {r.problem}\n" for r in results if r.problem]
    out += [f"  skipped {s}\n" for s in skipped]
    out += [f"  wrote {m}\n" for r in results for m in r.written]
    return "".join(out)

