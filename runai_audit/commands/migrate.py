"""`runai-audit migrate FILE`: the REST request that replaces each Cluster API workload."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from runai_audit.commands.common import EXIT_OK, EXIT_TOOL_FAILED, fail, guarded, write_output
from runai_audit.limits import MAX_TEXT_BYTES, InputLimit, read_at_most, read_capped

_NOTE = (
    "# Replace projectId and clusterId with your project's id and your cluster's uuid; "
    "fields listed as not mapped have no REST equivalent or need a manual decision."
)


def _read(file: str) -> str:
    """FILE or stdin, capped like any scanned file (InputLimit beyond)."""
    data = read_at_most(sys.stdin.buffer, MAX_TEXT_BYTES) if file == "-" else read_capped(Path(file), MAX_TEXT_BYTES)
    return data.decode("utf-8", errors="replace")


@click.command()
@click.argument("file", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--redact", is_flag=True, help="Mask manifest values that could be secrets, for sharing.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False))
@guarded
def migrate(file: str, fmt: str, redact: bool, output: Path | None) -> int:
    """Show the REST request (method, path, JSON body) that replaces each run.ai/v2alpha1
    TrainingWorkload, InteractiveWorkload, DistributedWorkload or InferenceWorkload in FILE."""
    from runai_audit.migrate.convert import MigrationError, migrate_all, redacted

    if file != "-" and not Path(file).is_file():
        raise click.BadParameter(f"{file} is not a readable file", param_hint="FILE")
    try:
        found = migrate_all(_read(file))
    except (MigrationError, OSError, InputLimit) as exc:
        fail(f"{file}: {exc}")
        return EXIT_TOOL_FAILED
    if not found:
        fail(f"{file}: no run.ai/v2alpha1 or v1alpha1 workload to migrate")
        return EXIT_TOOL_FAILED
    if fmt == "json":
        rows = [
            {
                "kind": m.kind,
                "method": m.method,
                "path": m.path,
                "body": redacted(m.body) if redact else m.body,
                "unmapped": list(m.unmapped),
            }
            for m in found
        ]
        text = json.dumps(rows, indent=2) + "\n"
    else:
        parts = [f"# {m.kind} {m.body.get('name', '')}\n{m.render(redact=redact)}" for m in found]
        text = "\n\n".join(parts) + "\n\n" + _NOTE + "\n"
    write_output(text, output)
    return EXIT_OK
