"""Plan: findings + the text of their file -> the edits that fix them, finding by finding.

Each finding gets an Outcome: `fixed` (its edits are planned), `unsafe` (a fix exists but needs
--unsafe), `manual` (the catalog has no rewrite, or the text does not say enough), `failed`
(the text could not be matched exactly, or the edit overlaps another) or `migration` (a
Cluster API manifest whose REST request `--migrate-dir` writes). Pure: no file is read here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from runai_audit.fix.apply import apply_text
from runai_audit.fix.locate_cli import Span, cli_edits
from runai_audit.fix.locate_text import body_edits, field_edit, metric_edit, path_edit, value_edit
from runai_audit.fix.textpos import Lines
from runai_audit.knowledge.catalog.fixes import path_swap
from runai_audit.knowledge.catalog.model import Rule
from runai_audit.models import Finding

NO_REWRITE = "no mechanical rewrite in the catalog"


@dataclass(frozen=True)
class Selection:
    """Which findings to fix: --select / --ignore rule ids (prefixes allowed: RA6), --unsafe."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe: bool = False

    def wants(self, rule_id: str) -> bool:
        if self.select and not any(rule_id.startswith(s) for s in self.select):
            return False
        return not any(rule_id.startswith(i) for i in self.ignore)


@dataclass(frozen=True)
class Outcome:
    finding: Finding
    status: str  # fixed | unsafe | manual | failed | migration
    safety: str  # safe | unsafe | manual, from the catalog
    reason: str = ""
    edits: tuple[Span, ...] = ()
    leaves: tuple[str, ...] = ()


@dataclass
class FilePlan:
    path: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def edits(self) -> list[Span]:
        return [e for o in self.outcomes if o.status == "fixed" for e in o.edits]

    def fixed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == "fixed"]


def fixable(finding: Finding) -> bool:
    """Only uses written in a file at a known place are edited (not recorded traffic)."""
    return finding.usage is None and finding.location.line > 0 and finding.location.path != "-"


def _edits_for(rule: Rule, text: str, offset: int) -> list[Span] | str:
    fix = rule.fix
    assert fix is not None
    kind, match = rule.match_kind, rule.match
    if kind == "cli":
        return cli_edits(text, offset, match)
    if kind == "metric" and fix.to:
        edit = metric_edit(text, offset, str(match["names"][0]), fix.to)
    elif kind == "body_field" and fix.to:
        edit = field_edit(text, offset, str(match["field"]).rsplit(".", 1)[-1], fix.to)
    elif kind == "enum_value" and fix.to:
        edit = value_edit(text, offset, str(match["field"]).rsplit(".", 1)[-1], str(match["value"]), fix.to)
    elif kind == "endpoint" and fix.to and (swap := path_swap(str(match["path"]), fix.to)):
        edit = path_edit(text, offset, *swap)
        if isinstance(edit, Span) and fix.body is not None:
            body = body_edits(text, edit.end, fix.body)
            return body if isinstance(body, str) else [edit, *body]
    else:
        return NO_REWRITE
    return edit if isinstance(edit, str) else [edit]


def plan_finding(finding: Finding, rule: Rule | None, text: str, lines: Lines, selection: Selection) -> Outcome:
    fix = rule.fix if rule else None
    if fix is None or not fix.automatic:
        return Outcome(finding, "manual", "manual", fix.reason if fix and fix.reason else NO_REWRITE)
    why = f" ({fix.reason})" if fix.reason else ""
    if rule is not None and rule.match_kind == "crd":
        return Outcome(finding, "migration", fix.safety, "pass --write --migrate-dir DIR to write the REST request")
    if fix.safety == "unsafe" and not selection.unsafe:
        return Outcome(finding, "unsafe", "unsafe", f"unsafe fix, applied only with --unsafe{why}")
    assert rule is not None
    offset = lines.offset(finding.location.line, finding.location.column)
    edits = _edits_for(rule, text, offset)
    if isinstance(edits, str):
        return Outcome(finding, "manual" if edits == NO_REWRITE else "failed", fix.safety, edits)
    return Outcome(finding, "fixed", fix.safety, fix.reason or "", tuple(edits), fix.leaves)


def _overlaps(a: Span, b: Span) -> bool:
    if a.start == a.end or b.start == b.end:  # insertions overlap only strictly inside a span
        point, span = (a, b) if a.start == a.end else (b, a)
        return span.start < point.start < span.end
    return a.start < b.end and b.start < a.end


def resolve_overlaps(outcomes: Sequence[Outcome]) -> list[Outcome]:
    """Two fixes that touch the same text cannot both be applied: the first (by position) wins,
    an identical edit is shared, and the other finding is reported as failed."""
    taken: list[Span] = []
    out: list[Outcome] = []
    for outcome in outcomes:
        if outcome.status != "fixed":
            out.append(outcome)
            continue
        fresh = [e for e in outcome.edits if e not in taken]
        if any(_overlaps(e, t) for e in fresh for t in taken):
            out.append(Outcome(outcome.finding, "failed", outcome.safety, "its edit overlaps another fix"))
            continue
        taken.extend(fresh)
        out.append(Outcome(outcome.finding, outcome.status, outcome.safety, outcome.reason, tuple(fresh), outcome.leaves))
    return out


def plan_file(
    path: str, findings: Iterable[Finding], rules: Mapping[str, Rule], text: str, selection: Selection
) -> FilePlan:
    """Outcomes for the selected, unsuppressed findings of one file, in file order."""
    lines = Lines(text)
    outcomes = [
        plan_finding(f, rules.get(f.rule_id), text, lines, selection)
        for f in sorted(findings, key=lambda f: f.sort_key)
        if not f.suppressed and fixable(f) and selection.wants(f.rule_id)
    ]
    return FilePlan(path, resolve_overlaps(outcomes))


def fix_text(
    path: str, text: str, findings: Iterable[Finding], rules: Mapping[str, Rule], selection: Selection
) -> tuple[str, FilePlan]:
    """The fixed text of one file and its plan (no I/O: for embedding and for tests)."""
    plan = plan_file(path, [f for f in findings if f.location.path == path], rules, text, selection)
    return apply_text(text, plan.edits), plan
