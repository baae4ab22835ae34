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
from runai_audit.commands.scan import SharedOption, scan
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


def _long_name(option: click.Option) -> str:
    longest = max(option.opts, key=len)
    return longest.lstrip("-").upper().replace("-", "_")


def set_envvars(group: click.Group, path: tuple[str, ...] = ()) -> None:
    """Every option can come from the environment, as pluto's can: an option the scanning
    commands share reads RUNAI_AUDIT_<OPTION> (RUNAI_AUDIT_TARGET, RUNAI_AUDIT_FAIL_ON), any
    other RUNAI_AUDIT_<COMMAND>_<OPTION> (RUNAI_AUDIT_SPEC_DIFF_FAIL_ON), so one variable
    never means two things. Flags on the command line win; hidden options read nothing."""
    for name, command in group.commands.items():
        where = (*path, name)
        if isinstance(command, click.Group):
            set_envvars(command, where)
        for param in command.params:
            if not isinstance(param, click.Option) or param.hidden or param.envvar or param.name in ("help", "version"):
                continue
            scope = "" if isinstance(param, SharedOption) else "_".join(where).upper().replace("-", "_") + "_"
            param.envvar = f"RUNAI_AUDIT_{scope}{_long_name(param)}"
            param.show_envvar = True


set_envvars(main)


def run() -> None:  # pragma: no cover - console entry for tools that want an int
    sys.exit(main())
