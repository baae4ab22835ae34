"""`runai-audit merge RESULT.json...`: one estate report from per-repository JSON results."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from runai_audit.commands.common import EXIT_TOOL_FAILED, fail, guarded, parse_report_specs, write_output
from runai_audit.commands.scan import FORMATS, with_history
from runai_audit.models import InputProblem, Report
from runai_audit.reporters.common import one_line


def _names(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        name, sep, file = value.partition("=")
        if not sep or not name or not file:
            raise click.BadParameter(f"{value!r} is not REPO=FILE", param_hint="--name")
        out[name] = file
    return out


def _table_rows(report: Report) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    rows: list[dict[str, Any]] = list(report.extras.get("repositories") or [])  # type: ignore[call-overload]
    header: tuple[str, ...] = ("repository", "errors", "warnings", "notes", "suppressed", "files", "target", "catalog")
    body: list[tuple[str, ...]] = [
        (one_line(r["name"]), str(r["counts"]["error"]), str(r["counts"]["warning"]), str(r["counts"]["note"]),
         str(r["counts"]["suppressed"]), str(r["files_scanned"]), str(r["target"]), str(r["catalog_version"]))
        for r in rows
    ]
    return header, body


def repositories_text(report: Report) -> str:
    header, body = _table_rows(report)
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    numeric = {1, 2, 3, 4, 5}
    lines = ["  ".join(c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))).rstrip()
             for row in [header, *body]]
    return "Repositories:\n" + "\n".join(f"  {line}" for line in lines) + "\n"


def repositories_markdown(report: Report) -> str:
    header, body = _table_rows(report)

    def cell(text: str) -> str:
        return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("`", "'")

    lines = ["## Repositories", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in body]
    return "\n".join(lines) + "\n"


def render(fmt: str, report: Report) -> str:
    from runai_audit.reporters import get_reporter

    text = get_reporter(fmt)(report)
    if fmt == "text":
        return repositories_text(report) + "\n" + text
    if fmt == "markdown":
        return text.rstrip("\n") + "\n\n" + repositories_markdown(report)
    return text


def _read(files: tuple[Path, ...], names: dict[Path, str]) -> tuple[list[Any], list[InputProblem]]:
    from runai_audit.compliance.merge import RepositoryResult
    from runai_audit.reporters import load_report_json

    results, problems = [], []
    for file in files:
        try:
            report = load_report_json(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            problems.append(InputProblem(str(file), f"not a runai-audit JSON result: {reason}"))
            fail(f"{file}: not a runai-audit JSON result: {reason}")
            continue
        results.append(RepositoryResult(names[file], str(file), report))
    return results, problems


@click.command()
@click.argument("results", nargs=-1, required=True, type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--name", "names", multiple=True, metavar="REPO=FILE", help="Name the repository of FILE; repeatable.")
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the output here instead of stdout.")
@click.option("--report", "reports", multiple=True, metavar="FORMAT=PATH", help="Also write FORMAT to PATH; repeatable.")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note", "never"]), default="error", show_default=True,
              help="Lowest severity that fails.")
@click.option("--strict", is_flag=True, help="Exit 3 when a result file, or any input behind it, could not be read.")
@click.option("--history", "history_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Record the merged run in a history database (SQLite).")
@click.option("--history-scope", default="", metavar="NAME",
              help="Record it under this scope, to share one history file with other runs.")
@guarded
def merge(**params: Any) -> int:
    """Merge per-repository JSON results (from `scan --format json`) into one estate report.

    Each result is tagged with its repository: --name REPO=FILE, else the file's folder name
    (artifacts/<repo>/result.json), else the file name without extension. Finding paths get
    the repository name in front.
    """
    from runai_audit.compliance.merge import merge_reports, repository_names
    from runai_audit.gate.policy import exit_code

    reports = parse_report_specs(params["reports"], FORMATS)
    files: tuple[Path, ...] = params["results"]
    names = repository_names(files, _names(params["names"]))
    results, problems = _read(files, names)
    if not results:
        fail("no result could be read; nothing to merge")
        return EXIT_TOOL_FAILED
    report = replace(merge_reports(results, problems), fail_on=params["fail_on"])
    report, history_problem = with_history(report, params.get("history_path"), params["history_scope"])
    write_output(render(params["fmt"], report), params.get("output"))
    for report_format, report_path in reports:
        write_output(render(report_format, report), report_path)
    if history_problem:
        fail(f"{history_problem}; the reports were written without the trend")
        return EXIT_TOOL_FAILED
    return exit_code(report, params["fail_on"], strict=bool(params["strict"]))
