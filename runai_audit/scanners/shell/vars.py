"""Variables a script assigns, and the positional parameters of a function call.

An assignment's value is spliced into URLs and bodies read later in the file. Variables inside it
are expanded when the assignment is read (`EP="$RUNAI_URL/v1/k8s/users"` takes RUNAI_URL's value
if it is known by then); the ones still unknown stay unresolved parts of the value, so a URL built
from them reads with wildcards and keeps their names for the Run:ai hint. A call's arguments
replace `$1`..`$9`, `$@` and `$*` in the function body it runs.
"""

from __future__ import annotations

import re

from runai_audit.scanners.shell.words import VarRef, Word, slice_word, substitute

# `A="$A$A"` doubles a value at each line; past this size it is kept as written, unexpanded.
_MAX_VALUE = 4096


class Variables:
    def __init__(self, known: dict[str, Word] | None = None) -> None:
        self.values: dict[str, Word] = dict(known or {})

    def assign(self, word: Word) -> None:
        """Record `NAME=value` (`NAME+=value` makes NAME unknown)."""
        name = word.text.split("=", 1)[0]
        if name.endswith("+"):
            self.values.pop(name[:-1], None)
            return
        value = slice_word(word, len(name) + 1)
        expanded = substitute(value, self.lookup)
        self.values[name] = expanded if len(expanded.text) <= _MAX_VALUE else value

    def lookup(self, var: VarRef) -> Word | None:
        """The value of a plain `$NAME` / `${NAME}` / `$(NAME)` assigned earlier; the parts of it
        that were unknown at the assignment stay unresolved."""
        if var.kind not in ("var", "make") or var.op:
            return None
        return self.values.get(var.name)

    def resolve_args(self, words: list[Word]) -> list[Word]:
        """Words with known values spliced in; an unquoted `$OPTS` splits on blanks as the shell does."""
        out: list[Word] = []
        for word in words:
            if word.is_single_var and not word.quoted:
                value = self.lookup(word.vars[0])
                if value is not None and re.search(r"\s", value.text):
                    out.extend(slice_word(value, m.start(), m.end()) for m in re.finditer(r"\S+", value.text))
                    continue
            out.append(substitute(word, self.lookup))
        return out


def positionals(words: list[Word], args: list[Word]) -> list[Word]:
    """A function body's words with the call's arguments in `$1`..`$9`, `$@`, `$*`, `${@:N}`."""
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
