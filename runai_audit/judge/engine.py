"""The pure engine: observations + catalog + specs + target -> findings.

No files, no network, no clock: everything it needs arrives in an EngineContext. Matchers say
*where* a rule is used (Hits); the engine alone decides status and severity, through the
lifecycle policy, and writes the message.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace

from runai_audit.judge.context import EngineContext, Plan, make_finding
from runai_audit.judge.lifecycle import Verdict, judge
from runai_audit.judge.matchers.base import Hit, Matcher
from runai_audit.judge.matchers.metric import is_pattern_row
from runai_audit.judge.matchers.registry import matchers_by_kind
from runai_audit.judge.matchers.rest import endpoint_hit, matching_endpoint, parsed
from runai_audit.judge.runai_judgement import confirms_runai, judge_call, placeholder_host, tail
from runai_audit.judge.spec_checks import spec_findings
from runai_audit.knowledge.catalog.model import Rule
from runai_audit.knowledge.paths import RUNAI_SERVED_PREFIXES
from runai_audit.models import (
    ApiCall,
    Confidence,
    FieldRead,
    Finding,
    InputProblem,
    Location,
    Observation,
    SdkCall,
    ServerSignal,
    Severity,
    Status,
)

SIGNAL_RULES = {"deprecation": "RA700", "sunset": "RA701", "warning": "RA702"}
INPUT_PROBLEM_RULE = "RA900"


def _plan(ctx: EngineContext) -> Plan:
    if not ctx._plan:
        registry = matchers_by_kind()
        pairs = [(r, registry[r.match_kind]) for r in ctx.rules if r.match_kind in registry]
        endpoints = [r for r in ctx.rules if r.match_kind == "endpoint"]
        responses: dict[str, list[Rule]] = {}
        for rule in ctx.rules:
            if rule.match_kind == "response_field":
                responses.setdefault(str(rule.match["field"]), []).append(rule)
        ctx._plan.append(Plan([p for p in pairs if p[0].match_kind != "endpoint"], endpoints, responses))
    return ctx._plan[0]


def verdict_for(rule: Rule, ctx: EngineContext, in_target_spec: bool | None) -> Verdict | None:
    if rule.severity is not None:
        status = Status.SIGNAL if rule.family == "signal" else Status.TOOL
        return Verdict(status, Severity(rule.severity), None, None, None)
    if rule.deprecated_in is None and rule.removed_in is None:
        # Superseded without a dated notice (e.g. the Keycloak realm token URL): worth a note.
        return Verdict(Status.DEPRECATED, Severity.NOTE, None, None, None, "superseded")
    return judge(
        deprecated_in=rule.deprecated_in,
        removed_in=rule.removed_in,
        releases=ctx.releases,
        deployment=ctx.target.deployment,
        target=ctx.target.version,
        as_of=ctx.as_of,
        in_target_spec=in_target_spec,
        sunset_within=ctx.sunset_within,
    )


def _evaluate_call(
    call: ApiCall, ctx: EngineContext, plan: Plan, file_mentions_runai: bool, file_confirmed: bool,
    file_names_other_vendor: bool = False,
) -> Iterator[Finding]:
    url = parsed(call.url)
    judgement = judge_call(call, url, ctx.hosts, file_mentions_runai, file_confirmed, file_names_other_vendor)
    if judgement is None:
        return
    if judgement.confidence is not call.confidence:
        call = replace(call, confidence=judgement.confidence)
    covered: set[tuple[str, str]] = set()  # (kind, name) the catalog already reported
    endpoint_rules, guessed = plan.winning_endpoint_rules(call.method, url.path, url.host is not None)
    for rule in endpoint_rules[:1]:
        hit = endpoint_hit(rule, call)
        if guessed or len(endpoint_rules) > 1:
            # The path leaves the operation open (`/v1/k8s/clusters/{cid}/{what}`): one
            # finding for what was written, at low confidence, not one per candidate.
            method = call.method if call.method != "*" else "ANY"
            hit = replace(hit, subject=f"{method} {tail(url.path)}", confidence=Confidence.LOW)
        in_spec = ctx.specs.in_target(call.method, url.path)
        verdict = verdict_for(rule, ctx, in_spec)
        if verdict is not None:
            yield make_finding(rule, hit, verdict, ctx)
    for rule, matcher in plan.pairs:
        for hit in matcher(rule, call):
            verdict = verdict_for(rule, ctx, None)
            if hit.detail:
                covered.add(("detail", hit.detail.split("=")[0]))
            if verdict is not None:
                yield make_finding(rule, hit, verdict, ctx)
    yield from spec_findings(call, url, ctx, endpoint_matched=bool(endpoint_rules),
                             strong=judgement.strong, covered=covered)


def _evaluate_signal(sig: ServerSignal, ctx: EngineContext) -> Iterator[Finding]:
    rule_id = SIGNAL_RULES.get(sig.kind)
    if rule_id is None:
        return
    rule = ctx.rule(rule_id)
    hit = Hit(
        location=sig.location,
        subject=f"{sig.method} {_template_of(sig.method, parsed(sig.url).path, ctx)}",
        evidence=f"{sig.kind}: {sig.value}" if sig.value else sig.kind,
        usage=sig.usage,
        # The server's own words (already masked and capped by the scanner) say the most.
        detail="; ".join(part for part in (sig.value, sig.text) if part) or None,
    )
    verdict = verdict_for(rule, ctx, None)
    if verdict is not None:
        yield make_finding(rule, hit, verdict, ctx)


def _template_of(method: str, path: str, ctx: EngineContext) -> str:
    """A recorded path as its operation's template, so calls that differ only in ids group
    together; the path itself when no spec knows it."""
    op = ctx.specs.target.find(method, path) if ctx.specs.target is not None else None
    if op is not None:
        return op.path
    for rule in _plan(ctx).winning_endpoint_rules(method, path, False)[0]:
        return str(rule.match["path"])
    return path.removeprefix("{**}")


def _evaluate_sdk(sdk: SdkCall, ctx: EngineContext, plan: Plan) -> Iterator[Finding]:
    """An SDK method stands for the operation with that operationId: judge that call."""
    op = ctx.specs.sdk_operation(sdk.method)
    if op is None:
        return
    call = ApiCall(
        method=op.method,
        url="{**}" + op.path,
        location=sdk.location,
        confidence=Confidence.MEDIUM,
        evidence=sdk.evidence,
        runai_hint=True,
    )
    yield from _evaluate_call(call, ctx, plan, file_mentions_runai=True, file_confirmed=True)


def _runai_calls(observations: Sequence[Observation], ctx: EngineContext, file_mentions_runai: bool,
                 file_confirmed: bool, file_names_other_vendor: bool) -> list[ApiCall]:
    """The calls of one file that go to Run:ai, for rules that need the file's context."""
    return [
        o for o in observations
        if isinstance(o, ApiCall) and judge_call(o, parsed(o.url), ctx.hosts, file_mentions_runai, file_confirmed,
                                                 file_names_other_vendor)
    ]


