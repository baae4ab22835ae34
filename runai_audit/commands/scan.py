"""`runai-audit scan`: options -> config -> run_scan -> reporters -> exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click

from runai_audit.api import ScanOptions, run_scan
from runai_audit.collect.scanning import decode_text
from runai_audit.commands.common import (
    guarded,
    parse_report_specs,
    progress_printer,
    write_output,
)
from runai_audit.limits import InputLimit, read_at_most
from runai_audit.models import DEFAULT_CONTEXT_LEVELS, Report

FORMATS = ["text", "json", "sarif", "junit", "gitlab", "github", "markdown", "csv", "html"]


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


def scan_options(func: F) -> F:
    """The options every command that runs a scan shares (scan, baseline create, upgrade)."""
    decorators = [
        click.argument("paths", nargs=-1, type=click.Path(path_type=Path, allow_dash=True, exists=True)),
        click.option("--target", metavar="VERSION", help="Run:ai release you run or plan to run (default: newest bundled)."),
        click.option("--deployment", type=click.Choice(["self-hosted", "saas"]), help="Deployment kind (default self-hosted)."),
        click.option("--as-of", "as_of", metavar="DATE", help="Judge sunsets as of this date (default today)."),
        click.option("--rules", "rules_paths", multiple=True, type=click.Path(path_type=Path, exists=True),
                     help="Extra catalog rows (file or folder); repeatable."),
        click.option("--spec", metavar="FILE|URL", help="Use this OpenAPI spec instead of the bundled one."),
        click.option("--host", "hosts", multiple=True, metavar="HOST", help="Also treat HOST as a Run:ai control plane; repeatable, globs allowed."),
        click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching GLOB; repeatable."),
        click.option("--no-gitignore", is_flag=True, help="Scan files that .gitignore excludes."),
        click.option("--config", "config_path", type=click.Path(path_type=Path, exists=True, dir_okay=False),
                     help="Config file (default: .runai-audit.yaml upward, or pyproject.toml)."),
        click.option("--jobs", type=click.IntRange(1, 256), help="Parallel workers (default: one per core)."),
        click.option("--log-format", metavar="FORMAT", help="nginx-style log_format for access logs."),
        click.option("--include-service-accounts", is_flag=True, default=None,
                     help="Keep Run:ai's own controllers in audit logs."),
        click.option("--stdin-filename", metavar="NAME",
                     help="Name for the text read from - (its extension picks the scanner)."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def build_scan_options(params: dict[str, object]) -> tuple[ScanOptions, object]:
    """Merge config file and flags into ScanOptions. Raises ConfigError / ScanError."""
    from runai_audit.gate.config import load_config, merge_cli

    config_path = params.get("config_path")
    config, config_file = load_config(config_path if isinstance(config_path, Path) else None, Path.cwd())
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


def emit_reports(report: Report, fmt: str, output: Path | None, reports: Sequence[tuple[str, Path]]) -> None:
    from runai_audit.reporters import get_reporter

    write_output(get_reporter(fmt)(report), output)
    for report_format, report_path in reports:
        write_output(get_reporter(report_format)(report), report_path)


def output_options(func: F) -> F:
    """Output and gate options shared by the commands that report a scan (scan, upgrade)."""
    decorators = [
        click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
                     help="Output format."),
        click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
                     help="Write the output here instead of stdout."),
        click.option("--report", "reports", multiple=True, metavar="FORMAT=PATH",
                     help="Also write FORMAT to PATH; repeatable."),
        click.option("--fail-on", type=click.Choice(["error", "warning", "note", "never"]),
                     help="Lowest severity that fails (default error)."),
        click.option("--sunset-within", type=click.IntRange(0), metavar="DAYS",
                     help="Fail when a used subject's sunset is this close."),
        click.option("--baseline", type=click.Path(path_type=Path, dir_okay=False),
                     help="Mark findings recorded in this baseline."),
        click.option("--strict", is_flag=True, help="Exit 3 when any input could not be read or parsed."),
        click.option("-q", "--quiet", is_flag=True, help="No progress on stderr."),
    ]
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def run_reported_scan(options: ScanOptions, params: dict[str, object]) -> Report:
    """run_scan with progress on stderr only for a person at a terminal. Raises ScanError."""
    quiet = bool(params.get("quiet")) or not sys.stderr.isatty() or bool(os.environ.get("CI"))
    return run_scan(options, progress=None if quiet else progress_printer())


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

    reports = parse_report_specs(params.get("reports") or (), FORMATS)  # type: ignore[arg-type]
    options, config = build_scan_options(params)
    options = _changed_only(options, params.get("changed_since"))  # type: ignore[arg-type]
    report = run_reported_scan(options, params)
    history = params.get("history_path") or getattr(config, "history", None)
    if history:
        from runai_audit.compliance.history import record_run

        report = record_run(Path(str(history)), report, scope=str(params.get("history_scope") or ""))
    emit_reports(report, str(params["fmt"]), params.get("output"), reports)  # type: ignore[arg-type]
    return exit_code(report, options.fail_on, strict=bool(getattr(config, "strict", False)),
                     sunset_within=options.sunset_within, today=None)
