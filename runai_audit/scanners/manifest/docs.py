"""Read a YAML or JSON text into positioned documents, tolerating templates and bad parts.

This is the one reader behind the manifest, CI and migration code: it masks Helm / Jinja tags
when asked, cuts the stream into documents so a broken document costs only itself, and turns
every failure into a (line, reason) problem. Nothing here knows about Kubernetes.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from runai_audit.scanners.manifest.branches import (
    branch_readings,
    inline_branch_lines,
    overlaps,
    repeats_a_key,
)
from runai_audit.scanners.manifest.templates import Masked, TemplateError, has_template, mask_templates
from runai_audit.scanners.manifest.yaml import (
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

    def source_index(self, index: int) -> int:
        """The offset in `source` of an offset in the chunk (masking may have blanked lines)."""
        offset = self.chunk.start_index + index
        return self.masked.source_index(offset) if self.masked is not None else offset

    def original(self, node: YNode) -> str:
        """The node's own source text, from the unmasked original."""
        return self.source[self.source_index(node.start_index) : self.source_index(node.end_index)]

    def chunk_source(self) -> str:
        """The whole document's source text, from the unmasked original."""
        return self.source[self.source_index(0) : self.source_index(len(self.chunk.text))]

    def node_text(self, node: YNode) -> str:
        """A node as standalone YAML: its source from the start of its line, the lead blanked."""
        start = self.source_index(node.start_index)
        line_start = self.source.rfind("\n", 0, start) + 1
        lead = " " * (start - line_start)
        end = self.source_index(node.end_index) if node.end_index > node.start_index else len(self.source)
        return lead + self.source[start:end]


def _json_ready(text: str) -> str:
    # Valid JSON can hold a raw tab only between tokens, where YAML refuses it; a space keeps
    # every column where it was.
    return text.replace("\t", " ")


def read_documents(text: str, *, is_json: bool = False, templates: str = "auto") -> tuple[list[Doc], list[DocProblem]]:
    """Documents and problems. `templates`: "auto" masks when tags are present, or "never"/"always"."""
    if len(text) > MAX_TEXT_CHARS:
        return [], [DocProblem(0, f"file is larger than {MAX_TEXT_CHARS} characters; not parsed")]
    if is_json or not (templates == "always" or (templates == "auto" and has_template(text))):
        docs, problems, _ = _read(_json_ready(text) if is_json else text, text, None, is_json)
        return docs, problems
    try:
        masked = mask_templates(text)
        readings = branch_readings(text)  # what each reading hides; [] without if/else blocks
    except TemplateError as exc:
        return [], [DocProblem(exc.line, f"template could not be read: {exc.reason}")]
    docs, problems, unsure = _read(masked.text, text, masked, False)
    unsure.update(inline_branch_lines(text) if readings else ())
    if readings and unsure:
        # Where the branches of an if/else clash when both are kept (a key set in each, YAML
        # that parses one branch at a time), read each branch as its own document instead.
        docs = [doc for doc in docs if not overlaps(_lines(doc.chunk), unsure)]
        problems = [problem for problem in problems if not overlaps((problem.line, problem.line + 1), unsure)]
        seen: set[tuple[int, str]] = set()  # chunks that several readings share are read once
        for hidden in readings:
            reading = mask_templates(text, hidden)
            more_docs, more_problems, _ = _read(reading.text, text, reading, False, wanted=unsure, seen=seen)
            docs.extend(more_docs)
            problems.extend(more_problems)
        docs.sort(key=lambda doc: doc.chunk.first_line)
        problems = sorted(dict.fromkeys(problems), key=lambda problem: problem.line)
    return docs, problems


def _lines(chunk: Chunk) -> tuple[int, int]:
    return chunk.first_line, chunk.first_line + chunk.text.count("\n") + 1


def _read(
    work: str,
    source: str,
    masked: Masked | None,
    is_json: bool,
    *,
    wanted: set[int] | None = None,
    seen: set[tuple[int, str]] | None = None,
) -> tuple[list[Doc], list[DocProblem], set[int]]:
    """Docs and problems of one reading, and the lines of its documents that branch readings
    may read better (they failed to parse or set a key twice). `wanted` keeps only the
    documents over those lines; `seen` skips documents already read."""
    docs: list[Doc] = []
    problems: list[DocProblem] = []
    unsure: set[int] = set()
    for chunk in [Chunk(0, work, 0)] if is_json else split_documents(work):
        lines = _lines(chunk)
        if wanted is not None and not overlaps(lines, wanted):
            continue
        if seen is not None:
            if (chunk.first_line, chunk.text) in seen:
                continue
            seen.add((chunk.first_line, chunk.text))
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
            unsure.update(range(*lines))
            continue
        if root is not None:
            docs.append(Doc(root, chunk, source, masked))
            if masked is not None and repeats_a_key(root):
                unsure.update(range(*lines))
    return docs, problems, unsure


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
