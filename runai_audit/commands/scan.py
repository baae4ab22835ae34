"""`runai-audit scan`: options -> config -> run_scan -> reporters -> exit code."""

from __future__ import annotations

import functools
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from runai_audit.api import ScanOptions, run_scan
from runai_audit.collect.scanning import decode_text
from runai_audit.commands.common import (
    EXIT_TOOL_FAILED,
    fail,
    guarded,
    parse_report_specs,
    progress_printer,
    write_output,
)
from runai_audit.limits import InputLimit, read_at_most
from runai_audit.models import DEFAULT_CONTEXT_LEVELS, Report

if TYPE_CHECKING:
    from runai_audit.reporters.text import TextStyle

FORMATS = ["text", "json", "sarif", "junit", "gitlab", "github", "markdown", "csv", "html"]
# Formats whose own text carries the unknown-hosts hint; the others get it on stderr.
FORMATS_WITH_HINT = frozenset({"text", "github", "markdown"})


F = TypeVar("F", bound=Callable[..., Any])


def read_stdin(max_bytes: int) -> tuple[str | None, str | None]:
    """The text of "-", or why it was not read: stdin is capped like any file (a pipe from
    /dev/zero must not fill memory), and bytes that are not UTF-8 are replaced, not fatal."""
    try:
        return decode_text(read_at_most(sys.stdin.buffer, max_bytes)), None
    except InputLimit as exc:
        return None, exc.reason
    except UnicodeDecodeError as exc:
        return None, f"not UTF-16 text: {exc.reason}"


class SharedOption(click.Option):
    """An option every scanning command (scan, upgrade, baseline create) shares: it reads
    the same environment variable everywhere, RUNAI_AUDIT_<NAME> (see cli.set_envvars)."""


shared_option = functools.partial(click.option, cls=SharedOption)


def scan_option_decorators(*, target: bool = True) -> list[Callable[[F], F]]:
    """The options every command that runs a scan shares (scan, baseline create, upgrade);
    `upgrade` names its releases with --from/--to, so it leaves --target out."""
    decorators = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path, allow_dash=True, exists=True)),
        shared_option("-t", "--target", metavar="VERSION",
                     help="Run:ai release you run or plan to run: 2.24, v2.24 or 2.24.3 (default: newest bundled)."),
        shared_option("--deployment", type=click.Choice(["self-hosted", "saas"]), help="Deployment kind (default self-hosted)."),
        shared_option("--as-of", "as_of", metavar="DATE", help="Judge sunsets as of this date (default today)."),
        shared_option("--rules", "rules_paths", multiple=True, type=click.Path(path_type=Path, exists=True),
                     help="Extra catalog rows (file or folder); repeatable."),
        shared_option("--spec", metavar="FILE|URL", help="Use this OpenAPI spec instead of the bundled one."),
        shared_option("--host", "hosts", multiple=True, metavar="HOST", help="Also treat HOST as a Run:ai control plane; repeatable, globs allowed."),
        shared_option("--exclude", multiple=True, metavar="GLOB",
                      help="Skip paths matching GLOB (gitignore syntax: * stays in a folder, ** crosses); repeatable."),
        shared_option("--no-gitignore", is_flag=True, help="Scan files that .gitignore excludes."),
        shared_option("--no-default-excludes", is_flag=True,
                      help="Also scan virtual environments, site-packages, node_modules, .tox, .nox, dist, build, .git."),
        shared_option("-c", "--config", "config_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
                     help="Config file (default: .runai-audit.yaml upward, or pyproject.toml)."),
        shared_option("-j", "--jobs", type=click.IntRange(1, 256),
                     help="Parallel workers (default: the CPUs this process may use, within the container's memory limit)."),
        shared_option("--log-format", metavar="FORMAT", help="nginx-style log_format for access logs."),
        shared_option("--include-service-accounts", is_flag=True, default=None,
                     help="Keep Run:ai's own controllers in audit logs."),
        shared_option("--stdin-filename", metavar="NAME",
                     help="Name for the text read from - (its extension picks the scanner; without it the content does)."),
    ]
    # The second entry is --target (see upgrade); keep it there.
    return decorators if target else decorators[:1] + decorators[2:]


