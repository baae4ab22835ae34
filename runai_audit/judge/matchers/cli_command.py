"""Matcher for CLI rows: `runai` / `runai-adm` command lines, with the CLI v2 rewrite.

A row names the binary and the command words (`["submit-dist", "pytorch"]`). The command
words are the first positional words after the binary: options in between are skipped, with
the value of the global options that take one (`runai --project p submit` is `submit`).
`requires_flags` / `exclude_flags` tell `runai submit --interactive` from `runai submit`;
`except_next` keeps `runai list` (no noun) apart from `runai list jobs`.

A row may say how the line reads in CLI v2 (`rewrite: {to: [training, submit]}`): the hit then
carries the rewritten command line, option values that could be secrets masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from runai_audit.judge.matchers.base import Hit
from runai_audit.knowledge.catalog.model import Rule
from runai_audit.models import CliCall, Observation

# Global options of both CLIs that take a separate value (`-p team-a`).
VALUE_OPTIONS = frozenset({"-p", "--project", "--loglevel", "--log-level", "--config-file", "--config-path", "--cluster"})
_SECRET_NAME = re.compile(r"secret|token|passw|pwd|key|auth|credential", re.I)
_FALSE = ("false", "0", "no")
MASK = "<value>"


def binary_name(word: str) -> str:
    name = word.replace("\\", "/").rsplit("/", 1)[-1]
    return name.removesuffix(".exe")


def positional_words(argv: Sequence[str]) -> list[tuple[int, str]]:
    """(index in argv, word) of the words that are neither options nor global option values."""
    out: list[tuple[int, str]] = []
    index = 1
    while index < len(argv):
        word = argv[index]
        if word == "--":
            break  # what follows is the command the container runs
        if word.startswith("-") and len(word) > 1:
            if "=" not in word and word in VALUE_OPTIONS:
                index += 1
        else:
            out.append((index, word))
        index += 1
    return out


def _options(argv: Sequence[str]) -> list[str]:
    words = list(argv[1:])
    if "--" in words:
        words = words[: words.index("--")]
    return [w for w in words if w.startswith("-")]


def has_flag(argv: Sequence[str], flag: str) -> bool:
    for word in _options(argv):
        if word == flag:
            return True
        if word.startswith(flag + "="):
            return word.split("=", 1)[1].lower() not in _FALSE
    return False


def command_span(match: Mapping[str, Any], argv: Sequence[str], binary: str = "") -> tuple[int, int] | None:
    """(first, last) argv index of the command words when the row matches the line, else None.
    `binary` is the CLI the scanner recognised behind argv[0] ($RUNAI_BIN, ./runai-2.13.49)."""
    if not argv or (binary or binary_name(argv[0])) != match["binary"]:
        return None
    command = [str(w) for w in match.get("command") or ()]
    words = positional_words(argv)
    if [w for _, w in words[: len(command)]] != command:
        return None
    after = words[len(command)][1] if len(words) > len(command) else None
    if after is not None and after in (match.get("except_next") or ()):
        return None
    if any(not has_flag(argv, str(f)) for f in match.get("requires_flags") or ()):
        return None
    if any(has_flag(argv, str(f)) for f in match.get("exclude_flags") or ()):
        return None
    first = words[0][0] if command else 1
    last = words[len(command) - 1][0] if command else 0
    return first, last


def mask_words(words: Sequence[str]) -> list[str]:
    """Option values that could be secrets become <value>; flag names and plain words stay."""
    out: list[str] = []
    previous = ""
    for word in words:
        if word.startswith("-") and "=" in word:
            name, _, value = word.partition("=")
            out.append(f"{name}={MASK}" if _SECRET_NAME.search(name) or "=" in value else word)
        elif "=" in word and not word.startswith("-"):
            out.append(word.split("=", 1)[0] + "=" + MASK)  # KEY=VALUE, as in -e KEY=VALUE
        elif previous.startswith("-") and "=" not in previous and not word.startswith("-") and _SECRET_NAME.search(previous):
            out.append(MASK)
        else:
            out.append(word)
        previous = word
    return out


def rewrite(match: Mapping[str, Any], argv: Sequence[str], span: tuple[int, int]) -> str | None:
    """The command line in CLI v2 terms, when the row says how."""
    spec = match.get("rewrite")
    if not isinstance(spec, Mapping):
        return None
    first, last = span
    drop = {str(f) for f in spec.get("drop_flags") or ()}
    before = list(argv[1:first]) if match.get("command") else []
    rest = list(argv[last + 1 :]) if match.get("command") else list(argv[1:])
    kept = [w for w in rest if w not in drop and w.split("=", 1)[0] not in drop]
    words = [str(spec.get("binary") or binary_name(argv[0])), *before, *(str(w) for w in spec["to"]), *kept]
    return " ".join(mask_words(words))


def match_cli(rule: Rule, obs: Observation) -> Iterator[Hit]:
    if not isinstance(obs, CliCall):
        return
    span = command_span(rule.match, obs.argv, obs.binary)
    if span is None:
        return
    # Flags a row requires are part of what was used: `runai submit --interactive` is a
    # different subject (and replacement) from `runai submit`.
    words = [str(rule.match["binary"]), *(str(w) for w in rule.match.get("command") or ())]
    command = " ".join([*words, *(str(f) for f in rule.match.get("requires_flags") or ())])
    yield Hit(
        location=obs.location,
        subject=command,
        evidence=obs.evidence,
        confidence=obs.confidence,
        snippet=rewrite(rule.match, obs.argv, span),
        detail=f"command {command}",
    )


MATCHERS = {"cli": match_cli}
