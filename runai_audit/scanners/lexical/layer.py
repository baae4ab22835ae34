"""Run the lexical readers over one file and merge their observations with the structured ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from runai_audit.models import ApiCall, CliCall, Observation, RelatedLocation
from runai_audit.scanners.lexical.cli import cli_calls
from runai_audit.scanners.lexical.cluster import group_version_calls, kubectl_calls
from runai_audit.scanners.lexical.context import CODE, ContextReader
from runai_audit.scanners.lexical.rest import BODY_WINDOW_LINES, path_calls, token_body_calls

# A structured observation this many lines away from a lexical one of the same use is that use
# (an argv list the Python reader places at its opening bracket, a URL sent lines later).
SAME_USE_LINES = 3


@dataclass
class LexicalResult:
    contexts: ContextReader  # kept, so the file is tokenized for comments once
    observations: list[Observation] = field(default_factory=list)
    foreign_cli: bool = False  # the file's `runai` is another program


def scan_lexical(text: str, path: str, kind: str) -> LexicalResult:
    contexts = ContextReader(text, kind, path)
    result = LexicalResult(contexts)
    if "runai" in text.lower():
        calls, result.foreign_cli = cli_calls(text, path, contexts)
        result.observations.extend(calls)
    result.observations.extend(path_calls(text, path, contexts))
    result.observations.extend(token_body_calls(text, path, contexts))
    result.observations.extend(kubectl_calls(text, path, contexts))
    result.observations.extend(group_version_calls(text, path, contexts))
    return result


def contexts_of(observations: Sequence[Observation], reader: ContextReader) -> dict[tuple[int, int], str]:
    """The context of every place an observation (or a body field or query parameter of one)
    points at, where it is not code."""
    places: set[tuple[int, int]] = set()
    for observation in observations:
        places.add((observation.location.line, observation.location.column))
        if isinstance(observation, ApiCall):
            places.update((f.location.line, f.location.column) for f in observation.body if f.location)
            places.update((q.location.line, q.location.column) for q in observation.query if q.location)
    out: dict[tuple[int, int], str] = {}
    for line, column in places:
        if line:
            context = reader.at(line, column)
            if context != CODE:
                out[(line, column)] = context
    return out


def _cli_seen(call: CliCall, structured: Sequence[CliCall]) -> bool:
    """The same line, or the same command line a few lines away (an argv list split one word a
    line, which the structured reader places at its opening bracket)."""
    line = call.location.line
    return any(
        other.location.line == line
        or (0 < line - other.location.line <= SAME_USE_LINES and len(call.argv) > 2 and other.argv[1:] == call.argv[1:])
        for other in structured
    )


def _informative(url: str) -> bool:
    """A URL with a literal host, or a path of at least two literal segments."""
    if not url.startswith("{**}"):
        return True
    return len([s for s in url.removeprefix("{**}").split("/") if s and s != "{*}"]) >= 2


def _path_tail(url: str) -> str:
    return url.removeprefix("{**}").rstrip("/")


def _same_call(call: ApiCall, other: ApiCall) -> bool:
    """Whether a structured call is the use a lexical one saw: on the same line, or built from
    the same path a few lines on; for a token body, a call to the token path that carries a body
    field written on one of the same lines."""
    if call.body:
        # A structured request whose URL says where it goes, carrying the same body: it knows
        # more (its host decides whose API it is). One whose URL is too vague to judge
        # (`{base}/token`) leaves the word to the lexical reading.
        keys = {f.path.lower() for f in call.body}
        near = abs(other.location.line - call.location.line) <= BODY_WINDOW_LINES
        return near and _informative(other.url) and bool(keys & {f.path.lower() for f in other.body})
    if other.location.line == call.location.line:
        return True
    if call.url.startswith("{**}/apis/run.ai/"):
        # A group and version written as arguments of the client call a few lines around it.
        version = call.url.split("/")[3]
        near = abs(other.location.line - call.location.line) <= SAME_USE_LINES
        return near and f"/apis/run.ai/{version}/" in other.url
    near = 0 <= other.location.line - call.location.line <= SAME_USE_LINES
    return near and _path_tail(other.url).endswith(_path_tail(call.url))


def _lend(lexical: ApiCall, twin: ApiCall) -> ApiCall:
    """What a lexical reading adds to the structured call of the same use: that the text around
    it names Run:ai (RUNAI_PROJECTS_PATH = ...), and where it is written when that is another
    line (a version constant beside a client call)."""
    if lexical.runai_hint:
        twin = replace(twin, runai_hint=True)
    where = lexical.location
    if where.line != twin.location.line and all(r.location != where for r in twin.related):
        twin = replace(twin, related=(*twin.related, RelatedLocation(where, "written")))
    return twin


def merge(structured: Sequence[Observation], lexical: LexicalResult) -> list[Observation]:
    """The structured observations plus the lexical ones no structured reader saw.

    In a file whose `runai` is another program, no command line is kept at all."""
    kept: list[Observation] = [
        o for o in structured
        if not (lexical.foreign_cli and isinstance(o, CliCall) and (o.binary or "runai") == "runai")
    ]
    structured_cli = [o for o in kept if isinstance(o, CliCall)]
    for obs in lexical.observations:
        if isinstance(obs, CliCall):
            if not _cli_seen(obs, structured_cli):
                kept.append(obs)
        elif isinstance(obs, ApiCall):
            same = [i for i, o in enumerate(kept) if isinstance(o, ApiCall) and _same_call(obs, o)]
            if not same:
                kept.append(obs)
            elif not obs.body:
                for i in same:
                    twin = kept[i]
                    assert isinstance(twin, ApiCall)
                    kept[i] = _lend(obs, twin)
        else:
            kept.append(obs)
    return kept
