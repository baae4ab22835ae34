"""Find the command words of a `runai` line in its source text, and the edits that make it CLI v2.

The scanner reports where the command is written (the binary, or the `[` of a Python argv
list); from there the words are read again, with the CLI matcher's own rules for which words
are command words (`positional_words`). Two ways of writing a line are told apart:

- text: words separated by blanks (shell, Markdown, Dockerfile, Makefile, CI steps, a Python
  command string): `runai submit-dist pytorch x` -> `runai training pytorch submit x`;
- list: one quoted string per word (a Python argv list): `"submit-dist", "pytorch"` ->
  `"training", "pytorch", "submit"`, written with the list's own quotes and separators.

Anything unexpected (the words are not the row's, an option sits between command words) gives
a reason instead of edits: the line is then left for a person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from runai_audit.judge.matchers.cli_command import VALUE_OPTIONS, binary_name

# A word: anything but blanks, quotes, list punctuation and shell control characters.
_WORD = re.compile(r"""[^\s"'`,\[\];|&<>\\]+""")
_STRING_PREFIXES = frozenset({"f", "r", "b", "u", "rb", "br", "fr", "rf"})
_QUOTES = "\"'"
_TEXT_STOPS = frozenset(";|&`")
_LOOKAHEAD_WORDS = 4  # the binary is among the first words after the reported column


@dataclass(frozen=True)
class Span:
    """Replace text[start:end] (character offsets) with `text`."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    text: str


def _text_region_end(text: str, start: int) -> int:
    """End of a command written as text: the line's end (backslash continuations joined), or a
    shell control character, or the closing backtick of inline code."""
    index = start
    while index < len(text):
        char = text[index]
        if char == "\n":
            before = text[:index].rstrip("\r")
            if not before.endswith("\\"):
                return index
        elif char in _TEXT_STOPS:
            return index
        index += 1
    return index


def _line_end(text: str, offset: int) -> int:
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def _words(text: str, start: int, end: int) -> list[_Word]:
    return [_Word(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, start, end)]


def _is_list_item(text: str, word: _Word) -> bool:
    """`"submit"` written as one element of a list: quoted alone, a comma or ] after it."""
    if word.start == 0 or word.end >= len(text):
        return False
    quote = text[word.start - 1]
    close = _closing(text, word.end, quote)
    if quote not in _QUOTES or close == word.end:
        return False
    rest = text[close:].lstrip()
    return rest[:1] in (",", "]", ")")


def _closing(text: str, end: int, quote: str) -> int:
    """The offset after the quote that closes a list item ending at `end` (a quote escaped
    inside a JSON string, as in a notebook cell, counts), or `end` when there is none."""
    if text[end : end + 1] == quote:
        return end + 1
    if text[end : end + 2] == "\\" + quote:
        return end + 2
    return end


def _binary(words: list[_Word], text: str, binary: str) -> int | None:
    """Index of the word that is the CLI binary, among the first few."""
    candidates = [
        i for i, w in enumerate(words[:_LOOKAHEAD_WORDS])
        if not (w.text.lower() in _STRING_PREFIXES and w.end < len(text) and text[w.end] in _QUOTES)
    ]
    for index in candidates:
        if binary_name(words[index].text) == binary:
            return index
    if candidates and words[candidates[0]].text.startswith("$"):  # $RUNAI, $(RUNAI), ${RUNAI_BIN}
        return candidates[0]
    return None


def _command_indices(words: list[_Word], first: int, count: int) -> list[int] | None:
    """Indices of the first `count` positional words after the binary (global options and
    their values skipped), or None when there are fewer."""
    found: list[int] = []
    index = first + 1
    while index < len(words) and len(found) < count:
        word = words[index].text
        if word == "--":
            return None
        if word.startswith("-") and len(word) > 1:
            if "=" not in word and word in VALUE_OPTIONS:
                index += 1
        else:
            found.append(index)
        index += 1
    return found if len(found) == count else None


def _removal(text: str, word: _Word, listed: bool) -> Span:
    """The span that removes one word and the separator before it."""
    if listed:
        start = word.start - 1  # the opening quote, maybe escaped
        quote = text[start]
        if start > 0 and text[start - 1] == "\\":
            start -= 1
        while start > 0 and text[start - 1] in " \t\r\n":
            start -= 1
        if start > 0 and text[start - 1] == ",":
            start -= 1
        return Span(start, _closing(text, word.end, quote), "")
    start = word.start
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    rest = text[word.end : _line_end(text, word.end)].strip()
    if (start == 0 or text[start - 1] == "\n") and not rest:
        # Alone on a continuation line: drop the line and the backslash that led to it.
        lead = text[: max(start - 1, 0)].rstrip("\r")
        if lead.endswith("\\"):
            return Span(len(lead[:-1].rstrip(" \t")), word.end, "")
    return Span(start, word.end, "")


def cli_edits(text: str, offset: int, match: Mapping[str, Any]) -> list[Span] | str:
    """The edits that rewrite the command line written at `offset` as the row's CLI v2 form,
    or the reason none can be made."""
    rewrite = match.get("rewrite")
    if not isinstance(rewrite, Mapping):
        return "the rule gives no CLI v2 form"
    command = [str(w) for w in match.get("command") or ()]
    if not command:
        return "the rule names no command words to rewrite"
    opens_list = text[offset:].lstrip()[:1] in ("[", "(")  # an argv list, maybe over several lines
    head = _words(text, offset, min(len(text), _text_region_end(text, offset) + 1))
    if not head and not opens_list:
        return "no command found where the finding is"
    listed = opens_list or _is_list_item(text, head[0]) or (len(head) > 1 and _is_list_item(text, head[1]))
    if listed:
        close = min((i for i in (text.find("]", offset), text.find(")", offset)) if i >= 0), default=len(text))
        words = _words(text, offset, close)
    else:
        words = _words(text, offset, _text_region_end(text, offset))
    at = _binary(words, text, str(match["binary"]))
    if at is None:
        return "the command's binary was not found where the finding is"
    indices = _command_indices(words, at, len(command))
    if indices is None or [words[i].text for i in indices] != command:
        return "the command words were not found as written"
    if indices != list(range(indices[0], indices[0] + len(indices))):
        return "an option sits between the command words"
    first, last = words[indices[0]], words[indices[-1]]
    if listed:
        quote = text[first.start - 1]
        separator = text[words[at].end : words[at + 1].start] if at + 1 < len(words) else f"{quote}, {quote}"
        joiner = separator if "," in separator and separator.endswith(quote) else f"{quote}, {quote}"
    else:
        joiner = " "
    edits = [Span(first.start, last.end, joiner.join(str(w) for w in rewrite["to"]))]
    new_binary = rewrite.get("binary")
    if new_binary and binary_name(words[at].text) != new_binary:
        old = words[at]
        name = binary_name(old.text)
        cut = old.text.rfind(name)
        if cut < 0:
            return "the binary to rename was not found as written"
        edits.insert(0, Span(old.start + cut, old.start + cut + len(name), str(new_binary)))
    drop = {str(f) for f in rewrite.get("drop_flags") or ()}
    for word in words[indices[-1] + 1 :]:
        if word.text == "--":
            break
        if word.text in drop or word.text.split("=", 1)[0] in drop:
            edits.append(_removal(text, word, listed))
    return edits
