"""Reading one shell word: quotes, escapes, `$` expansions, backticks, `<TOKEN>` placeholders.

`WordReader` is the word-level half of the lexer (`shell.lexer.Lexer` is the command-level half).
It decodes quoting the way the shell does and turns each expansion into an unresolved part; the
commands inside `$(...)` and backticks are handed to `sub_tokenize`, which the lexer provides.
Dialects: "sh"; "make" (recipe lines: `$(X)` is a make variable, `$$` the shell's `$`, and make
expands inside single quotes too); "ipython" (`!` lines: `{expr}` is interpolated); "docker" (RUN
lines: a backslash-newline joins lines even inside single quotes, as the Dockerfile parser does).
"""

from __future__ import annotations

import re

from runai_audit.scanners.shell.words import SENTINEL, Source, VarRef, Word, parse_parameter

_PLAIN = re.compile(r"[^\s|&;()<>'\"\\$`\x00]+")
_PLAIN_IPYTHON = re.compile(r"[^\s|&;()<>'\"\\$`\x00{]+")
_DQ_PLAIN = re.compile(r'[^"\\$`\x00]+')
_DQ_PLAIN_IPYTHON = re.compile(r'[^"\\$`\x00{]+')
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGN_PREFIX = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=$")
DOC_PLACEHOLDER = re.compile(r"<[A-Za-z][\w\-]*>")  # `<TOKEN>` in documentation examples
_ANSI_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "v": "\v"}
_CONTINUED_LINE = re.compile(r"\\\r?\n")  # backslash-newline, CRLF files included


def continuation(s: str, i: int, end: int) -> int:
    """The length of a backslash-newline at s[i] (2, or 3 with a CR before the LF); 0 if none."""
    m = _CONTINUED_LINE.match(s, i, end)
    return m.end() - i if m else 0


class Builder:
    __slots__ = ("offs", "quoted", "src", "start", "text", "vars")

    def __init__(self, src: Source, start: int) -> None:
        self.src = src
        self.start = start
        self.text: list[str] = []
        self.offs: list[int] = []
        self.vars: list[VarRef] = []
        self.quoted = False

    def add(self, ch: str, i: int) -> None:
        self.text.append(ch)
        self.offs.append(self.src.file_offset(i))

    def add_run(self, i: int, j: int) -> None:
        if j <= i:
            return
        self.text.append(self.src.text[i:j])
        if self.src.offmap is None:
            self.offs.extend(range(i, j))
        else:
            self.offs.extend(self.src.offmap[i:j])

    def add_var(self, var: VarRef, i: int) -> None:
        self.text.append(SENTINEL)
        self.offs.append(self.src.file_offset(i))
        self.vars.append(var)

    def empty(self) -> bool:
        return not self.text

    def joined(self) -> str:
        return "".join(self.text)

    def build(self, end: int) -> Word:
        src = self.src
        last = src.file_offset(max(end - 1, self.start))
        return Word(self.joined(), self.offs, self.vars, src.file_offset(self.start), last + 1,
                    self.quoted, src.text[self.start:end])



