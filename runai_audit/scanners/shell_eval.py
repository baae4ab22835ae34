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
import re
from dataclasses import dataclass

from runai_audit.models import ApiCall, BodyField, CliCall, Confidence, InputProblem, Observation, QueryParam
from runai_audit.redact import mask_secrets
from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.shell_cli import (
    SHELLS,
    basename,
    cli_evidence,
    is_assignment,
    is_wrapper,
    limit,
    masked_argv,
    runai_binary,
    runai_variable,
    script_argument,
    ssh_remote,
    unwrap,
    written,
)
from runai_audit.scanners.shell_http import HttpRequest, parse_curl, parse_httpie, parse_wget, url_evidence
from runai_audit.scanners.shell_lexer import tokenize, tokenize_word
from runai_audit.scanners.shell_positions import Locator
from runai_audit.scanners.shell_url import shape_url
from runai_audit.scanners.shell_words import (
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


def _commands(items: list[Item]) -> list[Command]:
    return [item for item in items if isinstance(item, Command)]


class ShellWalker:
    def __init__(self, path: str, locate: Locator, dialect: str = "sh", known: dict[str, Word] | None = None) -> None:
        self.path = path
        self.locate = locate
        self.dialect = dialect
        self.vars: dict[str, Word] = dict(known or {})
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

    def link(self, commands: object) -> None:
        previous: Command | None = None
        for command in commands:  # type: ignore[attr-defined]
            if previous is not None:
                self.prev[id(command)] = previous
            previous = command

    def run_script(self, items: list[Item], anchor: Anchor | None, depth: int, active: frozenset[str]) -> None:
        commands = _commands(items)
        self.link(commands)
        for command in commands:
            self.evaluate(command.words, command, anchor, depth + 1, active)

    # ------------------------------------------------------------------ variables
    def assign(self, word: Word) -> None:
        name = word.text.split("=", 1)[0]
        if name.endswith("+"):
            self.vars.pop(name[:-1], None)
            return
        self.vars[name] = slice_word(word, len(name) + 1)

    def lookup(self, var: VarRef) -> Word | None:
        if var.kind not in ("var", "make") or var.op:
            return None
        value = self.vars.get(var.name)
        return value if value is not None and value.literal is not None else None

    def resolve_args(self, words: list[Word]) -> list[Word]:
        out: list[Word] = []
        for word in words:
            if word.is_single_var and not word.quoted:
                value = self.lookup(word.vars[0])
                if value is not None and re.search(r"\s", value.text):
                    out.extend(slice_word(value, m.start(), m.end()) for m in re.finditer(r"\S+", value.text))
                    continue
            out.append(substitute(word, self.lookup))
        return out

    @staticmethod
    def positionals(words: list[Word], args: list[Word]) -> list[Word]:
        """A function body's words with the call's arguments in `$1`..`$9`, `$@`, `$*`."""
        out: list[Word] = []

        def arg(var: VarRef) -> Word | None:
            if var.name.isdigit() and not var.op and 1 <= int(var.name) <= len(args):
                return args[int(var.name) - 1]
            return None

        for word in words:
            if word.is_single_var and word.vars[0].name in ("@", "*"):
                var = word.vars[0]
                first = var.arg.split(":")[0].strip() if var.op == ":" else "1"
                out.extend(args[max(int(first) - 1, 0):] if first.isdigit() else args)
                continue
            out.append(substitute(word, arg))
        return out

    # ------------------------------------------------------------------ commands
    def evaluate(self, words: list[Word], command: Command, anchor: Anchor | None, depth: int,
                 active: frozenset[str]) -> None:
        if depth > _MAX_DEPTH:
            return
        i = 0
        while i < len(words) and is_assignment(words[i]):
            if anchor is None:
                self.assign(words[i])
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
        if lit in ("export", "declare", "typeset", "local", "readonly"):
            for word in words[1:]:
                if is_assignment(word) and anchor is None:
                    self.assign(word)
        elif lit == "alias":
            for word in words[1:]:
                alias, eq, _ = word.text.partition("=")
                if eq and alias:
                    self.aliases[alias] = slice_word(word, len(alias) + 1)
        elif not head.quoted and lit in self.aliases and lit not in active:
            self.expand(_commands(tokenize_word(self.aliases[lit], self.dialect)), words, command, anchor,
                        depth, active | {lit}, with_args=True)
        elif lit in self.functions and lit not in active:
            a = anchor or Anchor(head.start, words[-1].end, head.start)
            for body in self.functions[lit]:
                self.evaluate(self.positionals(body.words, words[1:]), body, a, depth + 1, active | {lit})
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
            self.emit_http(parse_curl(self.resolve_args(words[1:]), self.stdin_of(command)), anchor)
        elif name == "wget":
            self.emit_http(parse_wget(self.resolve_args(words[1:])), anchor)
        elif name in ("http", "https", "xh", "xhs"):
            self.emit_http(parse_httpie(name, self.resolve_args(words[1:])), anchor)
        elif name in ("kubectl", "oc"):
            self.kubectl_raw(words, anchor)
        else:
            confidence = runai_binary(lit)
            if confidence is not None:
                self.emit_cli(words, confidence, anchor)

    def expand(self, commands: list[Command], words: list[Word], command: Command, anchor: Anchor | None,
               depth: int, active: frozenset[str], with_args: bool, argv0: str | None = None) -> None:
        """Run an alias value or a variable's value in place of the call's first word."""
        if not commands:
            return
        head = words[0]
        a = anchor or Anchor(head.start, words[-1].end, head.start)
        if argv0 is not None:
            a = dataclasses.replace(a, argv0=argv0)
        for inner in commands[:-1]:
            self.evaluate(inner.words, inner, a, depth + 1, active)
        tail = words[1:] if with_args else []
        self.evaluate(commands[-1].words + tail, command, a, depth + 1, active)

    def variable_command(self, words: list[Word], command: Command, anchor: Anchor | None, depth: int,
                         active: frozenset[str]) -> None:
        """A command whose first word is not literal: `$RUNAI_BIN submit`, `${BIN}/runai list`."""
        head = words[0]
        tail = head.text.rsplit("/", 1)[-1]
        if not head.is_single_var:
            confidence = runai_binary(tail) if SENTINEL not in tail else None
            if confidence is not None:
                self.emit_cli(words, confidence, anchor)
            return
        var = head.vars[0]
        known = self.vars.get(var.name) if var.kind in ("var", "make") else None
        value: Word | None = None
        if known is not None and known.literal is not None and (not var.op or var.op in _DEFAULT_OPS):
            value = known
        elif known is None and var.op in _DEFAULT_OPS and var.arg and "$" not in var.arg:
            value = literal_word(var.arg, head.start)
        if value is not None:
            self.expand(_commands(tokenize_word(value, self.dialect)), words, command, anchor, depth, active,
                        with_args=True, argv0=written(head))
            return
        if known is not None:
            last = known.text.rsplit("/", 1)[-1].split()[-1:] or [""]
            # RUNAI=$(command -v runai) / RUNAI=${RUNAI:-runai-2.13}
            inner = known.vars[0] if known.is_single_var else None
            located = inner.name.split()[-1:] if inner and inner.kind == "subst" else []
            defaults = [inner.arg] if inner and inner.op in _DEFAULT_OPS else []
            for candidate in (last[0], *located, *defaults):
                if SENTINEL not in candidate and runai_binary(candidate):
                    self.emit_cli(words, Confidence.MEDIUM, anchor, argv0=written(head))
                    return
        if var.kind in ("var", "make") and runai_variable(var.name):
            self.emit_cli(words, Confidence.MEDIUM, anchor, argv0=written(head))

    def heredoc_script(self, command: Command, anchor: Anchor | None, depth: int, active: frozenset[str]) -> None:
        for doc in command.heredocs:
            self.run_script(tokenize(doc.source, self.dialect, doc.start, doc.end), anchor, depth, active)

    def stdin_of(self, command: Command) -> Word | None:
        """What `-d @-` reads: this command's here-document, or what the previous command of the
        pipeline printed when that is plain (`cat <<EOF`, `echo '{...}'`, `jq -n '{...}'`)."""
        if command.heredocs:
            return command.heredocs[-1].body
        prev = self.prev.get(id(command))
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
    def emit_http(self, req: HttpRequest, anchor: Anchor | None) -> None:
        evidence = limit(mask_secrets(" ".join(req.evidence)))
        for url in req.urls:
            shape = shape_url(url.text, [v.name for v in url.vars] + list(url.hints))
            if shape is None or (shape.url.startswith("{**}") and not shape.path.strip("/")):
                continue
            query = [QueryParam(n, self.locate(url.offs[i] if i < len(url.offs) else url.start)) for n, i in shape.query]
            query += [QueryParam(f.path, self.locate(f.offset)) for f in req.fields if f.as_query]
            body = tuple(BodyField(f.path, f.value, self.locate(f.offset)) for f in req.fields if not f.as_query)
            confidence = Confidence.MEDIUM if shape.wildcard or req.method == "*" else Confidence.HIGH
            self.obs.append(ApiCall(req.method, shape.url, self.locate(self.place(url, anchor)), tuple(query), body,
                                    confidence, evidence, shape.hint))

    @staticmethod
    def place(word: Word, anchor: Anchor | None) -> int:
        if anchor is None or anchor.start <= word.start < anchor.end:
            return word.start
        inside = next((o for o in word.offs if anchor.start <= o < anchor.end), None)
        return anchor.at if inside is None else inside

    def emit_cli(self, words: list[Word], confidence: Confidence, anchor: Anchor | None, argv0: str | None = None) -> None:
        first = argv0 or (anchor.argv0 if anchor and anchor.argv0 else None) or written(words[0])
        at = anchor.at if anchor is not None else words[0].start
        self.obs.append(CliCall(masked_argv(words, first), self.locate(at), cli_evidence(words, first), confidence))

    def kubectl_raw(self, words: list[Word], anchor: Anchor | None) -> None:
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
            return
        shape = shape_url(raw.text, [v.name for v in raw.vars])
        if shape is None:
            return
        evidence = limit(mask_secrets(f"{written(words[0])} {verb} --raw {url_evidence(raw)}"))
        self.obs.append(ApiCall(_KUBECTL_RAW_METHODS[verb], shape.url, self.locate(self.place(raw, anchor)),
                                confidence=Confidence.MEDIUM, evidence=evidence, runai_hint=shape.hint))


def walk_source(source: Source | str, path: str, locate: Locator, dialect: str = "sh",
                known: dict[str, Word] | None = None) -> ScanResult:
    """Every observation of a script. A command the walker trips on is reported as a problem with
    its line, and the walk goes on with the next one."""
    walker = ShellWalker(path, locate, dialect, known)
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
    walker = ShellWalker(path, locate)
    walker.link(commands)
    for command in commands:
        walker.evaluate(command.words, command, None, 0, frozenset())
    return ScanResult(observations=list(walker.obs))
