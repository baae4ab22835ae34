"""The command line: a thin click group. Each command parses options, calls the library,
renders and returns the exit code; no logic of its own lives here."""

from __future__ import annotations

import sys

import click

from runai_audit import __version__
from runai_audit.commands.baseline import baseline
from runai_audit.commands.fix import fix
from runai_audit.commands.history import history
from runai_audit.commands.merge import merge
from runai_audit.commands.migrate import migrate
from runai_audit.commands.rules import rules
from runai_audit.commands.scan import scan
from runai_audit.commands.spec import spec
from runai_audit.commands.upgrade import upgrade


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="runai-audit")
def main() -> None:
    """Find deprecated, removed and unsupported NVIDIA Run:ai API use in code, manifests and
    recorded traffic."""


main.add_command(scan)
main.add_command(rules)
main.add_command(baseline)
main.add_command(migrate)
main.add_command(spec)
main.add_command(upgrade)
main.add_command(history)
main.add_command(merge)
main.add_command(fix)


def run() -> None:  # pragma: no cover - console entry for tools that want an int
    sys.exit(main())
