"""`runai` command lines started from Python: subprocess, os.system / os.popen, asyncio.

The argv is rebuilt from a list literal, a list grown over several statements
(`cmd = ["runai"]; cmd += ["submit", name]; cmd.append("--gpu")`), `shlex.split(...)` or a shell
string; parts that cannot be resolved are `{*}`. Only commands whose program is the Run:ai CLI
count. Values given to secret-looking flags (`--password x`) are masked in the argv itself.
"""

from __future__ import annotations

import ast
import re
import shlex

from runai_audit.models import CliCall, Confidence
from runai_audit.scanners.python.argv import argv_items
from runai_audit.scanners.python.context import Context
from runai_audit.scanners.redact import mask_argv

__all__ = ["detect_cli", "is_runai_binary", "shell_commands"]

_ARGV_FUNCS = frozenset({"subprocess.run", "subprocess.call", "subprocess.check_call",
                         "subprocess.check_output", "subprocess.Popen"})
_SHELL_FUNCS = frozenset({"os.system", "os.popen", "subprocess.getoutput",
                          "subprocess.getstatusoutput", "asyncio.create_subprocess_shell"})
_EXEC_ARGV = frozenset({"os.execv", "os.execvp", "os.execve", "os.execvpe"})
_RUNAI_BINARY = re.compile(r"^runai(?:-adm)?(?:-v?\d+(?:\.\d+)*)?(?:\.exe)?$")
_PREFIXES = frozenset({"sudo", "env", "nohup", "time", "exec", "command"})
_SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh"})
_OPERATORS = frozenset({";", "&&", "||", "|", "&", "(", ")", ";;", "|&"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def is_runai_binary(word: str) -> bool:
    """runai, runai-adm, /usr/local/bin/runai, runai-2.13.49."""
    return bool(_RUNAI_BINARY.match(word.rsplit("/", 1)[-1]))


def shell_commands(script: str) -> list[list[str]]:
    """The simple commands of a shell string, split at ; && || | & and newlines."""
    commands: list[list[str]] = []
    for line in script.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        try:
            tokens = list(lexer)
        except ValueError:
            tokens = line.split()
        current: list[str] = []
        skip_next = False
        for token in tokens:
            if skip_next:
                skip_next = False
                continue
            if token in _OPERATORS:
                commands.append(current)
                current = []
            elif token and set(token) <= set("<>&|0123456789") and ("<" in token or ">" in token):
                skip_next = True  # a redirection and its target
            else:
                current.append(token)
        commands.append(current)
    return [c for c in commands if c]


def detect_cli(ctx: Context, call: ast.Call) -> list[CliCall]:
    canonical = ctx.index.canonical(call.func) or ""
    first = _first_arg(call)
    argvs: list[list[str]] = []
    if canonical in _ARGV_FUNCS and first is not None:
        items = None if _shell_true(call) else argv_items(ctx.resolver, first)
        argvs = [items] if items is not None else shell_commands(ctx.resolver.text(first).render())
    elif canonical in _SHELL_FUNCS and first is not None:
        argvs = shell_commands(ctx.resolver.text(first).render())
    elif canonical == "asyncio.create_subprocess_exec" and first is not None:
        argvs = [argv_items(ctx.resolver, ast.List(elts=list(call.args), ctx=ast.Load())) or []]
    elif canonical in _EXEC_ARGV and len(call.args) >= 2:
        first = call.args[1]
        argvs = [argv_items(ctx.resolver, first) or []]
    out: list[CliCall] = []
    if first is None:
        return out
    for argv in argvs:
        for command in _unwrap(argv):
            if command and is_runai_binary(command[0]):
                masked = mask_argv(command)
                out.append(CliCall(
                    argv=tuple(masked),
                    location=ctx.location(first),
                    evidence=ctx.evidence(first.lineno),
                    confidence=Confidence.MEDIUM if any("{*}" in a for a in masked) else Confidence.HIGH,
                ))
    return out


def _first_arg(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    for keyword in call.keywords:
        if keyword.arg in ("args", "command", "cmd"):
            return keyword.value
    return None


def _shell_true(call: ast.Call) -> bool:
    return any(k.arg == "shell" and isinstance(k.value, ast.Constant) and k.value.value is True
               for k in call.keywords)


def _unwrap(argv: list[str]) -> list[list[str]]:
    """Strip sudo / env / VAR=x prefixes; look inside `bash -c "..."`."""
    words = list(argv)
    while words and (words[0] in _PREFIXES or _ASSIGNMENT.match(words[0])):
        words.pop(0)
    if words and words[0].rsplit("/", 1)[-1] in _SHELLS and "-c" in words:
        at = words.index("-c")
        if at + 1 < len(words):
            return [c for cmd in shell_commands(words[at + 1]) for c in _unwrap(cmd)]
    return [words]
