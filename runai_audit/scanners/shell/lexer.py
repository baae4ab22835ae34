"""The command-level half of the shell tokenizer: separators, groups, functions, here-documents.

It turns script text into a flat list of simple commands, plus markers for the few structures the
scanner cares about: function definitions and the `{ }` / `( )` groups that hold their bodies.
`case` patterns and `for` headers are not commands and are dropped. Commands inside `$(...)` and
backticks come out before the command that holds them. Here-document bodies are attached to their
command as data; whether a body is a script is for the reader of the command to decide.

Nothing is executed and nothing is expanded: this is a reader, not an interpreter.
"""

from __future__ import annotations

import re

from runai_audit.scanners.shell.wordread import DOC_PLACEHOLDER, Builder, WordReader
from runai_audit.scanners.shell.words import SENTINEL, Command, Heredoc, Item, Marker, Source, Word

_HEREDOC_PLAIN = re.compile(r"[^\\$`\x00]+")

# Words that open or continue a compound command; the command proper starts after them.
PREFIX_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "time", "fi", "done", "esac"})
_MAX_DEPTH = 24


class Lexer(WordReader):
    def __init__(self, src: Source, start: int, end: int, dialect: str, out: list[Item], depth: int) -> None:
        super().__init__(src, start, end, dialect)
        self.out, self.depth = out, depth
        self.words: list[Word] = []
        self.heredocs: list[Heredoc] = []
        self.pending: list[tuple[str, bool, bool, list[Heredoc]]] = []
        self.piped = False
        self.skip = False  # inside a for/select header: words are dropped up to the separator
        self.parens = 0
        self.case: list[str] = []  # per open `case`: "header" | "pattern" | "body"

    # ------------------------------------------------------------------ command assembly
    def finish(self, piped_next: bool = False) -> None:
        words = self.words
        if words and words[0].raw == "function" and len(words) == 2:
            self.out.append(Marker("func", words[1].text))
        elif words:
            self.out.append(Command(words, self.heredocs, self.piped))
        self.heredocs = []  # pending here-documents still hold the list they belong to
        self.words = []
        self.skip = False
        self.piped = piped_next

    def take_word(self, word: Word) -> None:
        at_start = not self.words
        bare = None if word.quoted or word.vars else word.text
        state = self.case[-1] if self.case else ""
        if state == "header":
            if bare == "in":
                self.case[-1] = "pattern"
            return
        if state == "pattern" and at_start:
            if bare == "esac":
                self.case.pop()
            return  # pattern words up to `)` are not a command
        if self.skip:
            return
        if at_start and bare is not None:
            if bare == "esac" and self.case:
                self.case.pop()
                return
            if bare in ("{", "}"):
                self.finish()
                self.out.append(Marker("open" if bare == "{" else "close", bare))
                return
            if bare in PREFIX_KEYWORDS:
                return
            if bare in ("for", "select"):
                self.skip = True
                return
            if bare == "case":
                self.case.append("header")
                return
        if bare == "{" and len(self.words) == 2 and self.words[0].raw == "function":
            name = self.words[1].text
            self.words = []
            self.out.append(Marker("func", name))
            self.out.append(Marker("open", "{"))
            return
        self.words.append(word)

    # ------------------------------------------------------------------ main loop
    def run(self) -> None:
        s, end = self.s, self.end
        while self.i < end:
            c = s[self.i]
            if c in " \t\r":
                self.i += 1
            elif c == "\\" and s.startswith("\n", self.i + 1):
                self.i += 2
            elif c == "\\" and s.startswith("\r\n", self.i + 1):
                self.i += 3
            elif c == "\n":
                self.i += 1
                if self.case and self.case[-1] == "pattern":
                    self.words = []
                else:
                    self.finish()
                self.read_heredocs()
            elif c == "#":
                nl = s.find("\n", self.i, end)
                self.i = end if nl < 0 else nl
            elif c in ";&|()<>" and not (c == "<" and DOC_PLACEHOLDER.match(s, self.i, end)):
                self.operator(c)
            else:
                start = self.i
                word = self.read_word()
                if self.i < end and s[self.i] in "<>" and word.raw.isdigit() and self.i > start:
                    continue  # a file descriptor number: `2>&1`
                self.take_word(word)
        self.finish()

    def operator(self, c: str) -> None:
        s, i = self.s, self.i
        two = s[i:i + 2]
        if c == ";":
            if two == ";;" or two == ";&":
                self.i += 3 if s.startswith(";;&", i) else 2
                self.finish()
                if self.case:
                    self.case[-1] = "pattern"
            else:
                self.i += 1
                self.finish()
        elif c == "&":
            if two == "&&":
                self.i += 2
                self.finish()
            elif two == "&>":
                self.i += 3 if s.startswith("&>>", i) else 2
                self.redirect_target()
            else:
                self.i += 1
                self.finish()
        elif c == "|":
            if two == "||":
                self.i += 2
                self.finish()
            else:
                self.i += 2 if two == "|&" else 1
                if self.case and self.case[-1] == "pattern":
                    return
                self.finish(piped_next=True)
        elif c == "(":
            self.open_paren()
        elif c == ")":
            self.i += 1
            if self.case and self.case[-1] == "pattern" and self.parens == 0:
                self.words = []
                self.case[-1] = "body"
                return
            self.finish()
            if self.parens > 0:
                self.parens -= 1
                self.out.append(Marker("close", ")"))
        else:
            self.redirect(c)

    def open_paren(self) -> None:
        s, i = self.s, self.i
        words = self.words
        j = i + 1
        while j < self.end and s[j] in " \t":
            j += 1
        if s.startswith(")", j) and (len(words) == 1 or (len(words) == 2 and words[0].raw == "function")):
            name = words[-1].text
            self.words = []
            self.out.append(Marker("func", name))
            self.i = j + 1
            return
        if s.startswith("((", i) and not words:
            close = s.find("))", i + 2, self.end)
            self.i = self.end if close < 0 else close + 2
            return
        if self.case and self.case[-1] == "pattern":
            self.i += 1
            return
        self.finish()
        self.i += 1
        self.parens += 1
        self.out.append(Marker("open", "("))

    def redirect(self, c: str) -> None:
        s, i = self.s, self.i
        if s.startswith("(", i + 1):  # process substitution <(...) >(...): a word
            self.take_word(self.read_word())
            return
        if c == "<":
            if s.startswith("<<<", i):
                self.i += 3
                self.herestring()
                return
            if s.startswith("<<", i):
                strip = s.startswith("<<-", i)
                self.i += 3 if strip else 2
                self.heredoc_operator(strip)
                return
            self.i += 2 if s[i + 1:i + 2] in ("&", ">") else 1
        else:
            self.i += 2 if s[i + 1:i + 2] in (">", "&", "|") else 1
        self.redirect_target()

    def skip_blanks(self) -> None:
        s = self.s
        while self.i < self.end and s[self.i] in " \t":
            self.i += 1

    def redirect_target(self) -> None:
        self.skip_blanks()
        if self.i < self.end and self.s[self.i] not in "\n;&|()<>":
            self.read_word()

    def herestring(self) -> None:
        self.skip_blanks()
        if self.i < self.end and self.s[self.i] not in "\n;&|()<>":
            start = self.i
            word = self.read_word()
            self.heredocs.append(Heredoc(word, self.src, start, self.i))

    def heredoc_operator(self, strip: bool) -> None:
        self.skip_blanks()
        if self.i >= self.end or self.s[self.i] in "\n;&|()<>":
            return
        word = self.read_word()
        delim = word.text.replace(SENTINEL, "$")
        self.pending.append((delim, strip, word.quoted, self.heredocs))

    def read_heredocs(self) -> None:
        s, end = self.s, self.end
        for delim, strip, quoted, target in self.pending:
            start = self.i
            body_end = end
            while self.i < end:
                nl = s.find("\n", self.i, end)
                line_end = end if nl < 0 else nl
                line = s[self.i:line_end].rstrip("\r")
                if (line.lstrip("\t") if strip else line) == delim:
                    body_end = self.i
                    self.i = line_end + 1 if nl >= 0 else end
                    break
                self.i = line_end + 1 if nl >= 0 else end
            target.append(Heredoc(self.heredoc_body(start, body_end, quoted), self.src, start, body_end))
        self.pending = []

    def heredoc_body(self, start: int, end: int, quoted: bool) -> Word:
        b = Builder(self.src, start)
        if quoted:
            b.add_run(start, end)
            return b.build(end)
        saved_i, saved_end = self.i, self.end
        self.i, self.end = start, end
        self.expand(b, None, "$`\\", _HEREDOC_PLAIN)
        word = b.build(end)
        self.i, self.end = saved_i, saved_end
        return word

    # ------------------------------------------------------------------ words

    def sub_tokenize(self, start: int, end: int) -> None:
        if self.depth < _MAX_DEPTH and end > start:
            Lexer(self.src, start, end, self.dialect, self.out, self.depth + 1).run()


def tokenize(source: Source | str, dialect: str = "sh", start: int = 0, end: int | None = None) -> list[Item]:
    """Commands and markers of a script, in order. dialect: "sh", "make" (recipe lines: `$(X)` is
    a make variable, `$$` the shell's `$`) or "ipython" (`!` lines: `{expr}` is interpolated)."""
    if isinstance(source, str):
        source = Source(source.replace(SENTINEL, " "))
    out: list[Item] = []
    stop = len(source.text) if end is None else end
    Lexer(source, start, stop, dialect, out, 0).run()
    return out


def tokenize_word(word: Word, dialect: str = "sh") -> list[Item]:
    """Read a word's value as a script: `bash -c '...'`, `ssh host '...'`, an alias value."""
    return tokenize(Source.of_word(word), dialect)