def scan_options(func: F) -> F:
    """The shared scan options, --target included."""
    for decorator in reversed(scan_option_decorators()):
        func = decorator(func)
    return func


def scan_options_without_target(func: F) -> F:
    """The shared scan options for `upgrade`, which takes --from/--to instead of --target."""
    for decorator in reversed(scan_option_decorators(target=False)):
        func = decorator(func)
    return func


def build_scan_options(params: dict[str, object]) -> tuple[ScanOptions, object]:
    """Merge config file and flags into ScanOptions. Raises ConfigError / ScanError."""
    from runai_audit.gate.config import load_config, merge_cli

    config_path = params.get("config_path")
    config, config_file = load_config(config_path if isinstance(config_path, Path) else None, Path.cwd())
    from_file = config
    config = merge_cli(
        config,
        target=params.get("target"),
        deployment=params.get("deployment"),
        as_of=params.get("as_of"),
        fail_on=params.get("fail_on"),
        sunset_within=params.get("sunset_within"),
        exclude=tuple(params.get("exclude") or ()) or None,  # type: ignore[arg-type]
        hosts=tuple(params.get("hosts") or ()) or None,  # type: ignore[arg-type]
        rules=tuple(str(p) for p in params.get("rules_paths") or ()) or None,  # type: ignore[attr-defined]
        spec=params.get("spec"),
        baseline=str(params["baseline"]) if params.get("baseline") else None,
        strict=params.get("strict") or None,
        jobs=params.get("jobs"),
        log_format=params.get("log_format"),
        include_service_accounts=params.get("include_service_accounts"),
    )
    if config_file is not None:
        _check_against_catalog(from_file, config, target_flag=bool(params.get("target")))
        if from_file.log_format and not params.get("log_format"):
            _check_log_format(from_file)
    raw_paths: tuple[Path, ...] = tuple(params.get("paths") or ())  # type: ignore[arg-type]
    paths = tuple(p for p in raw_paths if str(p) != "-") or ((Path(),) if not raw_paths else ())
    stdin_text, stdin_skipped = (
        read_stdin(config.max_file_size) if any(str(p) == "-" for p in raw_paths) else (None, None))
    spec = _resolve_spec(config.spec)
    options = ScanOptions(
        paths=paths,
        stdin_text=stdin_text,
        stdin_skipped=stdin_skipped,
        stdin_name=str(params.get("stdin_filename") or "-"),
        target=config.target,
        deployment=config.deployment,
        as_of=config.as_of,
        rules=tuple(Path(p) for p in config.rules),
        spec=spec,
        spec_label=safe_url(config.spec) if spec and config.spec and spec != config.spec else None,
        hosts=tuple(config.hosts),
        exclude=tuple(config.exclude),
        use_gitignore=not params.get("no_gitignore"),
        default_excludes=not params.get("no_default_excludes"),
        max_file_size=config.max_file_size,
        jobs=config.jobs,
        sunset_within=config.sunset_within,
        fail_on=config.fail_on,
        log_format=config.log_format,
        include_service_accounts=bool(config.include_service_accounts),
        severity=tuple(sorted(config.severity.items())),
        contexts=tuple(sorted({**DEFAULT_CONTEXT_LEVELS, **config.contexts}.items())),
        baseline=Path(config.baseline) if config.baseline else None,
        exemptions=tuple(config.exemptions),
        config_file=config_file,
    )
    return options, config


