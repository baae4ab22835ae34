"""`runai-audit upgrade --from A --to B PATHS`: what breaks, release by release, on the way.

One scan at release B (the tree is read once); runai_audit.upgrade.plan sorts its findings onto the
releases between A and B. Exit 1 when anything breaks by B (at or above --fail-on).
"""

from __future__ import annotations

from typing import Any

import click

from runai_audit.commands.common import guarded, parse_report_specs, write_output
from runai_audit.commands.scan import (
    FORMATS,
    build_scan_options,
    output_options,
    run_reported_scan,
    scan_options_without_target,
)
from runai_audit.knowledge.specs import SpecIndex
from runai_audit.models import Report
from runai_audit.upgrade.plan import UpgradePlan, for_gate, plan_upgrade
from runai_audit.upgrade.render import with_plan


def _release(releases: Any, value: str, option: str) -> str:
    try:
        return str(releases.resolve(value))
    except (KeyError, ValueError):
        known = ", ".join(releases.versions)
        raise click.BadParameter(f"unknown release {value!r} (known: {known})", param_hint=option) from None


def bundled_spec(version: str) -> SpecIndex | None:
    """The bundled spec of a release, or None when none is bundled for it."""
    from runai_audit.knowledge.specs import bundled_versions, load_bundled

    return load_bundled(version) if version in bundled_versions() else None


def render(fmt: str, plan: UpgradePlan, report: Report) -> str:
    """Text and Markdown lay out the plan; every other format is the usual report with the
    plan attached (JSON "upgrade" object, HTML upgrade section)."""
    from runai_audit.reporters import get_reporter
    from runai_audit.upgrade import render as upgrade_render

    if fmt == "text":
        return upgrade_render.render_text(plan, report)
    if fmt == "markdown":
        return upgrade_render.render_markdown(plan, report)
    return get_reporter(fmt)(report)


@click.command()
@scan_options_without_target
# Hidden: only there to say what to use instead, so --help never lists an option upgrade rejects.
@click.option("-t", "--target", hidden=True)
@click.option("--from", "from_version", required=True, metavar="VERSION", help="The release you run now.")
@click.option("--to", "to_version", metavar="VERSION", help="The release you upgrade to (default: newest bundled spec).")
@output_options
@guarded
def upgrade(**params: object) -> int:
    """List every use in PATHS that breaks or becomes deprecated between --from and --to,
    grouped by the release in which it breaks, then those already broken at --from."""
    from runai_audit.api import default_catalog
    from runai_audit.gate.policy import exit_code
    from runai_audit.knowledge.specs import bundled_versions

    if params.get("target"):
        raise click.UsageError("upgrade takes --from and --to instead of --target")
    reports = parse_report_specs(params.get("reports") or (), FORMATS)  # type: ignore[arg-type]
    releases = default_catalog().releases
    from_version = _release(releases, str(params["from_version"]), "--from")
    to_version = _release(releases, str(params.get("to_version") or bundled_versions()[-1]), "--to")
    if releases.compare(from_version, to_version) >= 0:
        raise click.BadParameter(f"{to_version} is not newer than --from {from_version}", param_hint="--to")
    options, config = build_scan_options({**params, "target": to_version})
    report = run_reported_scan(options, params)
    plan = plan_upgrade(report, from_version, to_version, releases, spec_of=bundled_spec)
    report = with_plan(report, plan)
    write_output(render(str(params["fmt"]), plan, report), params.get("output"))  # type: ignore[arg-type]
    for report_format, report_path in reports:
        write_output(render(report_format, plan, report), report_path)
    return exit_code(for_gate(report, plan), options.fail_on, strict=bool(getattr(config, "strict", False)),
                     sunset_within=options.sunset_within, today=None)
