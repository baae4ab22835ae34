"""The Markdown (and reStructuredText) scanner: code blocks, read by the scanner of their language.

Fenced blocks (``` and ~~~, also inside block quotes and list items) whose info string is a
shell (sh, bash, shell, console, zsh, or none) go through the shell scanner, here-documents that
hold manifests included; python blocks through the Python scanner; JavaScript/TypeScript/Go/Java
blocks through the string-literal scanner; `http` blocks are read as raw requests; yaml, yml and
json blocks (and unlabelled ones that open with `apiVersion:` or `kind:`) that hold a Kubernetes
object through the manifest scanner (`markdown.manifest`). In console-style blocks the `$ ` prompts are blanked and
output lines dropped, so positions stay exact. Indented code is read as shell only when it holds
a runai or curl command line (`markdown.indented`).

In .rst files, `.. code-block:: LANG` (and `code`, `sourcecode`) bodies are read the same way.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from runai_audit.models import ApiCall, BodyField, Confidence, InputProblem, Location, Observation
from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.markdown.indented import indented_blocks
from runai_audit.scanners.markdown.manifest import holds_manifest, scan_block_heredocs, scan_manifest_block
from runai_audit.scanners.shell.cli import evidence
from runai_audit.scanners.shell.http import kept_value
from runai_audit.scanners.shell.json import json_fields
from runai_audit.scanners.shell.positions import LineIndex, relocate
from runai_audit.scanners.shell.scanner import scan_shell
from runai_audit.scanners.shell.url import shape_url
from runai_audit.scanners.text import scan_text_literals

__all__ = ["scan_markdown"]

SHELL_LANGS = frozenset({"", "sh", "bash", "shell", "console", "zsh", "ksh", "shell-session", "shellsession",
                         "bash-session", "session", "terminal", "shell-script"})
PYTHON_LANGS = frozenset({"python", "py", "python3", "ipython", "ipython3", "pycon", "py3"})
LITERAL_LANGS = {"js": "js", "javascript": "js", "jsx": "jsx", "ts": "ts", "typescript": "ts", "tsx": "tsx",
                 "go": "go", "golang": "go", "java": "java", "kotlin": "kt", "kt": "kt", "csharp": "cs",
                 "cs": "cs", "c#": "cs", "rust": "rs", "rs": "rs", "php": "php", "swift": "swift",
                 "scala": "scala", "groovy": "groovy"}
HTTP_LANGS = frozenset({"http", "rest", "https"})

_FENCE = re.compile(r"(?P<quote>(?:[ \t]*>)*)(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)")
_RST_DIRECTIVE = re.compile(r"(?P<indent>[ \t]*)\.\.\s+(?:code-block|sourcecode|code)::\s*(?P<info>\S*)\s*$")
_PROMPT = re.compile(r"([ \t]*)\$(?: |$)")
_PS2 = re.compile(r"([ \t]*)> ")
_PY_PROMPT = re.compile(r"([ \t]*)(>>>|\.\.\.)(?: |$)")
_REQUEST_LINE = re.compile(r"(?P<method>GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)[ \t]+(?P<target>\S+)(?:[ \t]+HTTP/[\d.]+)?[ \t]*$")


@dataclass
class Block:
    language: str
    first_line: int  # 0-based index of the block's first content line in the file
    lines: list[str]  # content lines, quote markers blanked


def _language(info: str) -> str:
    info = info.strip().lstrip("{").lstrip(".")
    word = re.split(r"[\s,{}]", info, maxsplit=1)[0] if info else ""
    return word.lower()


def _blank_quote(line: str, depth: int) -> str:
    """Replace the first `depth` block-quote markers of a line with spaces (columns unchanged)."""
    out = list(line)
    i = 0
    while depth > 0 and i < len(out):
        if out[i] == ">":
            out[i] = " "
            depth -= 1
        elif out[i] not in " \t":
            break
        i += 1
    return "".join(out)


def fenced_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.fullmatch(lines[i].rstrip("\r"))
        if not m or (m.group("fence")[0] == "`" and "`" in m.group("info")):
            i += 1
            continue
        fence, depth = m.group("fence"), m.group("quote").count(">")
        close = re.compile(rf"(?:[ \t]*>)*[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*")
        body: list[str] = []
        j = i + 1
        while j < len(lines) and not close.fullmatch(lines[j].rstrip("\r")):
            body.append(_blank_quote(lines[j].rstrip("\r"), depth))
            j += 1
        blocks.append(Block(_language(m.group("info")), i + 1, body))
        i = j + 1
    return blocks


def rst_blocks(lines: list[str]) -> list[Block]:
    blocks: list[Block] = []
    for i, line in enumerate(lines):
        m = _RST_DIRECTIVE.fullmatch(line.rstrip("\r"))
        if not m:
            continue
        indent = len(m.group("indent").expandtabs())
        j = i + 1
        while j < len(lines) and (not lines[j].strip() or re.match(r"\s+:\w[\w-]*:", lines[j])):
            j += 1
        start = j
        while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent):
            j += 1
        while j > start and not lines[j - 1].strip():
            j -= 1
        blocks.append(Block(_language(m.group("info")), start, [line.rstrip("\r") for line in lines[start:j]]))
    return blocks


def _open_quote(text: str, state: str) -> str:
    """The quote still open at the end of `text` ("" for none), starting in `state`."""
    i = 0
    while i < len(text):
        c = text[i]
        if state == "'":
            if c == "'":
                state = ""
        elif state == '"':
            if c == "\\":
                i += 1
            elif c == '"':
                state = ""
        elif c == "\\":
            i += 1
        elif c in "'\"":
            state = c
        elif c == "#" and (i == 0 or text[i - 1] in " \t"):
            break
        i += 1
    return state


def shell_view(lines: list[str]) -> list[str]:
    """Console transcripts: `$ ` prompts blanked, continuation lines kept, output lines dropped."""
    if not any(_PROMPT.match(line) for line in lines):
        return lines
    out: list[str] = []
    quote, continued = "", False
    for line in lines:
        prompt = _PROMPT.match(line)
        if prompt and not continued and not quote:
            view = line[:prompt.end(1)] + " " + line[prompt.end(1) + 1:]
        elif continued or quote:
            ps2 = _PS2.match(line)
            view = line[:ps2.end(1)] + "  " + line[ps2.end():] if ps2 and not quote else line
        else:
            out.append("")
            continue
        quote = _open_quote(view, quote)
        continued = view.rstrip().endswith("\\") and not quote
        out.append(view)
    return out


def python_view(lines: list[str]) -> tuple[list[str], int]:
    """Doctest prompts blanked and output dropped; then the common indentation removed.
    Returns the lines and the number of columns removed."""
    if any(_PY_PROMPT.match(line) for line in lines):
        kept = []
        for line in lines:
            m = _PY_PROMPT.match(line)
            kept.append(line[:m.end(1)] + " " * (m.end() - m.end(1)) + line[m.end():] if m else "")
        lines = kept
    indents = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(indents, default=0)
    return [line[cut:] for line in lines], cut


def scan_python_block(text: str, path: str, line_offset: int) -> ScanResult:
    """The Python scanner, loaded when first needed."""
    try:
        scan_python = importlib.import_module("runai_audit.scanners.python.scanner").scan_python
    except (ImportError, AttributeError):
        return ScanResult(problems=[InputProblem(path, "python code block not scanned: python scanner unavailable",
                                                 line_offset + 1)])
    result = scan_python(text, path, line_offset=line_offset)
    assert isinstance(result, ScanResult)
    return result


def http_block(block: Block, path: str) -> list[Observation]:
    """`POST /api/v1/x HTTP/1.1`, headers, a blank line and a JSON body."""
    out: list[Observation] = []
    text = "\n".join(block.lines)
    index = LineIndex(text)
    for n, line in enumerate(block.lines):
        stripped = line.lstrip()
        m = _REQUEST_LINE.fullmatch(stripped)
        shape = shape_url(m.group("target")) if m else None
        if m is None or shape is None:
            continue
        col = len(line) - len(stripped) + m.start("target") + 1
        body: list[BodyField] = []
        k = n + 1
        while k < len(block.lines) and block.lines[k].strip():
            k += 1
        if k + 1 < len(block.lines):
            start = index.offset(k + 2, 1) or 0
            stop = next((index.offset(j + 1, 1) or len(text) for j in range(k + 1, len(block.lines))
                         if _REQUEST_LINE.fullmatch(block.lines[j].lstrip())), len(text))
            for f in json_fields(text[start:stop]):
                fl, fc = index.position(start + f.offset)
                body.append(BodyField(f.path, kept_value(f.path, f.value), Location(path, block.first_line + fl, fc)))
        confidence = Confidence.HIGH if shape.host_literal and not shape.wildcard else Confidence.MEDIUM
        out.append(ApiCall(m.group("method"), shape.url, Location(path, block.first_line + n + 1, col),
                           body=tuple(body), confidence=confidence,
                           evidence=evidence(f"{m.group('method')} {shape.url}")))
    return out


def shell_block(block: Block, path: str) -> ScanResult:
    text = "\n".join(shell_view(block.lines))
    result = scan_shell(text, path, line_offset=block.first_line)
    docs = scan_block_heredocs(text, block.first_line, path)
    result.observations.extend(docs.observations)
    result.problems.extend(docs.problems)
    return result


def scan_block(block: Block, path: str) -> ScanResult:
    lang = block.language
    if holds_manifest(lang, block.lines):
        return scan_manifest_block(block.lines, block.first_line, path)
    if lang in SHELL_LANGS:
        return shell_block(block, path)
    if lang in PYTHON_LANGS:
        lines, cut = python_view(block.lines)
        result = scan_python_block("\n".join(lines), path, block.first_line)
        if cut:
            shift: Callable[[Location], Location] = lambda loc: (  # noqa: E731
                Location(loc.path, loc.line, loc.column + cut, loc.pointer) if loc.line else loc)
            result.observations = [relocate(o, shift) for o in result.observations]
        return result
    if lang in LITERAL_LANGS:
        return scan_text_literals("\n".join(block.lines), path, line_offset=block.first_line,
                                  language=LITERAL_LANGS[lang])
    if lang in HTTP_LANGS:
        return ScanResult(observations=http_block(block, path))
    return ScanResult()


def scan_markdown(text: str, path: str) -> ScanResult:
    lines = text.split("\n")
    if path.lower().endswith(".rst"):
        blocks = rst_blocks(lines)
    else:
        blocks = fenced_blocks(lines)
        fenced = [i for b in blocks for i in range(b.first_line - 1, b.first_line + len(b.lines) + 1)]
        blocks += [Block("sh", first, body) for first, body in indented_blocks(lines, fenced)]
        blocks.sort(key=lambda b: b.first_line)
    result = ScanResult()
    for block in blocks:
        part = scan_block(block, path)
        result.observations.extend(part.observations)
        result.problems.extend(part.problems)
    return result
