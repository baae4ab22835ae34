"""Observations from command lines that `shell.eval` has resolved: ApiCalls for HTTP requests
(curl, wget, HTTPie, `kubectl --raw`) and CliCalls for runai command lines, each placed at its
call site, with masked evidence. Also what `-d @-` reads from a pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from runai_audit.models import ApiCall, BodyField, CliCall, Confidence, QueryParam, RelatedLocation
from runai_audit.scanners.shell.cli import cli_binary, cli_evidence, masked_argv, written
from runai_audit.scanners.shell.cli import evidence as make_evidence
from runai_audit.scanners.shell.http import HttpRequest, url_evidence
from runai_audit.scanners.shell.positions import Locator
from runai_audit.scanners.shell.url import shape_url
from runai_audit.scanners.shell.words import Command, Word, slice_word

_KUBECTL_RAW_METHODS = {"get": "GET", "create": "POST", "replace": "PUT", "delete": "DELETE"}
_JQ_WITH_TWO_VALUES = frozenset({"--arg", "--argjson", "--slurpfile", "--rawfile"})


@dataclass(frozen=True)
class Anchor:
    """A call site: observations made by an expanded alias, function or variable are placed at
    `at` unless their URL word itself was written inside [start, end)."""

    start: int
    end: int
    at: int
    argv0: str | None = None  # argv[0] as written at the call site (`$RUNAI_BIN`)
    head: int | None = None  # where that argv[0] is written, when a variable's value replaced it




def stdin_of(command: Command, prev: Command | None) -> Word | None:
    """What `-d @-` reads: this command's here-document, or what the previous command of the
    pipeline printed when that is plain (`cat <<EOF`, `echo '{...}'`, `jq -n '{...}'`)."""
    if command.heredocs:
        return command.heredocs[-1].body
    if not command.piped or prev is None or not prev.words:
        return None
    head = prev.words[0].literal
    if head == "cat" and prev.heredocs:
        return prev.heredocs[-1].body
    if head in ("echo", "printf") and len(prev.words) >= 2:
        return prev.words[-1]
    if head == "jq" and any(w.text in ("-n", "--null-input") for w in prev.words[1:]):
        i = 1
        while i < len(prev.words):
            text = prev.words[i].text
            if text in _JQ_WITH_TWO_VALUES:
                i += 3
            elif text.startswith("-"):
                i += 1
            else:
                return prev.words[i]
    return None

# ------------------------------------------------------------------ observations


def http_calls(req: HttpRequest, anchor: Anchor | None, locate: Locator) -> list[ApiCall]:
    """One ApiCall per URL of the request; URLs with nothing known are left out."""
    out: list[ApiCall] = []
    evidence = make_evidence(" ".join(req.evidence))
    for url in req.urls:
        shape = shape_url(url.text, [v.name for v in url.vars] + list(url.hints))
        if shape is None or (shape.url.startswith("{**}") and not shape.path.strip("/") and not shape.hint):
            continue  # nothing is known of this URL, not even that it is Run:ai's
        query = [QueryParam(n, locate(url.offs[i] if i < len(url.offs) else url.start)) for n, i in shape.query]
        query += [QueryParam(f.path, locate(f.offset)) for f in req.fields if f.as_query]
        body = tuple(BodyField(f.path, f.value, locate(f.offset)) for f in req.fields if not f.as_query)
        confidence = Confidence.MEDIUM if shape.wildcard or req.method == "*" else Confidence.HIGH
        at = place(url, anchor)
        out.append(ApiCall(req.method, shape.url, locate(at), tuple(query), body,
                           confidence, evidence, shape.hint, related=_call_site(at, anchor, locate)))
    return out


def place(word: Word, anchor: Anchor | None) -> int:
    """Where a word of an expanded alias, function or variable is reported: where the call site
    writes part of it (`rsub "$job"` fills `$1`), else where it is written in the body."""
    if anchor is None or anchor.start <= word.start < anchor.end:
        return word.start
    inside = next((o for o in word.offs if anchor.start <= o < anchor.end), None)
    return word.start if inside is None else inside


def _written_at(word: Word, anchor: Anchor) -> bool:
    """Whether the call site writes any part of the word (`$1` filled in, a verb passed on)."""
    return any(anchor.start <= offset < anchor.end for offset in (word.start, *word.offs))


def _call_site(at: int, anchor: Anchor | None, locate: Locator) -> tuple[RelatedLocation, ...]:
    """The call site of an alias or function whose body writes the use, as a related place."""
    if anchor is None or anchor.start <= at < anchor.end:
        return ()
    return (RelatedLocation(locate(anchor.at), "called"),)

def cli_call(words: list[Word], confidence: Confidence, anchor: Anchor | None, locate: Locator,
             argv0: str | None = None) -> CliCall:
    """A runai command line at its call site. argv[0] is the word as written there; `binary`
    says which CLI it runs, from the word that named it (after aliases and variables)."""
    first = argv0 or (anchor.argv0 if anchor and anchor.argv0 else None) or written(words[0])
    at = anchor.head if anchor is not None and anchor.head is not None else words[0].start
    verb = next((w for w in words[1:] if not w.text.startswith("-")), None)
    command_words = [words[0]] if verb is None else [words[0], verb]
    if anchor is not None and any(_written_at(w, anchor) for w in command_words):
        # The call site writes the command itself (`runai_ctx submit`, `$RUNAI_BIN list`), not
        # only its arguments (`rsub job-a` filling `$1`).
        at = anchor.at
    return CliCall(masked_argv(words, first), locate(at), cli_evidence(words, first), confidence,
                   cli_binary(words[0].text), related=_call_site(at, anchor, locate))


def kubectl_raw_call(words: list[Word], anchor: Anchor | None, locate: Locator) -> ApiCall | None:
    """`kubectl get --raw /apis/run.ai/...`: a direct API server request."""
    raw: Word | None = None
    verb = None
    for i, word in enumerate(words[1:], start=1):
        if word.text == "--raw" and i + 1 < len(words):
            raw = words[i + 1]
        elif word.text.startswith("--raw="):
            raw = slice_word(word, 6)
        elif verb is None and word.literal in _KUBECTL_RAW_METHODS:
            verb = word.literal
    if raw is None or verb is None:
        return None
    shape = shape_url(raw.text, [v.name for v in raw.vars])
    if shape is None:
        return None
    evidence = make_evidence(f"{written(words[0])} {verb} --raw {url_evidence(raw)}")
    return ApiCall(_KUBECTL_RAW_METHODS[verb], shape.url, locate(place(raw, anchor)),
                   confidence=Confidence.MEDIUM, evidence=evidence, runai_hint=shape.hint)
