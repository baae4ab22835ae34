"""Read a YAML or JSON text into positioned documents, tolerating templates and bad parts.

This is the one reader behind the manifest, CI and migration code: it masks Helm / Jinja tags
when asked, cuts the stream into documents so a broken document costs only itself, and turns
every failure into a (line, reason) problem. Nothing here knows about Kubernetes.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from runai_audit.scanners.manifest_templates import Masked, TemplateError, has_template, mask_templates
from runai_audit.scanners.manifest_yaml import (
    Chunk,
    YamlLimit,
    YNode,
    describe,
    parse_chunk,
    problem_line,
    split_documents,
)

MAX_TEXT_CHARS = 20_000_000


@dataclass(frozen=True)
class DocProblem:
    line: int  # 0-based line in the text
    reason: str


@dataclass(frozen=True)
class Doc:
    root: YNode
    chunk: Chunk
    source: str  # the original text (unmasked), for slicing values and raw documents
    masked: Masked | None = None

    def line(self, node: YNode) -> int:
        """0-based line of a node in the whole text."""
        return self.chunk.first_line + node.line

    def templated(self, node: YNode) -> bool:
        if self.masked is None:
            return False
        first = self.chunk.first_line
        return self.masked.touches(first + node.line, node.column, first + node.end_line, node.end_column)

    def original(self, node: YNode) -> str:
        """The node's own source text, from the unmasked original."""
        base = self.chunk.start_index
        return self.source[base + node.start_index : base + node.end_index]

    def node_text(self, node: YNode) -> str:
        """A node as standalone YAML: its source from the start of its line, the lead blanked."""
        base = self.chunk.start_index
        start = base + node.start_index
        line_start = self.source.rfind("\n", 0, start) + 1
        lead = " " * (start - line_start)
        end = base + node.end_index if node.end_index > node.start_index else len(self.source)
        return lead + self.source[start:end]


def _json_ready(text: str) -> str:
    # Valid JSON can hold a raw tab only between tokens, where YAML refuses it; a space keeps
    # every column where it was.
    return text.replace("\t", " ")


def read_documents(text: str, *, is_json: bool = False, templates: str = "auto") -> tuple[list[Doc], list[DocProblem]]:
    """Documents and problems. `templates`: "auto" masks when tags are present, or "never"/"always"."""
    if len(text) > MAX_TEXT_CHARS:
        return [], [DocProblem(0, f"file is larger than {MAX_TEXT_CHARS} characters; not parsed")]
    masked: Masked | None = None
    work = _json_ready(text) if is_json else text
    if not is_json and (templates == "always" or (templates == "auto" and has_template(text))):
        try:
            masked = mask_templates(text)
        except TemplateError as exc:
            return [], [DocProblem(exc.line, f"template could not be read: {exc.reason}")]
        work = masked.text
    docs: list[Doc] = []
    problems: list[DocProblem] = []
    chunks = [Chunk(0, work, 0)] if is_json else split_documents(work)
    for chunk in chunks:
        try:
            root = _parse(chunk.text, is_json)
        except YamlLimit as exc:
            problems.append(DocProblem(chunk.first_line + exc.line, exc.reason))
            continue
        except yaml.YAMLError as exc:
            what = "template is still not valid YAML after masking its tags" if masked else "not valid YAML"
            if is_json:
                what = "not valid JSON"
            problems.append(DocProblem(chunk.first_line + problem_line(exc), f"{what}: {describe(exc)}"))
            continue
        if root is not None:
            docs.append(Doc(root, chunk, text, masked))
    return docs, problems


def _parse(text: str, is_json: bool) -> YNode | None:
    try:
        return parse_chunk(text)
    except yaml.YAMLError:
        if not is_json:
            raise
        # libyaml rejects escaped surrogate pairs ("\ud83d\ude00") that JSON allows; the pure
        # Python parser reads them.
        return parse_chunk(text, loader=yaml.SafeLoader)


def embedded_offsets(doc: Doc, scalar: YNode) -> tuple[int, int]:
    """(line offset, column offset) that place line 1 of a scalar's value where it sits.

    A literal block (`|`) starts on the line after its indicator, indented by the block's
    indentation; any other scalar starts where the node starts (exact for its first line).
    """
    if scalar.style in ("|", ">"):
        first = doc.line(scalar) + 1
        lines = doc.source.splitlines()
        for number in range(first, min(len(lines), doc.line(scalar) + 1 + scalar.value.count("\n") + 2)):
            stripped = lines[number].lstrip(" ")
            if stripped:
                return number, len(lines[number]) - len(stripped)
        return first, 0
    quote = 1 if scalar.style in ("'", '"') else 0
    return doc.line(scalar), scalar.column + quote
