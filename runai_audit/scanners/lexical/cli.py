"""`runai` command lines wherever they are written: prose, inline code, comments, strings.

The shell scanner reads shell; this reads everything else the way a person would. A command is
the binary (`runai`, `runai-adm`, a path or version of them, a site wrapper named after them,
or a variable that by its name holds them: `$RUNAI_BIN`, `{RUNAI_CLI_PATH}`) followed on the
same line by words, up to what ends a command in the text around it: a backtick, a closing
quote, a pipe, a comment, an HTML tag. A trailing `\\` (or PowerShell's `` ` ``) continues it
on the next line. argv lists (`["runai", "submit", name, "--interactive"]`) are read across
lines. Which command lines are deprecated is the catalog's business, not this module's.

`runai` is also the name of other programs. A file whose `runai` words are mostly not Run:ai's
(`runai install`, `runai trash`, `runai mcp-serve`) is about another tool: `foreign_cli`
says so (its docstring gives the thresholds), and the file's command lines are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from runai_audit.models import CliCall, Confidence, Location
from runai_audit.scanners.lexical.context import CODE, ContextReader
from runai_audit.scanners.lexical.tokens import RUNAI_CLI_VOCABULARY
from runai_audit.scanners.redact import mask_argv
from runai_audit.scanners.shell.cli import evidence, runai_binary, runai_variable

MAX_CONTINUATION_LINES = 30
MAX_LIST_CHARS = 2000

# The binary as written: an optional directory, then a name the shell reader knows as the CLI.
_BINARY = re.compile(r"(?<![\w.@$/{}<>-])(?P<dir>(?:[~.\w-]*/)*)(?P<name>runai[\w.-]*)(?=[ \t]+\S)")
# A variable holding the CLI: $RUNAI_BIN, ${runai_cli}, {RUNAI_CLI_PATH} (f-strings, templates).
_VARIABLE = re.compile(r"(?P<all>\$\{?(?P<v1>\w*runai\w*)\}?|\{(?P<v2>\w*runai\w*)\})(?=[\"']?[ \t]+[a-z])", re.I)
# What ends a command written inside other text.
_END = re.compile(r"`|\||;|&|\)|\]|(?:^|\s)#|(?:^|\s)//|<[/!]|-->|\\n|(?:^|\s)>|<(?:code|pre|br|p|span|kbd|td|li|a|b|i|em|strong|tt)\b", re.I)
_LIST_HEAD = re.compile(r"(?P<q>[\"'])(?P<bin>(?:[~.\w-]*/)*runai(?:-adm)?)(?P=q)\s*,", re.S)
_LIST_ITEM = re.compile(r"\s*(?:(?P<q>[\"'])(?P<lit>[^\"'\n]*)(?P=q)|(?P<expr>[^,\]\)\s][^,\]\)\n]*))\s*(?P<sep>,|\]|\))?")
_TRAILING = ".,:;!?"
_CONTINUED_MARKER = re.compile(r"^\s*(?:#|//|\*|>)")
# A word before `runai` that makes it a value, not the CLI: a namespace (`-n runai delete pod`),
# a Helm release, a folder, a Python module.
_VALUE_AFTER = frozenset({
    "-n", "--namespace", "-p", "--project", "--context", "--cluster", "ns", "namespace", "namespaces",
    "project", "install", "upgrade", "uninstall", "status", "rollback", "cd", "mkdir", "import", "from",
    "pip", "pip3", "brew", "conda", "release", "chart", "chmod", "+x", "mv", "cp", "ln", "rm", "-o", "-O",
    "--output", "which", "type", "touch", "cat", "ls", "chown",
})
_PREVIOUS_WORD = re.compile(r"(\S+)\s+$")
# Where a command starts: the line's start, a prompt, a quote, a backtick, `$(`, a pipe or list
# operator, an alias or `sudo`. Site wrappers (runai-rcp-prod) count only there.
_COMMAND_POSITION = re.compile(r"(?:^|[`'\"(;|&]|\$ |> |\bsudo |\bexec |\bssh \S+ )\s*$")
_WORD = re.compile(r"[a-z][a-z0-9-]*")


@dataclass(frozen=True)
class CommandLine:
    """One command line found in text: argv and where its binary is written."""

    argv: tuple[str, ...]
    binary: str
    line: int
    column: int
    confidence: Confidence


def _strip(word: str) -> str:
    if len(word) >= 2 and word[0] == word[-1] and word[0] in "'\"":
        word = word[1:-1]
    word = word.strip("\"'")
    return word.rstrip(_TRAILING) if not word.startswith("-") else word


def _continues(segment: str) -> str | None:
    """The segment without its continuation mark, when it goes on on the next line."""
    stripped = segment.rstrip()
    return stripped[:-1] if stripped.endswith("\\") else None


def _segment(text: str, quote: str | None) -> tuple[str, bool]:
    """The part of `text` that belongs to the command, and whether something ended it."""
    stripped = text.rstrip()
    if stripped.endswith(" `") and text.count("`") % 2 == 1:
        text = stripped[:-1] + "\\"  # PowerShell's continuation, read as the shell's
    cut = len(text)
    found = _END.search(text)
    if found:
        cut = found.start()
    if quote:
        at = text.find(quote)
        if 0 <= at < cut:
            cut = at
    return text[:cut], cut < len(text)


def _quote_before(line: str, start: int) -> str | None:
    """The quote that opens the string the command sits in, if it sits in one."""
    before = line[:start]
    for quote in ('"', "'"):
        if before.count(quote) % 2 == 1:
            return quote
    return None


def words_after(lines: list[str], index: int, start: int, quote: str | None) -> list[str]:
    line = lines[index]
    segment, ended = _segment(line[start:], quote)
    parts = [segment]
    for extra in range(MAX_CONTINUATION_LINES):
        if ended:
            break
        joined = _continues(parts[-1])
        if joined is None or index + extra + 1 >= len(lines):
            break
        parts[-1] = joined
        # A command continued inside a comment or a prompt goes on behind the same marker.
        line = _CONTINUED_MARKER.sub("", lines[index + extra + 1], count=1)
        segment, ended = _segment(line, quote)
        parts.append(segment)
    return [w for w in (_strip(raw) for raw in " ".join(parts).split()) if w]


def _in_command_position(before: str, confidence: Confidence) -> bool:
    previous = _PREVIOUS_WORD.search(before)
    if previous and (previous.group(1).lower() in _VALUE_AFTER or previous.group(1).endswith("=")):
        return False
    return confidence is Confidence.HIGH or bool(_COMMAND_POSITION.search(before))


def _line_commands(lines: list[str]) -> Iterator[CommandLine]:
    for index, line in enumerate(lines):
        if "runai" not in line.lower():
            continue
        for found in _BINARY.finditer(line):
            confidence = runai_binary(found.group("name"))
            if confidence is None or not _in_command_position(line[: found.start()], confidence):
                continue
            binary = "runai-adm" if found.group("name").startswith("runai-adm") else "runai"
            start = found.start()
            words = words_after(lines, index, found.end(), _quote_before(line, start))
            if words:
                argv0 = found.group("dir") + found.group("name")
                yield CommandLine((argv0, *words), binary, index + 1, start + 1, confidence)
        for found in _VARIABLE.finditer(line):
            name = found.group("v1") or found.group("v2") or ""
            if not runai_variable(name):
                continue
            start = found.start()
            words = words_after(lines, index, found.end(), _quote_before(line, start))
            if words:
                yield CommandLine((found.group("all"), *words), "runai", index + 1, start + 1, Confidence.MEDIUM)


def _list_commands(text: str) -> Iterator[CommandLine]:
    """argv lists: `["runai", "submit", name, "-g", "1"]`, one item a line or all on one."""
    for found in _LIST_HEAD.finditer(text):
        argv = [found.group("bin")]
        at = found.end()
        limit = at + MAX_LIST_CHARS
        while at < limit:
            item = _LIST_ITEM.match(text, at)
            if item is None or item.end() == at:
                break
            literal = item.group("lit")
            argv.append(literal if literal is not None else "{*}")
            at = item.end()
            if item.group("sep") != ",":
                break
        if len(argv) > 1:
            line = text.count("\n", 0, found.start()) + 1
            column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 2  # the name, past its quote
            binary = "runai-adm" if found.group("bin").endswith("runai-adm") else "runai"
            yield CommandLine(tuple(argv), binary, line, column, Confidence.HIGH)


def command_lines(text: str) -> list[CommandLine]:
    """Every command line in the text, in order of position."""
    lines = text.split("\n")
    found = {(c.line, c.column): c for c in _line_commands(lines)}
    for command in _list_commands(text):
        found.setdefault((command.line, command.column), command)
    return [found[key] for key in sorted(found)]


def first_word(argv: tuple[str, ...]) -> str:
    for word in argv[1:]:
        if word == "--":
            return ""
        if not word.startswith("-"):
            return word
    return ""


def foreign_cli(commands: list[CommandLine]) -> bool:
    """True when the file's `runai` commands are mostly another program's: at least four
    distinct lower-case first words that are no Run:ai CLI word, and more than twice as many
    as the Run:ai ones."""
    known: set[str] = set()
    foreign: set[str] = set()
    for command in commands:
        if command.binary != "runai":
            continue
        word = first_word(command.argv)
        if not _WORD.fullmatch(word):
            continue
        (known if word in RUNAI_CLI_VOCABULARY else foreign).add(word)
    return len(foreign) >= 4 and len(foreign) > 2 * len(known)


def cli_calls(text: str, path: str, contexts: ContextReader) -> tuple[list[CliCall], bool]:
    """The command lines of the file as observations, and whether the file's `runai` is another
    program (then the list is empty)."""
    commands = command_lines(text)
    if foreign_cli(commands):
        return [], True
    out: list[CliCall] = []
    for command in commands:
        word = first_word(command.argv)
        if not word or "/" in word or word.startswith(("http", "$", "~")):
            continue  # a file or URL after the name: `runai-adm /usr/local/bin/runai-adm`
        context = contexts.at(command.line, command.column)
        confidence = command.confidence if context == CODE else Confidence.LOW
        if confidence is Confidence.HIGH:
            confidence = Confidence.MEDIUM  # read from text, not from a parsed command
        argv = tuple(mask_argv(command.argv))
        out.append(CliCall(
            argv=argv,
            location=Location(path, command.line, command.column),
            evidence=evidence(" ".join(argv)),
            confidence=confidence,
            binary=command.binary,
        ))
    return out, False
