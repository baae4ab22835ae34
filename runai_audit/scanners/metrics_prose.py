"""Where a file talks *about* metrics rather than querying them: comments and dashboard prose.

"the old runai_job_image metric is gone" in a comment, or in the markdown of a Grafana text
panel, names a metric without using it. The metrics scanner drops names found in:

- a `#` or `//` comment: from the marker (outside quotes, at the start of a word) to the end
  of the line. An apostrophe inside a word (`GPU's`) opens no quote.
- a Grafana text panel (a mapping whose `type` is `text`), and any `description` value, of a
  JSON or YAML file: the character spans of those nodes.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from runai_audit.scanners.manifest.docs import Doc, read_documents
from runai_audit.scanners.manifest.walk import WalkBudget
from runai_audit.scanners.manifest.yaml import YamlLimit, YNode

PROSE_PANEL_TYPES = frozenset({"text"})
PROSE_KEYS = frozenset({"description"})
_STRUCTURED = (".json", ".yaml", ".yml")
# A cheap test before parsing: a `type` of text, or a description key.
_MAY_HOLD_PROSE = re.compile(r"""["']?(?:type["']?\s*:\s*["']?text\b|description["']?\s*:)""")

Span = tuple[int, int]


def comment_start(line: str) -> int:
    """The index where a `#` or `//` comment begins in `line`, or len(line) when it has none."""
    quote = ""
    i = 0
    while i < len(line):
        char = line[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"`" or (char == "'" and not _inside_word(line, i)):
            quote = char
        elif (char == "#" or line.startswith("//", i)) and (i == 0 or line[i - 1] in " \t"):
            return i
        i += 1
    return len(line)


def _inside_word(line: str, i: int) -> bool:
    return 0 < i < len(line) - 1 and line[i - 1].isalnum() and line[i + 1].isalnum()


def prose_spans(text: str, path: str) -> list[Span]:
    """Character spans of text panels and descriptions in a JSON or YAML file ([] otherwise),
    sorted and merged."""
    if not path.lower().endswith(_STRUCTURED) or not _MAY_HOLD_PROSE.search(text):
        return []
    is_json = path.lower().endswith(".json")
    docs, _ = read_documents(text, is_json=is_json)
    spans: list[Span] = []
    for doc in docs:
        try:
            spans.extend(_doc_spans(doc))
        except YamlLimit:
            continue  # reported by the manifest scanner, which reads the same file
    merged: list[Span] = []  # sorted and disjoint, for `inside`
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def inside(spans: list[Span], offset: int) -> bool:
    """Whether `offset` lies in one of the sorted, disjoint `spans`."""
    at = bisect_right(spans, (offset, 1 << 62)) - 1
    return at >= 0 and spans[at][0] <= offset < spans[at][1]


def _doc_spans(doc: Doc) -> list[Span]:
    spans: list[Span] = []
    budget = WalkBudget()
    work: list[tuple[YNode, bool]] = [(doc.root, False)]
    while work:
        node, via_alias = work.pop()
        via_alias = budget.visit(node, via_alias)
        if node.kind == "map":
            if (node.scalar("type") or "").lower() in PROSE_PANEL_TYPES:
                spans.append(_span(doc, node))
                continue
            for key, value in node.pairs():
                if key.kind == "scalar" and key.value in PROSE_KEYS:
                    spans.append(_span(doc, value))
                else:
                    work.append((value, via_alias))
        elif node.kind == "seq":
            work.extend((child, via_alias) for child in node.children)
    return spans


def _span(doc: Doc, node: YNode) -> Span:
    return doc.source_index(node.start_index), doc.source_index(node.end_index)
