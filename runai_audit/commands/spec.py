"""`runai-audit spec diff|validate|fetch`: look at OpenAPI specs before an upgrade.

A spec is named by a bundled release ("2.23"), a file, or an http(s) URL (fetched with the
credentials from the environment, see runai_audit.upgrade.spec_fetch).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from runai_audit.commands.common import EXIT_OK, guarded, write_output
from runai_audit.knowledge.specs import SpecError, SpecIndex
from runai_audit.limits import MAX_VALIDATED_PATHS
from runai_audit.upgrade.spec_fetch import FetchOptions, fetch_spec, safe_url

_VERSION_LIKE = re.compile(r"^v?\d+\.\d+$")


def _is_url(ref: str) -> bool:
    return ref.startswith(("http://", "https://"))


def _display(ref: str) -> str:
    """How a spec is named in output: a URL loses its query and user info."""
    return safe_url(ref) if _is_url(ref) else ref


def load_spec_ref(ref: str, fetch_options: FetchOptions, *, validate: bool = True) -> SpecIndex:
    """A bundled release, a URL or a file as a SpecIndex; SpecError / FetchError otherwise."""
    from runai_audit.knowledge.specs import (
        bundled_versions,
        load_bundled,
        load_spec_document,
        load_spec_file,
        parse_spec_text,
    )

    if _is_url(ref):
        source = _display(ref)
        raw = fetch_spec(ref, options=fetch_options)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SpecError(source, "the response is not UTF-8 text") from None
        return load_spec_document(parse_spec_text(text, source), source=source, validate=validate)
    version = ref[1:] if ref.startswith("v") else ref
    if version in bundled_versions():
        return load_bundled(version)
    path = Path(ref)
    if not path.exists() and _VERSION_LIKE.match(ref):
        known = ", ".join(bundled_versions())
        raise SpecError(ref, f"no bundled spec for this release and no such file (bundled: {known})")
    return load_spec_file(path, validate=validate)


F = TypeVar("F", bound=Callable[..., Any])


def fetch_options_decorator(func: F) -> F:
    """--ca-bundle, --timeout and --retries, for every subcommand that may fetch a URL."""
    func = click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
                        help="Retries on timeouts, 429 and 5xx, with exponential backoff.")(func)
    func = click.option("--timeout", type=click.FloatRange(0.1, 600), default=30.0, show_default=True,
                        help="Seconds to wait for the server.")(func)
    return click.option("--ca-bundle", type=click.Path(exists=True, dir_okay=False),
                        help="Also trust this CA (PEM) when verifying TLS. Verification is never turned off.")(func)


def _fetch_options(params: dict[str, object]) -> FetchOptions:
    ca_bundle = params.get("ca_bundle")
    return FetchOptions(
        timeout=float(params.get("timeout") or 30.0),  # type: ignore[arg-type]
        retries=int(params.get("retries") if params.get("retries") is not None else 3),  # type: ignore[call-overload]
        ca_bundle=str(ca_bundle) if ca_bundle else None,
    )


@click.group()
def spec() -> None:
    """Compare, validate and download Run:ai OpenAPI specs.

    SPEC is a bundled release (2.18 ... 2.24), a file (JSON or YAML) or an http(s) URL. For a
    URL the token comes from RUNAI_TOKEN, or RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET.
    """


@spec.command()
@click.argument("old")
@click.argument("new")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout.")
@click.option("--operations-only", is_flag=True, help="Skip request-body fields and enum values (faster).")
@fetch_options_decorator
@guarded
def diff(**params: object) -> int:
    """What changed from spec OLD to spec NEW: operations added, removed and newly deprecated,
    parameters, request-body fields and enum values, with the replacements the spec names."""
    from runai_audit.upgrade.spec_diff import diff_specs
    from runai_audit.upgrade.spec_diff_render import render_diff

    options = _fetch_options(params)
    old_ref, new_ref = str(params["old"]), str(params["new"])
    old, new = load_spec_ref(old_ref, options), load_spec_ref(new_ref, options)
    result = diff_specs(old, new, old_label=_display(old_ref), new_label=_display(new_ref),
                        fields=not params.get("operations_only"))
    write_output(render_diff(result, str(params["fmt"])), params.get("output"))  # type: ignore[arg-type]
    return EXIT_OK


@spec.command()
@click.argument("source", metavar="FILE|URL")
@fetch_options_decorator
@guarded
def validate(**params: object) -> int:
    """Check that FILE or URL is a valid OpenAPI 3 document. Exit 0 when valid, 3 when not
    (the error names the place in the document)."""
    ref = str(params["source"])
    index = load_spec_ref(ref, _fetch_options(params)) if _is_url(ref) else _load_file(Path(ref))
    deprecated = len(index.deprecated_operations())
    paths = len({op.path for op in index.operations})
    sample = f"; schema checked on the first {MAX_VALIDATED_PATHS} of {paths} paths" if paths > MAX_VALIDATED_PATHS else ""
    click.echo(f"{_display(ref)}: valid OpenAPI document, {len(index.operations)} operations "
               f"({deprecated} deprecated){sample}")
    return EXIT_OK


def _load_file(path: Path) -> SpecIndex:
    from runai_audit.knowledge.specs import load_spec_file

    return load_spec_file(path, validate=True)


@spec.command()
@click.argument("url")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="Where to write the spec.")
@click.option("--no-validate", is_flag=True, help="Write the response even if it is not a valid OpenAPI document.")
@fetch_options_decorator
@guarded
def fetch(**params: object) -> int:
    """Download the OpenAPI spec at URL (a tenant or a self-hosted control plane) to a file.

    The token comes from RUNAI_TOKEN, or RUNAI_CLIENT_ID and RUNAI_CLIENT_SECRET (client
    credentials); it is never printed. TLS is always verified; add a private CA with --ca-bundle.
    """
    from runai_audit.knowledge.specs import load_spec_document, parse_spec_text

    url, output = str(params["url"]), Path(str(params["output"]))
    raw = fetch_spec(url, options=_fetch_options(params))
    summary = ""
    if not params.get("no_validate"):
        source = _display(url)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise SpecError(source, "the response is not UTF-8 text; nothing written") from None
        index = load_spec_document(parse_spec_text(text, source), source=source, validate=True)
        summary = f" (valid, {len(index.operations)} operations)"
    _write_atomically(output, raw)
    click.echo(f"wrote {len(raw):,} bytes to {output}{summary}", err=True)
    return EXIT_OK


def _write_atomically(path: Path, data: bytes) -> None:
    """A reader (or a crash) never sees half a spec."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        Path(name).replace(path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
