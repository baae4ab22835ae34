"""`runai-audit rules`: list the catalog, show one rule, or write the rule reference."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import click

from runai_audit.commands.common import guarded, write_output
from runai_audit.safetext import neutralise


def _one_rule_text(rule: object) -> str:
    from runai_audit.knowledge.catalog.fixes import describe_fix
    from runai_audit.knowledge.catalog.model import Rule

    assert isinstance(rule, Rule)
    lines = [
        f"{rule.id}  {rule.title}",
        *([f"  {rule.description}"] if rule.description else []),
        f"  family:        {rule.family}",
        f"  match:         {rule.match_kind} {plain(rule.match)}",
        f"  deprecated in: {rule.deprecated_in or '-'}",
        f"  removed in:    {rule.removed_in or '-'}",
        f"  replacement:   {rule.replacement}",
        f"  fix:           {describe_fix(rule.fix)}",
    ]
    if rule.docs_url:
        lines.append(f"  docs:          {rule.docs_url}")
    if rule.message:
        lines.append(f"  note:          {rule.message}")
    lines.append("  sources:")
    lines.extend(f"    - {s}" for s in rule.sources)
    lines.append(f"  defined at:    {rule.origin}")
    return "\n".join(lines) + "\n"


def plain(value: object) -> object:
    """Catalog values as JSON can hold them (rows are frozen mappings and tuples)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


@click.command()
@click.argument("rule_id", required=False)
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--rules", "rules_paths", multiple=True, type=click.Path(path_type=Path, exists=True),
              help="Extra catalog rows (file or folder); repeatable.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False))
@guarded
def rules(rule_id: str | None, fmt: str, rules_paths: tuple[Path, ...], output: Path | None) -> int:
    """List the rule catalog, or show RULE_ID with its facts and sources."""
    import json

    from runai_audit.knowledge.catalog import load_catalog
    from runai_audit.knowledge.catalog.docs import render_markdown, render_rule_markdown

    catalog = load_catalog(rules_paths)
    if rule_id:
        try:
            rule = catalog.get(rule_id.upper())
        except KeyError as exc:
            raise click.BadParameter(str(exc.args[0]), param_hint="RULE_ID") from exc
        selected = [rule]
    else:
        selected = list(catalog.rules)
    if fmt == "markdown":
        text = render_markdown(catalog) if not rule_id else render_rule_markdown(selected[0])
    elif fmt == "json":
        text = json.dumps([
            {"id": r.id, "title": r.title, "family": r.family, "match": plain({"kind": r.match_kind, **r.match}),
             "deprecated_in": r.deprecated_in, "removed_in": r.removed_in, "replacement": r.replacement,
             "docs": r.docs_url, "sources": list(r.sources),
             "fix": r.fix.safety if r.fix else "manual"} for r in selected
        ], indent=2) + "\n"
    elif rule_id:
        text = _one_rule_text(selected[0])
    else:
        width = max(len(r.title) for r in selected) if selected else 10
        text = "".join(
            f"{r.id}  {r.title:<{width}}  {r.deprecated_in or '-':>5} -> {r.removed_in or '-':<5}  "
            f"{(r.fix.safety if r.fix else 'manual'):<6}  {r.replacement}\n"
            for r in selected
        )
    if fmt == "text":  # user rules reach a terminal: no raw control or bidi characters
        text = neutralise(text, keep="\n")
    write_output(text, output)
    return 0
