"""The branches of template if/else blocks, so each can be read as the document it renders.

Masking keeps both branches of an `if`, which YAML mostly tolerates, but when both branches
set the same key (`apiVersion: run.ai/v2alpha1` in one, `apiVersion: batch/v1` in the other)
the last one wins and the first is lost. Such a document (or one that parses only a branch at
a time) is read once per branch instead: reading `i` keeps branch `i` of every block (the last
branch where a block has fewer) and hides the others. Hiding is by character range, so it works for blocks written over whole
lines and for inline ones (`apiVersion: {{ if $l }}run.ai/v2alpha1{{ else }}batch/v1{{ end }}`).

Helm (`if`/`range`/`with` ... `else` ... `end`) and Jinja (`if`/`for` ... `elif`/`else` ...
`endif`/`endfor`) blocks are understood. Anything unbalanced gives no readings: the caller
then reads the template once, as before.
"""

from __future__ import annotations

import re

from runai_audit.scanners.manifest.templates import tag_spans
from runai_audit.scanners.manifest.yaml import YNode

MAX_READINGS = 16  # an else-if chain longer than this is read up to its 16th branch

_HELM_WORD = re.compile(r"\{\{-?\s*([a-z]+)\b")
_JINJA_WORD = re.compile(r"\{%[-+]?\s*([a-z]+)\b")
_HELM_OPENERS = frozenset({"if", "range", "with", "define", "block"})
_JINJA_OPENERS = frozenset({"if", "for", "macro", "block", "call", "filter", "with", "autoescape", "trans", "raw"})

Range = tuple[int, int]


def _role(tag: str) -> str:
    """"open", "else", "end" or "" (a tag that does not shape a block)."""
    helm = _HELM_WORD.match(tag)
    if helm:
        word = helm.group(1)
        if word in _HELM_OPENERS:
            return "open"
        return {"else": "else", "end": "end"}.get(word, "")
    jinja = _JINJA_WORD.match(tag)
    if not jinja:
        return ""
    word = jinja.group(1)
    if word in _JINJA_OPENERS or (word == "set" and "=" not in tag):  # `{% set x %}...{% endset %}`
        return "open"
    if word in ("else", "elif"):
        return "else"
    return "end" if word.startswith("end") else ""


def branch_blocks(text: str) -> list[list[Range]]:
    """The branches (character ranges between the block's tags) of every block with an else.

    Raises TemplateError for an unclosed tag; an unbalanced block structure gives [].
    """
    blocks: list[list[Range]] = []
    open_blocks: list[list[Range]] = []  # the tag spans of each block still open
    for start, end in tag_spans(text):
        role = _role(text[start:end])
        if role == "open":
            open_blocks.append([(start, end)])
        elif role in ("else", "end"):
            if not open_blocks:
                return []
            open_blocks[-1].append((start, end))
            if role == "end":
                tags = open_blocks.pop()
                if len(tags) > 2:
                    blocks.append([(tags[i][1], tags[i + 1][0]) for i in range(len(tags) - 1)])
    return blocks if not open_blocks else []


def branch_readings(text: str) -> list[list[Range]]:
    """For each reading, the character ranges to hide; [] when no block has an else."""
    blocks = branch_blocks(text)
    count = min(MAX_READINGS, max((len(b) for b in blocks), default=0))
    readings: list[list[Range]] = []
    for reading in range(count):
        hidden: list[Range] = []
        for branches in blocks:
            keep = min(reading, len(branches) - 1)
            hidden.extend(r for i, r in enumerate(branches) if i != keep)
        readings.append(hidden)
    return readings


def inline_branch_lines(text: str) -> set[int]:
    """Lines holding a branch written inside one line
    (`apiVersion: {{ if $l }}run.ai/v2alpha1{{ else }}batch/v1{{ end }}`): kept together,
    such branches run into one value."""
    lines: set[int] = set()
    for branches in branch_blocks(text):
        for start, end in branches:
            if "\n" not in text[start:end] and text[start:end].strip():
                lines.add(text.count("\n", 0, start))
    return lines


def repeats_a_key(root: YNode) -> bool:
    """Whether any mapping below `root` sets the same key twice (merge keys aside)."""
    seen: set[int] = set()  # aliases share nodes: each is looked at once
    work = [root]
    while work:
        node = work.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.kind == "map":
            keys = [k.value for k, _ in node.pairs() if k.kind == "scalar" and k.value != "<<"]
            if len(keys) != len(set(keys)):
                return True
        work.extend(node.children)
    return False


def overlaps(lines: Range, marked: set[int]) -> bool:
    """Whether the line range [start, end) holds any of the `marked` lines."""
    return any(line in marked for line in range(*lines))
