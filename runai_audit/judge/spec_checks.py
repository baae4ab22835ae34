"""What the OpenAPI specs say about a call that the catalog has no row for.

The catalog is curated; the specs are complete. When no catalog row speaks about a call, the
target's spec still knows whether the operation is flagged deprecated (RA190), whether it was
published in an earlier release and dropped (RA191), or whether Run:ai never published it at
all (RA100, unsupported). Parameters, body fields and enum values flagged in the spec give
RA290-RA292 unless a catalog row already reported them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

from runai_audit.judge.context import EngineContext, make_finding
from runai_audit.judge.lifecycle import Verdict
from runai_audit.judge.matchers.base import Hit
from runai_audit.judge.runai_judgement import looks_like_runai_api, tail
from runai_audit.knowledge.paths import ParsedUrl
from runai_audit.models import ApiCall, Finding, Location, Severity, Status

if TYPE_CHECKING:
    from runai_audit.knowledge.specs import Operation, SpecIndex


NOT_NAMED = "none named in the API reference"


def _instead(replacement: str | None) -> str:
    return f"Use {replacement} instead." if replacement else "The API reference names no replacement."


def spec_version(ctx: EngineContext) -> str:
    """The release whose API reference the judgement rests on (the target's, or the newest
    bundled one before it)."""
    return ctx.specs.release or ctx.target.version


def _finding(ctx: EngineContext, rule_id: str, hit: Hit, verdict: Verdict, **changes: object) -> Finding:
    finding = make_finding(ctx.rule(rule_id), hit, verdict, ctx)
    return replace(finding, **changes) if changes else finding  # type: ignore[arg-type]


def _operation_findings(
    call: ApiCall, url: ParsedUrl, ctx: EngineContext, strong: bool
) -> Iterator[Finding]:
    """The call matches no operation of the target's spec."""
    assert ctx.specs.target is not None
    target_version = spec_version(ctx)
    versions = ctx.specs.versions_with(call.method, url.path)
    subject = f"{call.method if call.method != '*' else 'ANY'} {tail(url.path)}"
    hit = Hit(call.location, subject, call.evidence, call.confidence, usage=call.usage)
    earlier = [v for v in versions if ctx.specs.earlier_than(v, target_version)]
    others = ctx.specs.target.find_any_method(url.path) if strong and not earlier else ()
    if earlier:
        verdict = Verdict(Status.REMOVED, Severity.ERROR, None, target_version, earlier[-1])
        yield _finding(
            ctx, "RA191", hit, verdict,
            message=f"{subject} was published up to the {earlier[-1]} API reference and is gone from {target_version}.",
            replacement=NOT_NAMED,
            breaks_in=None,
        )
    elif strong and (looks_like_runai_api(url.path) or others):
        # A path the reference has with other methods is Run:ai's even behind an unknown base
        # (`{base}/workloads/distributed/{id}/suspend` sent as GET; the reference has POST).
        when = f" (first published in {versions[0]})" if versions else ""
        if others and call.method != "*":
            when += f" (the reference has {', '.join(op.method for op in others)} {others[0].path})"
        verdict = Verdict(Status.UNSUPPORTED, Severity.WARNING, None, None, None)
        yield _finding(
            ctx, "RA100", hit, verdict,
            message=f"{subject} is not in the {target_version} Run:ai API reference{when}; "
            "only published endpoints are supported.",
            replacement="none",
        )


def _deprecated_operation(call: ApiCall, op: Operation, ctx: EngineContext) -> Iterator[Finding]:
    from runai_audit.judge.lifecycle import judge

    first = ctx.specs.first_flagged(op.method, op.path)
    verdict = judge(
        deprecated_in=first, removed_in=None, releases=ctx.releases,
        deployment=ctx.target.deployment, target=ctx.target.version, as_of=ctx.as_of,
        in_target_spec=True, sunset_within=ctx.sunset_within,
    ) or Verdict(Status.DEPRECATED, Severity.WARNING, None, None, None)
    subject = f"{op.method} {op.path}"
    hit = Hit(call.location, subject, call.evidence, call.confidence, usage=call.usage)
    replacement = op.replacement or NOT_NAMED
    yield _finding(
        ctx, "RA190", hit, verdict,
        message=f"{subject} is flagged deprecated in the {spec_version(ctx)} API reference"
        + (f" (since {first})" if first else "") + f". {_instead(op.replacement)}",
        replacement=replacement,
        deprecated_in=first,
    )


def _flagged(kind: str, name: str, op: Operation, location: Location | None, call: ApiCall,
             replacement: str | None, ctx: EngineContext, rule_id: str) -> Finding:
    subject = f"{kind} {name} in {op.method} {op.path}"
    hit = Hit(location or call.location, subject, call.evidence, call.confidence, usage=call.usage)
    verdict = Verdict(Status.DEPRECATED, Severity.WARNING, None, None, None)
    return _finding(
        ctx, rule_id, hit, verdict,
        message=f"{subject} is flagged deprecated in the {spec_version(ctx)} API reference. {_instead(replacement)}",
        replacement=replacement or NOT_NAMED,
    )


def _member_findings(call: ApiCall, op: Operation, spec: SpecIndex, ctx: EngineContext,
                     covered: set[tuple[str, str]]) -> Iterator[Finding]:
    for param in call.query:
        info = next((p for p in op.params if p.name == param.name and p.location == "query"), None)
        if info is not None and info.deprecated and ("detail", f"query parameter {param.name}") not in covered:
            yield _flagged("query parameter", param.name, op, param.location, call, info.replacement, ctx, "RA290")
    reported: set[str] = set()
    for body_field in call.body:
        field_info = spec.field(op, body_field.path)
        # Setting `resources.gpu.deserved` uses the deprecated parent `resources`.
        flagged = field_info if field_info is not None and field_info.deprecated else (
            spec.deprecated_ancestor(op, body_field.path))
        if flagged is not None and flagged.path not in reported and not _covered(covered, body_field.path, flagged.path):
            reported.add(flagged.path)
            yield _flagged("field", flagged.path, op, body_field.location, call, flagged.replacement, ctx, "RA291")
        if field_info is None:
            continue
        value = body_field.value
        replacement = dict(field_info.deprecated_enum).get(value) if value is not None else None
        if value is not None and value in dict(field_info.deprecated_enum) and (
            "detail", f"value {body_field.path}"
        ) not in covered:
            yield _flagged("value", f"{body_field.path}={value}", op, body_field.location, call,
                           replacement, ctx, "RA292")


def _covered(covered: set[tuple[str, str]], used_path: str, flagged_path: str) -> bool:
    return ("detail", f"field {used_path}") in covered or ("detail", f"field {flagged_path}") in covered


def spec_findings(
    call: ApiCall,
    url: ParsedUrl,
    ctx: EngineContext,
    *,
    endpoint_matched: bool,
    strong: bool,
    covered: set[tuple[str, str]],
) -> Iterator[Finding]:
    spec = ctx.specs.target
    if spec is None or url.path.startswith("/apis/"):
        return
    op = spec.find(call.method, url.path, allow_prefix=url.host is not None)
    if op is None:
        if not endpoint_matched:
            yield from _operation_findings(call, url, ctx, strong)
        return
    if op.deprecated and not endpoint_matched:
        yield from _deprecated_operation(call, op, ctx)
    yield from _member_findings(call, op, spec, ctx, covered)
