"""What every command shares: error handling that never shows a traceback, output writing,
progress on a terminal."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import click

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_TOOL_FAILED = 3

F = TypeVar("F", bound=Callable[..., int])


def fail(message: str) -> None:
    click.echo(f"runai-audit: error: {message}", err=True)


def guarded(func: F) -> F:
    """Run a command body; map known errors to exit 3 with one clear line, and exit with the
    body's return code. Set RUNAI_AUDIT_DEBUG=1 to see a traceback for an internal error."""

    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> int:
        from runai_audit.api import BadOption
        from runai_audit.errors import KNOWN_ERRORS

        try:
            code = func(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except BadOption as exc:
            fail(str(exc))
            sys.exit(EXIT_USAGE)
        except KNOWN_ERRORS as exc:
            fail(str(exc))
            sys.exit(EXIT_TOOL_FAILED)
        except KeyboardInterrupt:
            fail("interrupted")
            sys.exit(130)
        except Exception as exc:
            if os.environ.get("RUNAI_AUDIT_DEBUG"):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (set RUNAI_AUDIT_DEBUG=1 for details)")
            sys.exit(EXIT_TOOL_FAILED)
        sys.exit(code)

    return wrapper  # type: ignore[return-value]


def write_output(text: str, path: Path | None, colour: bool = False) -> None:
    """Text to stdout (colour kept only when asked: click strips it otherwise off a TTY), or the
    whole file or nothing (WriteError: exit 3)."""
    if path is None or str(path) == "-":
        click.echo(text, nl=not text.endswith("\n"), color=True if colour else None)
        return
    from runai_audit.atomic import write_atomically

    write_atomically(path, text)


def parse_report_specs(values: Iterable[str], formats: Sequence[str]) -> list[tuple[str, Path]]:
    out = []
    for value in values:
        fmt, sep, dest = value.partition("=")
        if not sep or not dest:
            raise click.BadParameter(f"{value!r} is not FORMAT=PATH", param_hint="--report")
        if fmt not in formats:
            raise click.BadParameter(f"unknown format {fmt!r} (choose from {', '.join(formats)})", param_hint="--report")
        out.append((fmt, Path(dest)))
    return out


def progress_printer() -> Callable[[int, int], None]:
    """Progress on stderr, overwritten in place; only used when stderr is a terminal."""

    def show(done: int, total: int) -> None:
        if done == total or done % 50 == 0:
            click.echo(f"\rscanned {done}/{total} files", err=True, nl=done == total)

    return show
