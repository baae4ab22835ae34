"""The Makefile scanner: recipe lines, read by the shell scanner at their exact positions.

Recipe lines (tab-indented under a rule, or after `target: ;`) are kept in a copy of the file in
which everything else is blanked, with the `@`, `-` and `+` prefixes blanked too; the shell
scanner reads that copy in its make dialect, where `$(VAR)` and `${VAR}` are make variables and
`$$` is the shell's `$`. Simple literal assignments (`RUNAI ?= runai-2.13`) are handed over so a
recipe that runs `$(RUNAI) submit` is recognised.
"""

from __future__ import annotations

import re

from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.shell.positions import LineIndex, shifted_locator
from runai_audit.scanners.shell.scanner import scan_script
from runai_audit.scanners.shell.words import Word

__all__ = ["scan_makefile"]

_ASSIGN = re.compile(r"(?:(?:export|override)[ \t]+)*([A-Za-z_][\w.-]*)[ \t]*(::?=|:::=|\?=|\+=|!=|=)[ \t]*(.*)")
_RULE = re.compile(r"[^\t#=:][^=#]*?::?(?!=)(?P<after>.*)")
_CONDITIONAL = re.compile(r"(?:ifeq|ifneq|ifdef|ifndef|else|endif)\b")
_DEFINE = re.compile(r"(?:(?:export|override)[ \t]+)*define\b")


def _recipe_view(line: str) -> str:
    """A recipe line with its leading tab kept and its @ - + prefixes blanked."""
    body = line[1:]
    stripped = body.lstrip(" \t")
    lead = len(body) - len(stripped)
    n = 0
    while n < len(stripped) and stripped[n] in "@-+":
        n += 1
    return "\t" + body[:lead] + " " * n + stripped[n:]


def scan_makefile(text: str, path: str) -> ScanResult:
    lines = text.split("\n")
    index = LineIndex(text)
    segments: list[tuple[int, list[str]]] = []  # each recipe line (with continuations) is one shell
    known: dict[str, Word] = {}
    in_rule = in_define = False
    continuation = ""  # "recipe" | "other" while a line ends in a backslash
    for i, raw in enumerate(lines):
        line = raw.rstrip("\r")
        ends_continued = line.endswith("\\")
        if continuation:
            if continuation == "recipe":
                segments[-1][1].append(line)
            continuation = continuation if ends_continued else ""
            continue
        if in_define:
            in_define = not line.strip().startswith("endef")
            continue
        if line.startswith("\t") and in_rule:
            segments.append((i, [_recipe_view(line)]))
            continuation = "recipe" if ends_continued else ""
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or _CONDITIONAL.match(stripped):
            continue
        if _DEFINE.match(stripped):
            in_define = True
            continue
        continuation = "other" if ends_continued else ""
        assign = _ASSIGN.fullmatch(line)
        rule = None if assign else _RULE.fullmatch(line)
        in_rule = rule is not None
        if assign:
            name, op, value = assign.groups()
            if op in ("=", ":=", "::=", ":::=", "?=") and value.strip() and "$" not in value and not ends_continued:
                start = (index.offset(i + 1, 1) or 0) + assign.start(3)
                value = value.rstrip()
                known[name] = Word(value, list(range(start, start + len(value))), [], start, start + len(value),
                                   False, value)
        elif rule:
            semi = rule.group("after").find(";")
            if semi >= 0:  # `target: prereqs ; recipe`
                cut = rule.start("after") + semi + 1
                segments.append((i, [" " * cut + line[cut:]]))
                continuation = "recipe" if ends_continued else ""
    result = ScanResult()
    for first, view in segments:
        snippet = "\n".join(view)
        part = scan_script(snippet, path, shifted_locator(path, LineIndex(snippet), first), dialect="make", known=known)
        result.observations.extend(part.observations)
        result.problems.extend(part.problems)
    return result
