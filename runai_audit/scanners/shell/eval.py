"""Walk tokenized shell commands and record the HTTP calls and runai command lines they make.

What a command runs is decided the way the shell would, as far as a reader can: leading
`NAME=value` words are skipped, wrappers (sudo, env, timeout, ssh, `bash -c`) are looked through,
aliases and functions are expanded at their call sites with the call's arguments in `$1`, `$@`,
and a variable that holds a binary (`RUNAI_BIN=runai-2.13`) is followed. Values of variables
assigned a plain literal earlier in the file are spliced into URLs and bodies; anything else stays
unresolved. A function called in the file is reported at its call sites only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from runai_audit.models import Confidence, InputProblem, Observation
from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.shell.cli import (
    SHELLS,
    basename,
    is_assignment,
    is_wrapper,
    runai_binary,
    runai_variable,
    script_argument,
    ssh_remote,
    unwrap,
    written,
)
from runai_audit.scanners.shell.curl import parse_curl
from runai_audit.scanners.shell.emit import Anchor, cli_call, http_calls, kubectl_raw_call, stdin_of
from runai_audit.scanners.shell.http import parse_wget
from runai_audit.scanners.shell.httpie import parse_httpie
from runai_audit.scanners.shell.kubectl import kubectl_resource_calls
from runai_audit.scanners.shell.lexer import tokenize, tokenize_word
from runai_audit.scanners.shell.positions import Locator
from runai_audit.scanners.shell.vars import Variables, positionals
from runai_audit.scanners.shell.words import (
    SENTINEL,
    Command,
    Item,
    Marker,
    Source,
    VarRef,
    Word,
    literal_word,
    slice_word,
    substitute,
)

_MAX_DEPTH = 12
_DEFAULT_OPS = (":-", "-", ":=", "=")
_DECLARATIONS = frozenset({"export", "declare", "typeset", "local", "readonly"})


def _commands(items: list[Item]) -> list[Command]:
    return [item for item in items if isinstance(item, Command)]


class ShellWalker:
    """Evaluates commands in file order; observations collect in `obs`."""

    def __init__(self, locate: Locator, dialect: str = "sh", known: dict[str, Word] | None = None) -> None:
        self.locate = locate
        self.dialect = dialect
        self.vars = Variables(known)
        self.aliases: dict[str, Word] = {}
        self.functions: dict[str, list[Command]] = {}
        self.prev: dict[int, Command] = {}
        self.obs: list[Observation] = []

    # ------------------------------------------------------------------ program structure
    def walk_program(self, items: list[Item]) -> list[Command]:
        """Record functions and pipeline neighbours; return the commands to evaluate in order."""
        entries: list[tuple[Command, str | None]] = []
        stack: list[str | None] = []
        pending: str | None = None
        for item in items:
            if isinstance(item, Marker):
                if item.kind == "func":
                    pending = item.value
                elif item.kind == "open":
                    stack.append(pending)
                    pending = None
                elif stack:
                    stack.pop()
                continue
            owner = pending or next((name for name in reversed(stack) if name), None)
            pending = None
            entries.append((item, owner))
            if owner:
                self.functions.setdefault(owner, []).append(item)
        self.link(c for c, _ in entries)
        called: set[str] = set()
        for command, owner in entries:
            for word in command.words:
                for token in word.text.split():
                    if token in self.functions and token != owner:
                        called.add(token)
        return [c for c, owner in entries if not (owner and owner in called)]

    def link(self, commands: Iterable[Command]) -> None:
        """Remember each command's predecessor (what a pipeline feeds into it)."""
        previous: Command | None = None
        for command in commands:
            if previous is not None:
                self.prev[id(command)] = previous
            previous = command

    def run_script(self, items: list[Item], anchor: Anchor | None, depth: int, active: frozenset[str]) -> None:
        commands = _commands(items)
        self.link(commands)
        for command in commands:
            self.evaluate(command.words, command, anchor, depth + 1, active)

    # ------------------------------------------------------------------ commands
    def evaluate(self, words: list[Word], command: Command, anchor: Anchor | None, depth: int,
                 active: frozenset[str]) -> None:
        if depth > _MAX_DEPTH:
            return
        i = 0
        while i < len(words) and is_assignment(words[i]):
            if anchor is None:
                self.vars.assign(words[i])
            i += 1
        words = words[i:]
        if not words:
            return
        head = words[0]
        lit = head.literal
        if lit is None:
            self.variable_command(words, command, anchor, depth, active)
            return
        name = basename(lit)
        if lit in _DECLARATIONS:
            for word in words[1:]:
                if is_assignment(word) and anchor is None:
                    self.vars.assign(word)
        elif lit == "alias":
            for word in words[1:]:
                alias, eq, _ = word.text.partition("=")
                if eq and alias:
                    self.aliases[alias] = slice_word(word, len(alias) + 1)
        elif not head.quoted and lit in self.aliases and lit not in active:
            self.expand(_commands(tokenize_word(self.aliases[lit], self.dialect)), words, command, anchor,
                        depth, active | {lit})
        elif lit in self.functions and lit not in active:
            a = anchor or Anchor(head.start, words[-1].end, head.start)
            self.call_function(lit, words[1:], a, depth, active | {lit})
        elif is_wrapper(name):
            rest = unwrap(name, words)
            if rest:
                bypass = frozenset(self.functions) if name in ("command", "builtin") else frozenset()
                self.evaluate(rest, command, anchor, depth + 1, active | bypass)
        elif name == "ssh":
            remote = ssh_remote(words)
            if len(remote) == 1:
                self.run_script(tokenize_word(remote[0]), anchor, depth, active)
            elif remote:
                self.evaluate(remote, command, anchor, depth + 1, active)
            else:
                self.heredoc_script(command, anchor, depth, active)
        elif name in SHELLS or name == "su":
            script = script_argument(words)
            if script is not None:
                self.run_script(tokenize_word(script), anchor, depth, active)
            elif all(w.text.startswith("-") for w in words[1:]) or name == "su":
                self.heredoc_script(command, anchor, depth, active)
        elif name == "eval" and len(words) > 1:
            if len(words) == 2:
                self.run_script(tokenize_word(words[1]), anchor, depth, active)
            else:
                self.evaluate(words[1:], command, anchor, depth + 1, active)
        elif name in ("curl", "curl.exe"):
            stdin = stdin_of(command, self.prev.get(id(command)))
            self.obs.extend(http_calls(parse_curl(self.vars.resolve_args(words[1:]), stdin), anchor, self.locate))
        elif name == "wget":
            self.obs.extend(http_calls(parse_wget(self.vars.resolve_args(words[1:])), anchor, self.locate))
        elif name in ("http", "https", "xh", "xhs"):
            self.obs.extend(http_calls(parse_httpie(name, self.vars.resolve_args(words[1:])), anchor, self.locate))
        elif name in ("kubectl", "oc"):
            raw_call = kubectl_raw_call(words, anchor, self.locate)
            if raw_call is not None:
                self.obs.append(raw_call)
            else:
                self.obs.extend(kubectl_resource_calls(self.vars.resolve_args(words), anchor, self.locate))
        else:
            confidence = runai_binary(lit)
            if confidence is not None:
                self.obs.append(cli_call(words, confidence, anchor, self.locate))

    def call_function(self, name: str, args: list[Word], anchor: Anchor, depth: int, active: frozenset[str]) -> None:
        """Run a function body with the call's arguments; `shift` and `local x="$1"` are followed."""
        local: dict[str, Word] = {}

        def lookup(var: VarRef) -> Word | None:
            return local.get(var.name) if var.kind == "var" and not var.op else None

        for body in self.functions[name]:
            words = [substitute(w, lookup) for w in positionals(body.words, args)]
            head = words[0].literal if words else None
            if head == "shift":
                count = words[1].text if len(words) > 1 else "1"
                args = args[int(count) if count.isdigit() else 1:]
                continue
            declaring = head in _DECLARATIONS
            for word in words[1:] if declaring else words:
                if not is_assignment(word):
                    break
                var_name = word.text.split("=", 1)[0]
                local[var_name] = slice_word(word, len(var_name) + 1)
            if not declaring:
                self.evaluate(words, body, anchor, depth + 1, active)

    def expand(self, commands: list[Command], words: list[Word], command: Command, anchor: Anchor | None,
               depth: int, active: frozenset[str], argv0: str | None = None) -> None:
        """Run an alias value or a variable's value in place of the call's first word."""
        if not commands:
            return
        head = words[0]
        a = anchor or Anchor(head.start, words[-1].end, head.start)
        if argv0 is not None:
            a = dataclasses.replace(a, argv0=argv0, head=head.start)
        for inner in commands[:-1]:
            self.evaluate(inner.words, inner, a, depth + 1, active)
        self.evaluate(commands[-1].words + words[1:], command, a, depth + 1, active)

    def variable_command(self, words: list[Word], command: Command, anchor: Anchor | None, depth: int,
                         active: frozenset[str]) -> None:
        """A command whose first word is not literal: `$RUNAI_BIN submit`, `${BIN}/runai list`."""
        head = words[0]
        tail = head.text.rsplit("/", 1)[-1]
        if not head.is_single_var:
            confidence = runai_binary(tail) if SENTINEL not in tail else None
            if confidence is not None:
                self.obs.append(cli_call(words, confidence, anchor, self.locate))
            return
        var = head.vars[0]
        known = self.vars.values.get(var.name) if var.kind in ("var", "make") else None
        value: Word | None = None
        if known is not None and known.literal is not None and (not var.op or var.op in _DEFAULT_OPS):
            value = known
        elif known is None and var.op in _DEFAULT_OPS and var.arg and "$" not in var.arg:
            value = literal_word(var.arg, head.start)
        if value is not None:
            self.expand(_commands(tokenize_word(value, self.dialect)), words, command, anchor, depth, active,
                        argv0=written(head))
            return
        if known is not None:
            last = known.text.rsplit("/", 1)[-1].split()[-1:] or [""]
            # RUNAI=$(command -v runai) / RUNAI=${RUNAI:-runai-2.13}
            inner = known.vars[0] if known.is_single_var else None
            located = inner.name.split()[-1:] if inner and inner.kind == "subst" else []
            defaults = [inner.arg] if inner and inner.op in _DEFAULT_OPS else []
            for candidate in (last[0], *located, *defaults):
                if SENTINEL not in candidate and runai_binary(candidate):
                    self.obs.append(cli_call(words, Confidence.MEDIUM, anchor, self.locate, argv0=written(head)))
                    return
        if var.kind in ("var", "make") and runai_variable(var.name):
            self.obs.append(cli_call(words, Confidence.MEDIUM, anchor, self.locate, argv0=written(head)))

    def heredoc_script(self, command: Command, anchor: Anchor | None, depth: int, active: frozenset[str]) -> None:
        for doc in command.heredocs:
            self.run_script(tokenize(doc.source, self.dialect, doc.start, doc.end), anchor, depth, active)


def walk_source(source: Source | str, path: str, locate: Locator, dialect: str = "sh",
                known: dict[str, Word] | None = None) -> ScanResult:
    """Every observation of a script. A command the walker trips on is reported as a problem with
    its line, and the walk goes on with the next one."""
    walker = ShellWalker(locate, dialect, known)
    result = ScanResult()
    for command in walker.walk_program(tokenize(source, dialect)):
        try:
            walker.evaluate(command.words, command, None, 0, frozenset())
        except (ValueError, IndexError, KeyError, RecursionError) as exc:
            line = locate(command.words[0].start).line if command.words else 0
            result.problems.append(InputProblem(path, f"shell command not understood ({type(exc).__name__})", line))
    result.observations.extend(walker.obs)
    return result


def walk_commands(commands: list[Command], path: str, locate: Locator) -> ScanResult:
    """Observations of commands built elsewhere (a Dockerfile exec-form RUN)."""
    walker = ShellWalker(locate)
    walker.link(commands)
    for command in commands:
        walker.evaluate(command.words, command, None, 0, frozenset())
    return ScanResult(observations=list(walker.obs))