def _evaluate_read(read: FieldRead, calls: Sequence[ApiCall], ctx: EngineContext, plan: Plan) -> Iterator[Finding]:
    """A response field read in a file that calls an operation returning it. The read is not
    traced back to the response, so the finding has low confidence."""
    for rule in plan.response_rules.get(read.name, ()):
        endpoint = next(
            (e for e in (matching_endpoint(rule.match["endpoints"], c) for c in calls) if e is not None), None
        )
        if endpoint is None:
            continue
        hit = Hit(read.location, f"response field {read.name} of {endpoint}", read.evidence, Confidence.LOW,
                  detail=f"response field {read.name}")
        verdict = verdict_for(rule, ctx, None)
        if verdict is not None:
            yield make_finding(rule, hit, verdict, ctx)


def _evaluate_other(obs: Observation, ctx: EngineContext, plan: Plan) -> Iterator[Finding]:
    """Every row's hits on one observation; a pattern row (`runai_*`) only when no row that
    names the thing exactly matched it, so one name never gives two findings."""
    patterns: list[tuple[Rule, Matcher]] = []
    matched = False
    for rule, matcher in plan.pairs:
        if is_pattern_row(rule):
            patterns.append((rule, matcher))
            continue
        for hit in matcher(rule, obs):
            matched = True
            verdict = verdict_for(rule, ctx, None)
            if verdict is not None:
                yield make_finding(rule, hit, verdict, ctx)
    for rule, matcher in [] if matched else patterns:
        for hit in matcher(rule, obs):
            verdict = verdict_for(rule, ctx, None)
            if verdict is not None:
                yield make_finding(rule, hit, verdict, ctx)


def file_confirms_runai(observations: Sequence[Observation], ctx: EngineContext) -> bool:
    """A call that vouches for its file's other calls. A low-confidence one (a path constant
    whose name says runai, read without its request) is not sure enough to vouch for others."""
    return any(
        isinstance(o, ApiCall) and o.confidence is not Confidence.LOW and confirms_runai(o, parsed(o.url), ctx.hosts)
        for o in observations
    )