def _check_against_catalog(from_file: Any, merged: Any, *, target_flag: bool) -> None:
    """What the config file names must exist: its target release and the rule ids under
    severity and exemptions. A ConfigError (exit 3) names the file and the key, before the scan."""
    from runai_audit.api import default_catalog
    from runai_audit.gate.config import ConfigError, check_rule_ids
    from runai_audit.knowledge.catalog import load_catalog

    catalog = load_catalog(tuple(Path(p) for p in merged.rules)) if merged.rules else default_catalog()
    if from_file.target and not target_flag and from_file.target not in catalog.releases.versions:
        known = ", ".join(catalog.releases.versions)
        raise ConfigError(from_file.source, "target", f"names release '{from_file.target}', which is not known (known: {known})")
    check_rule_ids(from_file, {rule.id for rule in catalog.rules})


def _check_log_format(config: Any) -> None:
    """A bad log_format in the file is a config error (exit 3) naming the file, not a usage error."""
    from runai_audit.gate.config import ConfigError
    from runai_audit.scanners.traffic.log_formats import LogFormatError, compile_format

    try:
        compile_format(config.log_format)
    except (LogFormatError, re.error) as exc:
        raise ConfigError(config.source, "log_format", f"is not usable: {exc}") from None


def configured_reports(config: Any, flags: Sequence[tuple[str, Path]]) -> list[tuple[str, Path]]:
    """--report FORMAT=PATH, plus the config file's `reports:` for formats no flag names."""
    given = {fmt for fmt, _ in flags}
    from_file = [(fmt, Path(path)) for fmt, path in sorted(getattr(config, "reports", {}).items()) if fmt not in given]
    return [*flags, *from_file]


def safe_url(url: str) -> str:
    from runai_audit.upgrade.spec_fetch import safe_url as strip_credentials

    return strip_credentials(url)


def _resolve_spec(spec: str | None) -> str | None:
    """A URL is fetched once into a temporary file; a path is used as it is."""
    if spec and spec.startswith(("http://", "https://")):
        from runai_audit.upgrade.spec_fetch import fetch_to_temp

        return str(fetch_to_temp(spec))
    return spec


def _changed_only(options: ScanOptions, ref: str | None) -> ScanOptions:
    if not ref:
        return options
    from runai_audit.collect.changed import changed_files

    files = changed_files(Path.cwd(), ref)
    return replace(options, only_files=frozenset(p.resolve() for p in files))


def use_colour(output: Path | None) -> bool:
    """Colour for a person at a terminal: never into a file, off with NO_COLOR, forced with
    FORCE_COLOR (https://no-color.org, https://force-color.org), else when stdout is a TTY."""
    if output is not None and str(output) != "-":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    return sys.stdout.isatty()


def text_style(params: dict[str, object]) -> TextStyle:
    from runai_audit.reporters.text import TextStyle

    output = params.get("output")
    return TextStyle(
        colour=use_colour(output if isinstance(output, Path) else None),
        full=params.get("output_format") == "full" or bool(params.get("verbose")),
        quiet=bool(params.get("quiet")),
        show_skipped=bool(params.get("show_skipped")),
    )


def render_main(report: Report, fmt: str, params: dict[str, object]) -> str:
    """The output for stdout (or -o): the text layout follows the terminal options."""
    from runai_audit.reporters import get_reporter
    from runai_audit.reporters import text as text_reporter

    if fmt == "text":
        return text_reporter.render(report, text_style(params))
    return get_reporter(fmt)(report)


def emit_reports(report: Report, fmt: str, params: dict[str, object], reports: Sequence[tuple[str, Path]]) -> None:
    from runai_audit.reporters import get_reporter
    from runai_audit.reporters.common import unknown_hosts_hint

    output = params.get("output")
    style = text_style(params)
    write_output(render_main(report, fmt, params), output if isinstance(output, Path) else None, colour=style.colour)
    for report_format, report_path in reports:
        write_output(get_reporter(report_format)(report), report_path)
    hint = unknown_hosts_hint(report)
    if hint and fmt not in FORMATS_WITH_HINT and not params.get("quiet"):
        click.echo(f"runai-audit: hint: {hint}", err=True)


