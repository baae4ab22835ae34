"""The rule reference (docs/rules.md), generated from the catalog so it cannot drift from it."""

from __future__ import annotations

import re

from runai_audit.knowledge.catalog.fixes import describe_fix
from runai_audit.knowledge.catalog.loader import Catalog
from runai_audit.knowledge.catalog.matchkinds import LISTED_INLINE, describe_match
from runai_audit.knowledge.catalog.model import FAMILIES, Rule
from runai_audit.safetext import neutralise

FAMILY_TITLES = {
    "endpoint": "REST endpoints",
    "field": "Request-body fields, query parameters and enum values",
    "cluster-api": "Cluster API (Kubernetes CRDs)",
    "metrics": "Metrics API",
    "auth": "Authentication",
    "cli": "runai CLI",
    "signal": "Signals the server sent",
    "tool": "The audit itself",
}

REGENERATE = "runai-audit rules --format markdown > docs/rules.md"


_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)


def _md(text: str) -> str:
    """Catalog text (user rules included) as Markdown that carries no raw HTML: < and > are
    escaped outside code spans (inside them they are already literal), and control and bidi
    characters become visible escapes."""
    text = neutralise(text, keep="\n")
    out, last = [], 0
    for span in _CODE_SPAN.finditer(text):
        out += [_no_html(text[last:span.start()]), span.group(0)]
        last = span.end()
    out.append(_no_html(text[last:]))
    return "".join(out)


def _no_html(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _url(url: str) -> str:
    """An autolink target that cannot close itself early."""
    return neutralise(url).replace(">", "%3E").replace("<", "%3C").replace(" ", "%20")


def _cell(text: str) -> str:
    return _md(text).replace("|", "\\|").replace("\n", " ")


def _anchor(heading: str) -> str:
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -")
    return kept.replace(" ", "-")


def rule_anchor(rule_id: str, title: str) -> str:
    """The fragment of a rule's section in docs/rules.md (`#ra101-legacy-v1-projects-api`)."""
    return _anchor(f"{rule_id}: {title}")


def _family_heading(digit: str) -> str:
    return f"RA{digit}xx {FAMILY_TITLES.get(FAMILIES[digit], FAMILIES[digit])}"


def _severity(rule: Rule) -> str:
    if rule.severity:
        return f"always {rule.severity}"
    if rule.match_kind == "generic":
        return "decided by the engine from the spec and your target"
    return "from the lifecycle policy and your target (error once removed, warning while deprecated)"


def _rule_section(rule: Rule) -> list[str]:
    rows = [
        ("Match", f"{rule.match_kind}: {describe_match(rule.match_kind, rule.match)}"),
        ("Deprecated in", rule.deprecated_in or "–"),
        ("Removed in", rule.removed_in or "–"),
        ("Replacement", rule.replacement),
        ("Fix", describe_fix(rule.fix)),
        ("Severity", _severity(rule)),
    ]
    out = [f"### {rule.id}: {_md(rule.title)}", "", _md(rule.description), "", "| | |", "|---|---|"]
    out += [f"| {name} | {_cell(value)} |" for name, value in rows]
    if rule.docs_url:
        out.append(f"| Docs | <{_url(rule.docs_url)}> |")
    out.append("")
    endpoints = list(rule.match.get("endpoints", ()))
    if len(endpoints) > LISTED_INLINE:
        out += ["Operations:", ""] + [f"- {_code(e)}" for e in endpoints] + [""]
    if rule.message:
        out += [_md(rule.message), ""]
    if rule.notes:
        out += [f"Notes: {_md(rule.notes)}", ""]
    out += ["Sources:", ""] + [f"- {_md(source)}" for source in rule.sources] + [""]
    return out


def _code(text: str) -> str:
    """A code span that holds any text, backticks included."""
    flat = neutralise(" ".join(text.split()))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _releases_section(catalog: Catalog) -> list[str]:
    rel = catalog.releases
    out = ["## Releases and deprecation policy", "",
           "| Release | GA | How the date is known | End of full support | End of extended support |",
           "|---|---|---|---|---|"]
    for r in rel.releases:
        ga = r.ga.isoformat() if r.ga else "unknown"
        full = r.end_of_full_support.isoformat() if r.end_of_full_support else "–"
        ext = r.end_of_extended_support.isoformat() if r.end_of_extended_support else "–"
        basis = f"{r.ga_basis}: {r.ga_note}" if r.ga_note else r.ga_basis
        out.append(f"| {r.version} | {ga} | {_cell(basis)} | {full} | {ext} |")
    policy = rel.policy
    out += ["", f"- Self-hosted: {policy.self_hosted_rule}", f"- SaaS: {policy.saas_rule}"]
    out += [f"- Support lifecycle, {text}" for text in policy.support_lifecycle]
    out += ["", "Sources:", ""] + [f"- {s}" for s in dict.fromkeys(policy.sources)] + [""]
    return out


def render_rule_markdown(rule: Rule) -> str:
    """One rule's section of the reference, for `runai-audit rules RA101 --format markdown`."""
    return "\n".join(_rule_section(rule)).rstrip() + "\n"


def render_markdown(catalog: Catalog) -> str:
    families: dict[str, list[Rule]] = {}
    for rule in catalog.rules:
        families.setdefault(rule.id[2], []).append(rule)
    out = [
        "# Rule reference",
        "",
        f"<!-- Generated from the catalog; do not edit. Regenerate with: {REGENERATE} -->",
        "",
        f"Catalog version {catalog.version}: {len(catalog.rules)} rules. Rule ids are permanent. "
        "Every rule names the sources its facts come from.",
        "",
        "Fix: `safe` rules are rewritten by `runai-audit fix --write`, `unsafe` ones only with "
        "`--unsafe` (a person must check the change), `manual` ones never; "
        f"{sum(1 for r in catalog.rules if r.fix and r.fix.safety == 'safe')} safe, "
        f"{sum(1 for r in catalog.rules if r.fix and r.fix.safety == 'unsafe')} unsafe.",
        "",
    ]
    for digit in sorted(families):
        heading = _family_heading(digit)
        out.append(f"- [{heading}](#{_anchor(heading)}) ({len(families[digit])} rules)")
    out += ["- [Releases and deprecation policy](#releases-and-deprecation-policy)", ""]
    for digit in sorted(families):
        out += [f"## {_family_heading(digit)}", ""]
        for rule in families[digit]:
            out += _rule_section(rule)
    out += _releases_section(catalog)
    return "\n".join(out).rstrip("\n") + "\n"
