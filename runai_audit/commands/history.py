"""`runai-audit history show --db FILE`: the recorded runs, and what changed in the last one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from runai_audit.commands.common import EXIT_OK, guarded
from runai_audit.reporters.common import one_line


@click.group()
def history() -> None:
    """Look at the scan history that `scan --history FILE` records."""


def _table(runs: list[dict[str, Any]]) -> list[str]:
    header = ("run", "time", "target", "files", "errors", "warnings", "notes", "suppressed")
    rows = [
        (str(r["id"]), r["time"], r["target"], str(r["files_scanned"]), str(r["counts"]["error"]),
         str(r["counts"]["warning"]), str(r["counts"]["note"]), str(r["counts"]["suppressed"]))
        for r in runs
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    numeric = {0, 3, 4, 5, 6, 7}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.rjust(w) if i in numeric else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return [line(header), *(line(r) for r in rows)]


def render_text(summary: dict[str, Any], db: Path) -> str:
    runs = summary["runs"]
    where = f"{db} (scope {summary['scope']})" if summary.get("scope") else str(db)
    if not runs:
        others = [name or "(none)" for name in summary.get("scopes", [])]
        hint = f"; runs were recorded in scope {', '.join(others)} (use --scope)" if others else ""
        return f"{where}: no runs recorded yet{hint}\n"
    lines = [f"{where}: last {len(runs)} run{'s' if len(runs) != 1 else ''}", *_table(runs), ""]
    if summary["previous"] is None:
        lines.append(f"run {summary['run']} is the first: nothing to compare with")
        return "\n".join(lines) + "\n"
    lines.append(f"run {summary['run']} against run {summary['previous']}: "
                 f"{summary['new_count']} new, {summary['fixed_count']} fixed")
    for f in summary["new"]:
        where = f"{f['path']}:{f['line']}" if f["line"] else f["path"]
        quiet = " (suppressed)" if f["suppressed"] else ""
        lines.append(f"  new    {f['rule_id']} {f['severity']} {one_line(where)} {one_line(f['subject'])}{quiet}")
    lines.extend(f"  fixed  {f['rule_id']} {one_line(f['path'])} {one_line(f['subject'])}" for f in summary["fixed"])
    shown = len(summary["new"]) + len(summary["fixed"])
    if shown < summary["new_count"] + summary["fixed_count"]:
        lines.append(f"  ... {summary['new_count'] + summary['fixed_count'] - shown} more not listed")
    return "\n".join(lines) + "\n"


@history.command()
@click.option("--db", "db", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The history file that scan --history writes.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--last", type=click.IntRange(1, 10_000), default=30, show_default=True, help="How many runs to list.")
@click.option("--scope", default="", metavar="NAME", help="Runs recorded under this scope (default: the unnamed one).")
@guarded
def show(db: Path, fmt: str, last: int, scope: str) -> int:
    """The last runs (time, target, counts by severity) and the findings new and fixed in the
    newest run compared with the one before it."""
    from runai_audit.compliance.history import load_history

    summary = load_history(db, scope=scope, last=last)
    if fmt == "json":
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        click.echo(render_text(summary, db), nl=False)
    return EXIT_OK
