"""`runai-audit spec diff|validate|fetch`: look at OpenAPI specs before an upgrade.

A spec is named by a bundled release ("2.23"), a file, or an http(s) URL (fetched with the
credentials from the environment, see runai_audit.upgrade.spec_fetch).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from runai_audit.atomic import write_atomically
from runai_audit.commands.common import EXIT_FINDINGS, EXIT_OK, guarded, write_output
from runai_audit.knowledge.specs import SpecError, SpecIndex
from runai_audit.limits import MAX_VALIDATED_PATHS
from runai_audit.upgrade.spec_fetch import FetchOptions, fetch_spec, safe_url

_VERSION_LIKE = re.compile(r"^[vV]?\d+\.\d+(?:\.\d+)?$")
_PATCH_LIKE = re.compile(r"^\d+\.\d+\.\d+$")


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
    path = Path(ref)
    version = ref[1:] if ref.startswith(("v", "V")) else ref
    if _PATCH_LIKE.match(version) and not path.exists():
        version = version.rsplit(".", 1)[0]  # 2.23.4 is release 2.23's spec, as for --target
    if version in bundled_versions():
        return load_bundled(version)
    if not path.exists() and _VERSION_LIKE.match(ref):
        known = ", ".join(bundled_versions())
        raise SpecError(ref, f"no bundled spec for this release and no such file (bundled: {known})")
    return load_spec_file(path, validate=validate)


F = TypeVar("F", bound=Callable[..., Any])


def fetch_options_decorator(func: F) -> F:
    """--ca-bundle, --timeout, --retries, --deadline and --allow-insecure-http, for every
    subcommand that may fetch a URL."""
    func = click.option("--allow-insecure-http", is_flag=True,
                        help="Send the token over plain http to a host that is not loopback (trusted networks only).")(func)
    func = click.option("--deadline", type=click.FloatRange(1, 3600), default=300.0, show_default=True,
                        help="Seconds the whole fetch may take (token, retries, redirects, body).")(func)
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
        deadline=float(params.get("deadline") or 300.0),  # type: ignore[arg-type]
        allow_insecure_http=bool(params.get("allow_insecure_http")),
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
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json", "markdown", "html"]), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout.")
@click.option("--operations-only", is_flag=True, help="Skip request-body fields and enum values (faster).")
@click.option("--fail-on", type=click.Choice(["breaking", "deprecation", "never"]), default="never", show_default=True,
              help="Exit 1 when the diff has a breaking change (removed operation, parameter, field or enum "
                   "value), or with deprecation also a new deprecation.")
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
    levels = result.levels()
    fail_on = params.get("fail_on")
    if (fail_on == "breaking" and levels["breaking"]) or (
        fail_on == "deprecation" and (levels["breaking"] or levels["deprecation"])
    ):
        return EXIT_FINDINGS
    return EXIT_OK


@spec.command()
@click.argument("source", metavar="FILE|URL")
@fetch_options_decorator
@guarded
def validate(**params: object) -> int:
    """Check that FILE or URL is a valid OpenAPI 3 document. Exit 0 when valid, 3 when not,
    with every problem found, each naming its place in the document."""
    from runai_audit.commands.common import EXIT_TOOL_FAILED, fail
    from runai_audit.knowledge.specs import validate_spec_document

    ref = str(params["source"])
    source = _display(ref)
    doc = _read_document(ref, _fetch_options(params))
    index, problems = validate_spec_document(doc, source)
    if problems:
        for problem in problems:
            fail(str(problem))
        if len(problems) > 1:
            fail(f"{source}: {len(problems)} problems")
        return EXIT_TOOL_FAILED
    deprecated = len(index.deprecated_operations())
    paths = len({op.path for op in index.operations})
    sample = f"; schema checked on the first {MAX_VALIDATED_PATHS} of {paths} paths" if paths > MAX_VALIDATED_PATHS else ""
    click.echo(f"{source}: valid OpenAPI document, {len(index.operations)} operations "
               f"({deprecated} deprecated){sample}")
    return EXIT_OK


def _read_document(ref: str, fetch_options: FetchOptions) -> Any:
    """The parsed document behind a URL or a file (JSON or YAML, optionally .gz)."""
    import gzip

    from runai_audit.knowledge.specs import parse_spec_text

    source = _display(ref)
    try:
        if _is_url(ref):
            raw = fetch_spec(ref, options=fetch_options)
        else:
            raw = Path(ref).read_bytes()
            if ref.endswith(".gz"):
                raw = gzip.decompress(raw)
        text = raw.decode("utf-8-sig")
    except OSError as error:
        raise SpecError(source, f"cannot read the file ({error.strerror or type(error).__name__})") from None
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError):
        raise SpecError(source, "not a UTF-8 text file") from None
    return parse_spec_text(text, source)


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
    write_atomically(output, raw)
    click.echo(f"wrote {len(raw):,} bytes to {output}{summary}", err=True)
    return EXIT_OK