def verbose_footer(report: Report, seconds: float) -> None:
    """-v: timing and the files read, on stderr so stdout stays the report."""
    files = report.extras.get("files_read") or ()
    assert isinstance(files, tuple)
    for path in files:
        click.echo(f"read {path}", err=True)
    jobs = report.extras.get("jobs", 1)
    click.echo(f"scanned {len(files)} files in {seconds:.2f} s with {jobs} worker{'s' if jobs != 1 else ''}", err=True)


def output_options(func: F) -> F:
    """Output and gate options shared by the commands that report a scan (scan, upgrade)."""
    decorators = [
        shared_option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="Output format."),
        shared_option("--output-format", "output_format", type=click.Choice(["concise", "full"]), default="concise",
                     show_default=True,
                     help="Text layout: one short line per finding, or the whole message with evidence and REST equivalent."),
        shared_option("--show-skipped", is_flag=True, help="List the skipped files in the text summary."),
        shared_option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
                     help="Write the output here instead of stdout."),
        shared_option("--report", "reports", multiple=True, metavar="FORMAT=PATH",
                     help="Also write FORMAT to PATH; repeatable."),
        shared_option("--fail-on", type=click.Choice(["error", "warning", "note", "never"]),
                     help="Lowest severity that fails (default error)."),
        shared_option("--sunset-within", type=click.IntRange(0), metavar="DAYS",
                     help="Fail when a used subject's sunset is this close."),
        shared_option("--baseline", type=click.Path(path_type=Path, dir_okay=False),
                     help="Mark findings recorded in this baseline."),
        shared_option("--strict", is_flag=True, help="Exit 3 when any input could not be read or parsed."),
        shared_option("-q", "--quiet", is_flag=True,
                     help="Only the findings and the summary line (and no progress on stderr)."),
        shared_option("-v", "--verbose", is_flag=True,
                     help="The full text layout, plus timing and the files read (on stderr)."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def with_history(report: Report, history: object, scope: str) -> tuple[Report, str | None]:
    """Record the run when a history file is named. A history that cannot be used (corrupt,
    read-only) must not cost the reports: its problem is returned for the caller to report."""
    if not history:
        return report, None
    from runai_audit.compliance.history import HistoryError, record_run

    try:
        return record_run(Path(str(history)), report, scope=scope), None
    except HistoryError as exc:
        return report, str(exc)


def run_reported_scan(options: ScanOptions, params: dict[str, object]) -> Report:
    """run_scan with progress on stderr only for a person at a terminal. Raises ScanError."""
    quiet = bool(params.get("quiet")) or not sys.stderr.isatty() or bool(os.environ.get("CI"))
    started = time.perf_counter()
    report = run_scan(options, progress=None if quiet else progress_printer())
    if params.get("verbose"):
        verbose_footer(report, time.perf_counter() - started)
    return report


@click.command()
@scan_options
@output_options
@click.option("--changed-since", metavar="GIT_REF", help="Scan only files changed since GIT_REF.")
@click.option("--history", "history_path", type=click.Path(path_type=Path, dir_okay=False), help="Record this run in a history database (SQLite).")
@click.option("--history-scope", metavar="NAME", default="",
              help="Compare this run only with earlier runs of the same scope (one per repository or job).")
@guarded
def scan(**params: object) -> int:
    """Scan PATHS (files, folders, or - for stdin) for deprecated Run:ai API use."""
    from runai_audit.gate.policy import exit_code

    flags = parse_report_specs(params.get("reports") or (), FORMATS)  # type: ignore[arg-type]
    options, config = build_scan_options(params)
    reports = configured_reports(config, flags)
    options = _changed_only(options, params.get("changed_since"))  # type: ignore[arg-type]
    report = run_reported_scan(options, params)
    history = params.get("history_path") or getattr(config, "history", None)
    report, history_problem = with_history(report, history, str(params.get("history_scope") or ""))
    emit_reports(report, str(params["fmt"]), params, reports)
    if history_problem:
        fail(f"{history_problem}; the reports were written without the trend")
        return EXIT_TOOL_FAILED
    return exit_code(report, options.fail_on, strict=bool(getattr(config, "strict", False)),
                     sunset_within=options.sunset_within, today=None)