def evaluate(
    observations: Iterable[Observation],
    ctx: EngineContext,
    *,
    file_mentions_runai: bool = False,
    file_confirmed: bool = False,
    file_names_other_vendor: bool = False,
) -> Iterator[Finding]:
    """Findings for a stream of observations (one file's, or a traffic file's), unsorted.
    `file_confirmed`: another call in the same file is certainly Run:ai's (see
    runai_judgement); compute it with file_confirms_runai for a file's observations.
    `file_names_other_vendor`: runai_judgement.names_other_vendor of the file's text."""
    for obs, finding in _evaluate_each(observations, ctx, file_mentions_runai, file_confirmed, file_names_other_vendor):
        related = getattr(obs, "related", ())
        if related:
            finding = replace(finding, related=tuple(r for r in related if r.location != finding.location))
        yield finding


def _evaluate_each(
    observations: Iterable[Observation], ctx: EngineContext, file_mentions_runai: bool, file_confirmed: bool,
    file_names_other_vendor: bool,
) -> Iterator[tuple[Observation, Finding]]:
    plan = _plan(ctx)
    file_calls: list[ApiCall] | None = None
    for obs in observations:
        if isinstance(obs, FieldRead):
            if not plan.response_rules.get(obs.name) or not isinstance(observations, Sequence):
                continue
            if file_calls is None:
                file_calls = _runai_calls(observations, ctx, file_mentions_runai, file_confirmed,
                                          file_names_other_vendor)
            found: Iterable[Finding] = _evaluate_read(obs, file_calls, ctx, plan)
        elif isinstance(obs, ApiCall):
            found = _evaluate_call(obs, ctx, plan, file_mentions_runai, file_confirmed, file_names_other_vendor)
        elif isinstance(obs, ServerSignal):
            found = _evaluate_signal(obs, ctx)
        elif isinstance(obs, SdkCall):
            found = _evaluate_sdk(obs, ctx, plan)
        else:
            found = _evaluate_other(obs, ctx, plan)
        for finding in found:
            yield obs, finding


def merge_same_place(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per rule, place and subject: a function body written once and called three
    times is one use, shown with its three call sites as related places."""
    merged: dict[tuple[str, Location, str], Finding] = {}
    for f in findings:
        key = (f.rule_id, f.location, f.subject)
        first = merged.get(key)
        if first is None:
            merged[key] = f
        elif f.related:
            extra = tuple(r for r in f.related if r not in first.related)
            merged[key] = replace(first, related=first.related + extra)
    return list(merged.values())


def unknown_host_calls(
    observations: Sequence[Observation],
    ctx: EngineContext,
    *,
    file_mentions_runai: bool = False,
    file_confirmed: bool = False,
    file_names_other_vendor: bool = False,
) -> list[tuple[str, Location]]:
    """(host, location) of the calls judge_call turned down only for their host: a literal,
    real-looking host nobody named, on a path only Run:ai serves. A self-hosted control plane
    behind a corporate name looks exactly like this; counting them keeps such an estate from
    scanning clean without a word (the user names the host with --host or `hosts:`)."""
    out: list[tuple[str, Location]] = []
    if file_names_other_vendor and not file_mentions_runai:
        return out  # that vendor serves the same prefixes (see runai_judgement)
    for obs in observations:
        if not isinstance(obs, ApiCall):
            continue
        url = parsed(obs.url)
        host = url.host
        if host is None or "{*}" in host or placeholder_host(host) or host.endswith("run.ai"):
            continue  # run.ai look-alikes (api.blockrun.ai) are known not to be Run:ai's
        if not tail(url.path).startswith(RUNAI_SERVED_PREFIXES):
            continue
        if judge_call(obs, url, ctx.hosts, file_mentions_runai, file_confirmed, file_names_other_vendor) is None:
            out.append((host, obs.location))
    return out


def problem_findings(problems: Iterable[InputProblem], ctx: EngineContext) -> Iterator[Finding]:
    """RA900: an input that could not be read or parsed is itself a (note-level) finding."""
    rule = ctx.rule(INPUT_PROBLEM_RULE)
    for problem in problems:
        hit = Hit(
            location=Location(problem.path, problem.line, 1 if problem.line else 0),
            subject=f"unreadable input {problem.path}",
            detail=problem.reason,
        )
        verdict = verdict_for(rule, ctx, None)
        if verdict is not None:
            yield make_finding(rule, hit, verdict, ctx)


def aggregate_usage(findings: Iterable[Finding]) -> list[Finding]:
    """Traffic findings collapse to one per (rule, subject, source file), usage summed."""
    merged: dict[tuple[str, str, str], Finding] = {}
    out: list[Finding] = []
    for f in findings:
        if f.usage is None:
            out.append(f)
            continue
        key = (f.rule_id, f.subject, f.location.path)
        prior = merged.get(key)
        if prior is None:
            merged[key] = f
        else:
            assert prior.usage is not None
            merged[key] = replace(prior, usage=prior.usage.merged(f.usage))
    out.extend(merged.values())
    return out
