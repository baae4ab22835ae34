"""`runai-audit baseline create`: record today's findings so the gate fails only on new ones.

It runs exactly the scan that `runai-audit scan` runs (same options, same config file, inline
suppressions and exemptions applied) but ignores any existing baseline, then writes the
fingerprints of every finding still unsuppressed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from runai_audit.api import run_scan
from runai_audit.commands.common import EXIT_OK, guarded
from runai_audit.commands.scan import build_scan_options, scan_options
from runai_audit.gate.baseline import create_baseline, write_baseline


@click.group()
def baseline() -> None:
    """Accept existing findings as known debt, so CI fails only on new ones."""


@baseline.command("create")
@scan_options
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Baseline file to write (default: the config file's `baseline`).",
)
@guarded
def create(**params: object) -> int:
    """Scan PATHS and write every unsuppressed finding's fingerprint to a baseline file."""
    options, config = build_scan_options(params)
    configured = getattr(config, "baseline", None)
    output = params.get("output") or (Path(configured) if configured else None)
    if not isinstance(output, Path):
        raise click.UsageError("say where to write the baseline with -o FILE (or set `baseline:` in the config)")
    report = run_scan(replace(options, baseline=None))  # the old baseline must not hide debt
    doc = create_baseline(report.findings)
    write_baseline(doc, output)
    entries = len(doc["entries"])
    click.echo(f"runai-audit: wrote {entries} baseline entr{'y' if entries == 1 else 'ies'} to {output}", err=True)
    if report.coverage.errors:
        click.echo(
            f"runai-audit: warning: {len(report.coverage.errors)} input(s) could not be read or parsed; "
            "findings in them are not in the baseline",
            err=True,
        )
    return EXIT_OK
