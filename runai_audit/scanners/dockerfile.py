"""The Dockerfile scanner: RUN, CMD and ENTRYPOINT instructions, read by the shell scanner at their
exact positions (a CMD or ENTRYPOINT command runs in the container just as a RUN runs in the build).

Shell-form lines (with their continuations, and with comment or empty lines inside a
continuation dropped the way the builder drops them) are kept in a copy of the file in which
everything else is blanked, so line and column of every observation are the file's own. Exec form
(`RUN ["curl", "-X", "POST", ...]`, `CMD ["runai", "submit", ...]`) is read as a JSON array of
words. BuildKit here-documents (`RUN <<EOF ... EOF`) are read as scripts. Shell-form lines after
a SHELL instruction that selects PowerShell or cmd are not shell and are left alone.
"""

from __future__ import annotations

import re

from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.shell.json import read_json_string
from runai_audit.scanners.shell.positions import LineIndex, shifted_locator
from runai_audit.scanners.shell.scanner import scan_commands, scan_script
from runai_audit.scanners.shell.words import Command, Word

__all__ = ["scan_dockerfile"]

_DIRECTIVE = re.compile(r"#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*")
# An instruction whose argument is a command: RUN, and the CMD / ENTRYPOINT the container starts.
_RUN = re.compile(r"(?P<lead>[ \t]*(?:ONBUILD[ \t]+)?(?:RUN|CMD|ENTRYPOINT))(?P<flags>(?:[ \t]+--[\w-]+(?:=\S*)?)*)(?=[ \t]|$)", re.I)
_SHELL = re.compile(r"[ \t]*SHELL[ \t]+(.*)", re.I)
_HEREDOC = re.compile(r"[ \t]*(?:(?:/bin/)?(?:ba)?sh[ \t]+)?<<-?[ \t]*([\"']?)([A-Za-z_][\w]*)\1[ \t]*$")
_NOT_POSIX = re.compile(r"powershell|pwsh|cmd(?:\.exe)?\b", re.I)


def _escape_char(lines: list[str]) -> str:
    for line in lines:
        m = _DIRECTIVE.fullmatch(line.strip())
        if not m:
            break
        if m.group(1).lower() == "escape" and m.group(2) in ("\\", "`"):
            return m.group(2)
    return "\\"


def _continues(line: str, escape: str) -> bool:
    return line.rstrip().endswith(escape)


def _exec_form(text: str, start: int) -> list[Word] | None:
    """Words of a JSON array starting at text[start] == "[", or None when it is not one."""
    words: list[Word] = []
    i = start + 1
    while i < len(text):
        c = text[i]
        if c in " \t\r,":
            i += 1
        elif text.startswith("\\\n", i) or text.startswith("`\n", i):
            i += 2
        elif c == "]":
            return words
        elif c == '"':
            value, offs, end = read_json_string(text, i)
            words.append(Word(value, offs, [], i, end, True, text[i:end]))
            i = end
        else:
            return None
    return None


def _scan_segments(segments: list[tuple[int, list[str]]], path: str) -> ScanResult:
    """Each RUN is its own shell: an unclosed quote in one must not swallow the next."""
    result = ScanResult()
    for first, lines in segments:
        text = "\n".join(lines)
        part = scan_script(text, path, shifted_locator(path, LineIndex(text), first), dialect="docker")
        result.observations.extend(part.observations)
        result.problems.extend(part.problems)
    return result


def scan_dockerfile(text: str, path: str) -> ScanResult:
    lines = text.split("\n")
    escape = _escape_char(lines)
    index = LineIndex(text)
    segments: list[tuple[int, list[str]]] = []
    exec_commands: list[Command] = []
    posix = True
    i = 0
    while i < len(lines):
        line = lines[i].rstrip("\r")
        shell = _SHELL.match(line)
        if shell:
            posix = not _NOT_POSIX.search(shell.group(1))
        run = _RUN.match(line)
        last = i
        if run and posix:
            rest = line[run.end():]
            heredoc = _HEREDOC.fullmatch(rest)
            if heredoc:
                last = i + 1
                while last < len(lines) and lines[last].rstrip("\r").strip() != heredoc.group(2):
                    last += 1
                segments.append((i + 1, [line.rstrip("\r") for line in lines[i + 1:last]]))
            elif rest.lstrip().startswith("["):
                start = (index.offset(i + 1, 1) or 0) + run.end() + (len(rest) - len(rest.lstrip()))
                words = _exec_form(text, start)
                if words is not None:
                    exec_commands.append(Command(words))
                while _continues(lines[last], escape) and last + 1 < len(lines):
                    last += 1
            else:
                view = [" " * run.end() + rest]
                while view[-1].rstrip().endswith(escape) and last + 1 < len(lines):
                    # the shell continues on a backslash with nothing after it
                    view[-1] = view[-1].rstrip()[:-1] + "\\"
                    last += 1
                    nxt = lines[last].rstrip("\r")
                    dropped = not nxt.strip() or nxt.lstrip().startswith("#")
                    # a line the builder drops becomes a bare backslash: the shell's line goes on
                    view.append("\\" if dropped else nxt)
                segments.append((i, view))
        else:
            while _continues(lines[last], escape) and last + 1 < len(lines):
                last += 1
        i = last + 1
    result = _scan_segments(segments, path)
    if exec_commands:
        exec_result = scan_commands(exec_commands, path, shifted_locator(path, index))
        result.observations.extend(exec_result.observations)
    return result