class WordReader:
    """Word-level reading over `src.text[i:end]`; `sub_tokenize` reads a nested command list."""

    def __init__(self, src: Source, start: int, end: int, dialect: str) -> None:
        self.src, self.s, self.i, self.end = src, src.text, start, end
        self.dialect = dialect
        self.plain = _PLAIN_IPYTHON if dialect == "ipython" else _PLAIN
        self.dq_plain = _DQ_PLAIN_IPYTHON if dialect == "ipython" else _DQ_PLAIN


    def read_word(self) -> Word:
        s, end = self.s, self.end
        b = Builder(self.src, self.i)
        while self.i < end:
            c = s[self.i]
            if c in " \t\r\n":
                break
            if c in "|&;()<>":
                if c == "<" and not s.startswith("<(", self.i):
                    m = DOC_PLACEHOLDER.match(s, self.i, end)
                    if m:
                        b.add_var(VarRef(m.group()[1:-1], "placeholder"), self.i)
                        self.i = m.end()
                        continue
                if c in "<>" and s.startswith("(", self.i + 1) and b.empty():
                    close = self.match_paren(self.i + 2)
                    self.sub_tokenize(self.i + 2, close)
                    b.add_var(VarRef(s[self.i + 2:close].strip()[:80], "subst"), self.i)
                    self.i = min(close + 1, end)
                    continue
                if c == "(" and not b.quoted and _ASSIGN_PREFIX.match(b.joined()):
                    close = self.match_paren(self.i + 1)
                    b.add_run(self.i, min(close + 1, end))
                    self.i = min(close + 1, end)
                    continue
                break
            if c == "'":
                b.quoted = True
                close = s.find("'", self.i + 1, end)
                close = end if close < 0 else close
                if self.dialect == "make":
                    self.make_single_quoted(b, self.i + 1, close)
                elif self.dialect == "docker":
                    self.joined_single_quoted(b, self.i + 1, close)
                else:
                    b.add_run(self.i + 1, close)
                self.i = close + 1
            elif c == '"':
                b.quoted = True
                self.i += 1
                self.double_quoted(b)
            elif c == "\\":
                if s.startswith("\n", self.i + 1):
                    self.i += 2
                elif s.startswith("\r\n", self.i + 1):
                    self.i += 3
                elif self.i + 1 < end:
                    b.quoted = True
                    b.add(s[self.i + 1], self.i + 1)
                    self.i += 2
                else:
                    self.i += 1
            elif c == "$":
                self.dollar(b, in_dq=False)
            elif c == "`":
                self.backtick(b)
            elif c == SENTINEL:
                b.add_var(self.src.var_at.get(self.i, VarRef("?")), self.i)
                self.i += 1
            elif c == "{" and self.dialect == "ipython":  # {expr} interpolation of `!` lines
                self.brace_placeholder(b)
            else:
                m = self.plain.match(s, self.i, end)
                stop = m.end() if m else self.i + 1
                b.add_run(self.i, stop)
                self.i = stop
        return b.build(self.i)

    def joined_single_quoted(self, b: Builder, start: int, close: int) -> None:
        """A Dockerfile joins continued lines before the shell sees them, quotes or not."""
        j = start
        while j < close:
            m = _CONTINUED_LINE.search(self.s, j, close)
            if m is None:
                b.add_run(j, close)
                return
            b.add_run(j, m.start())
            j = m.end()

    def make_single_quoted(self, b: Builder, start: int, close: int) -> None:
        """Single quotes stop the shell, not make: `$(VAR)` inside is still make's."""
        s = self.s
        j = start
        while j < close:
            dollar = s.find("$", j, close)
            if dollar < 0:
                b.add_run(j, close)
                return
            b.add_run(j, dollar)
            if s.startswith("$$", dollar):
                b.add("$", dollar)
                j = dollar + 2
                continue
            saved_i, saved_end = self.i, self.end
            self.i, self.end = dollar, close
            self.dollar(b, in_dq=True)
            j = self.i
            self.i, self.end = saved_i, saved_end

    def double_quoted(self, b: Builder) -> None:
        self.expand(b, '"', '$`"\\', self.dq_plain, braces=self.dialect == "ipython")

    def expand(self, b: Builder, closer: str | None, escapable: str, plain: re.Pattern[str],
               braces: bool = False) -> None:
        """Read text where `$`, backticks and backslash escapes work (inside double quotes, or
        an unquoted here-document body) up to `closer` (consumed) or the end."""
        s, end = self.s, self.end
        while self.i < end:
            c = s[self.i]
            if c == closer:
                self.i += 1
                return
            if c == "\\" and continuation(s, self.i, end):
                self.i += continuation(s, self.i, end)
            elif c == "\\" and self.i + 1 < end and s[self.i + 1] in escapable:
                b.add(s[self.i + 1], self.i + 1)
                self.i += 2
            elif c == "$":
                self.dollar(b, in_dq=True)
            elif c == "`":
                self.backtick(b)
            elif c == SENTINEL:
                b.add_var(self.src.var_at.get(self.i, VarRef("?")), self.i)
                self.i += 1
            elif c == "{" and braces:
                self.brace_placeholder(b)
            else:
                m = plain.match(s, self.i, end)
                stop = m.end() if m else self.i + 1
                b.add_run(self.i, stop)
                self.i = stop

    def brace_placeholder(self, b: Builder) -> None:
        close = self.s.find("}", self.i + 1, self.end)
        if close < 0:
            b.add("{", self.i)
            self.i += 1
            return
        b.add_var(VarRef(self.s[self.i + 1:close].strip(), "placeholder"), self.i)
        self.i = close + 1

    def dollar(self, b: Builder, in_dq: bool) -> None:
        s, i = self.s, self.i
        if self.dialect == "make":
            nxt = s[i + 1:i + 2]
            if nxt == "$":  # `$$` is the shell's `$`
                self.i += 1
                self.shell_dollar(b, in_dq, start=i)
            elif nxt in ("(", "{"):
                close = self.match_paren(i + 2, "(" if nxt == "(" else "{", ")" if nxt == "(" else "}")
                b.add_var(VarRef(s[i + 2:close].strip(), "make"), i)
                self.i = min(close + 1, self.end)
            elif nxt and (nxt.isalnum() or nxt in "@<^+*?%"):
                b.add_var(VarRef(nxt, "make"), i)
                self.i += 2
            else:
                b.add("$", i)
                self.i += 1
            return
        self.shell_dollar(b, in_dq, start=i)

    def shell_dollar(self, b: Builder, in_dq: bool, start: int) -> None:
        s, i, end = self.s, self.i, self.end
        nxt = s[i + 1:i + 2]
        if nxt == "'" and not in_dq:
            self.i = i + 2
            self.ansi_c(b)
        elif nxt == '"' and not in_dq:
            b.quoted = True
            self.i = i + 2
            self.double_quoted(b)
        elif nxt == "{":
            close = self.match_paren(i + 2, "{", "}")
            b.add_var(parse_parameter(s[i + 2:close]), start)
            self.i = min(close + 1, end)
        elif nxt == "(":
            if s.startswith("((", i + 1):
                close = s.find("))", i + 3, end)
                close = end if close < 0 else close
                b.add_var(VarRef(s[i + 3:close].strip(), "arith"), start)
                self.i = min(close + 2, end)
            else:
                close = self.match_paren(i + 2)
                self.sub_tokenize(i + 2, close)
                b.add_var(VarRef(" ".join(s[i + 2:close].split())[:80], "subst"), start)
                self.i = min(close + 1, end)
        elif name := _NAME.match(s, i + 1, end):  # ASCII names only, as the shell's
            b.add_var(VarRef(name.group()), start)
            self.i = name.end()
        elif nxt and nxt in "0123456789@*#?$!-":
            b.add_var(VarRef(nxt, "special"), start)
            self.i = i + 2
        else:
            b.add("$", i)
            self.i = i + 1

    def ansi_c(self, b: Builder) -> None:
        s, end = self.s, self.end
        b.quoted = True
        while self.i < end and s[self.i] != "'":
            c = s[self.i]
            if c == "\\" and self.i + 1 < end:
                e = s[self.i + 1]
                b.add(_ANSI_ESCAPES.get(e, e), self.i)
                self.i += 2
            else:
                b.add(c, self.i)
                self.i += 1
        self.i += 1

    def backtick(self, b: Builder) -> None:
        s, end = self.s, self.end
        j = self.i + 1
        while j < end and s[j] != "`":
            j += 2 if s[j] == "\\" else 1
        j = min(j, end)
        self.sub_tokenize(self.i + 1, j)
        b.add_var(VarRef(" ".join(s[self.i + 1:j].split())[:80], "subst"), self.i)
        self.i = min(j + 1, end)

    def sub_tokenize(self, start: int, end: int) -> None:
        """Read the commands inside `$(...)` or backticks. The word reader alone has no use
        for them; the Lexer, which is a WordReader, overrides this to find commands there."""

    def match_paren(self, j: int, open_ch: str = "(", close_ch: str = ")") -> int:
        """The index of the bracket closing one already open before j (end of text if none)."""
        s, end = self.s, self.end
        depth = 1
        while j < end:
            c = s[j]
            if c == "\\":
                j += 2
                continue
            if c == "'" and open_ch == "(":
                close = s.find("'", j + 1, end)
                if close < 0:
                    return end
                j = close + 1
                continue
            if c == '"':
                j = self.skip_double_quoted(j + 1)
                continue
            if c == open_ch:
                depth += 1
            elif c == close_ch:
                depth -= 1
                if depth == 0:
                    return j
            j += 1
        return end

    def skip_double_quoted(self, j: int) -> int:
        s, end = self.s, self.end
        while j < end:
            c = s[j]
            if c == "\\":
                j += 2
            elif c == '"':
                return j + 1
            elif c == "$" and s.startswith("(", j + 1):
                j = self.match_paren(j + 2) + 1
            else:
                j += 1
        return end
