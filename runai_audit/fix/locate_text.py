"""Find the exact text a token, metric or endpoint fix rewrites, starting where the finding is.

Every search starts at the reported column: names, keys and values on the reported line only
(the scanners report the key or the metric name itself), a path as the first API path after
it (the scanners report the start of the expression that holds the URL). A second use further
on is never touched by mistake: it has its own finding.
"""

from __future__ import annotations

import re

from runai_audit.fix.locate_cli import Span
from runai_audit.knowledge.catalog.model import BodyRewrite

NEAR = 240  # how far after the reported column a path may start
BODY_WINDOW = 600  # how far after the URL a request body may be written
_NAME_CHAR = r"A-Za-z0-9_"


def _whole_word(name: str, case_insensitive: bool) -> re.Pattern[str]:
    flags = re.IGNORECASE if case_insensitive else 0
    return re.compile(rf"(?<![{_NAME_CHAR}]){re.escape(name)}(?![{_NAME_CHAR}])", flags)


_KEY_END = r"""(?:\\?["'])?\]?\s*[:=](?!=)"""  # "key": / key= / ["key"] = (an escaped quote in a string)


def _key_after(text: str, end: int) -> bool:
    """True when the word ending at `end` is a key being written, not read or compared."""
    return re.match(_KEY_END, text[end : end + 8]) is not None


def _line_end(text: str, offset: int) -> int:
    """Names and keys are searched on the reported line only: a use further on has its own
    finding, and must never be edited in this one's name."""
    end = text.find("\n", offset)
    return len(text) if end < 0 else end


def metric_edit(text: str, offset: int, name: str, new: str) -> Span | str:
    found = _whole_word(name, False).search(text, offset, _line_end(text, offset))
    if not found:
        return f"the metric {name} was not found where the finding is"
    return Span(found.start(), found.end(), new)


def field_edit(text: str, offset: int, name: str, new: str) -> Span | str:
    """Rename a body key (any letter case of `name`) at or just after `offset`."""
    for found in _whole_word(name, True).finditer(text, offset, _line_end(text, offset)):
        if _key_after(text, found.end()):
            return Span(found.start(), found.end(), new)
    return f"the key {name} was not found where the finding is"


def value_edit(text: str, offset: int, field: str, value: str, new: str) -> Span | str:
    """Replace the value of `field` (a key at or after `offset`) when it is `value`."""
    for key in _whole_word(field, True).finditer(text, offset, _line_end(text, offset)):
        if not _key_after(text, key.end()):
            continue
        after = re.compile(_KEY_END + r"""\s*(?:\\?["'])?""").match(text, key.end())
        if after is None:
            continue
        written = _whole_word(value, True).match(text, after.end())
        if written:
            return Span(written.start(), written.end(), new)
    return f"the value {value} of {field} was not found where the finding is"


_API_PATH = re.compile(r"/api/v\d|/v1/k8s/")


def path_edit(text: str, offset: int, old: str, new: str) -> Span | str:
    """Swap the literal path text `old` for `new`: the first API path written at or after
    `offset` (a URL may continue on the next lines of a call) must be this one."""
    first = _API_PATH.search(text, offset, min(len(text), offset + NEAR + len(old)))
    if first is None or not text.startswith(old, first.start()):
        return f"the path {old} was not found as one literal where the finding is"
    return Span(first.start(), first.start() + len(old), new)


_SIMPLE_VALUE = r"""(?:\\?"[^"\\\n]*\\?"|'[^'\n]*'|[A-Za-z0-9_.$-]+)"""


def body_edits(text: str, start: int, rewrite: BodyRewrite) -> list[Span] | str:
    """Rewrite the JSON-like body written after `start` (the URL): rename keys, drop keys whose
    value is a plain literal, and add literal fields before the first key. The body must be
    within a short distance and must hold every renamed key, else nothing is done."""
    window_end = min(len(text), start + BODY_WINDOW)
    # The body of this request only: stop at a blank line or at the next request's path.
    stop = re.compile(r"\n[ \t\r]*\n|/api/v\d|/v1/k8s/").search(text, start, window_end)
    window_end = stop.start() if stop else window_end
    edits: list[Span] = []
    first_key: tuple[int, str] | None = None
    key_re = r"""(\\?["'])({name})\1\s*:"""
    for old, new in rewrite.rename.items():
        found = re.compile(key_re.format(name=re.escape(old))).search(text, start, window_end)
        if not found:
            return f"the body field {old} was not found next to the URL"
        edits.append(Span(found.start(2), found.end(2), new))
        if first_key is None or found.start() < first_key[0]:
            first_key = (found.start(), found.group(1))
    for old in rewrite.drop:
        pattern = re.compile(key_re.format(name=re.escape(old)) + r"\s*" + _SIMPLE_VALUE + r"\s*,\s*")
        found = pattern.search(text, start, window_end)
        if found:
            edits.append(Span(found.start(), found.end(), ""))
            if first_key is not None and found.start() < first_key[0]:
                first_key = (found.end(), first_key[1])
    if first_key is None:
        return "the request body was not found next to the URL"
    if rewrite.add:
        quote = first_key[1]
        added = "".join(f"{quote}{k}{quote}: {quote}{v}{quote}, " for k, v in rewrite.add.items())
        edits.append(Span(first_key[0], first_key[0], added))
    return edits
