"""The Jupyter notebook scanner: code cells, read by the Python and shell scanners.

Python cells go to the Python scanner, with IPython's `!cmd` (and `x = !cmd`, `%system cmd`)
lines taken out and read by the shell scanner; `%%bash`, `%%sh`, `%%script bash` cells (and a
`%%writefile x.sh` cell) are shell; a notebook whose kernel is bash is shell throughout. Markdown
cells are not read.

Locations are the .ipynb file's own: every character of a cell is traced back to its place in the
JSON string it came from. When that cannot be done (a hand-edited file whose strings do not line
up), the location is line 0 with the pointer `/cells/N/source/M`.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from runai_audit.limits import MAX_DEPTH, InputLimit, check_depth
from runai_audit.models import InputProblem, Location, Observation
from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.shell.json import read_json_string
from runai_audit.scanners.shell.positions import LineIndex, relocate
from runai_audit.scanners.shell.scanner import scan_script

__all__ = ["scan_notebook"]

_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)  # unrolled: fast over big outputs
_SHELL_MAGIC = re.compile(r"%%(?:bash|sh|zsh|shell|script[ \t]+(?:--\S+[ \t]+)*(?:ba|z)?sh)\b")
_WRITEFILE = re.compile(r"%%writefile(?:[ \t]+-a)?[ \t]+(\S+)")
_PYTHON_MAGIC = re.compile(r"%%(?:time|timeit|capture|prun)\b")
_BANG = re.compile(r"(?:[\w.,\[\] \t]+=[ \t]*)?!!?")
_SYSTEM = re.compile(r"%(?:system|sx)\b[ \t]*")
_SHELL_KERNELS = frozenset({"bash", "sh", "shell", "zsh"})


@dataclass
class Cell:
    number: int
    text: str
    offsets: list[int] | None  # raw .ipynb offset of every character of `text`, when traced


def _raw_sources(raw: str) -> list[tuple[str, list[int]]]:
    """Every `"source"` / `"input"` value in the raw text, in order, decoded with offsets."""
    found: list[tuple[str, list[int]]] = []
    for m in _STRING.finditer(raw):
        if m.group() not in ('"source"', '"input"'):
            continue
        i = m.end()
        while i < len(raw) and raw[i] in " \t\r\n":
            i += 1
        if i >= len(raw) or raw[i] != ":":
            continue
        i += 1
        while i < len(raw) and raw[i] in " \t\r\n":
            i += 1
        if raw.startswith('"', i):
            value, offs, _ = read_json_string(raw, i)
            found.append((value, offs))
        elif raw.startswith("[", i):
            parts: list[str] = []
            offsets: list[int] = []
            i += 1
            while i < len(raw):
                while i < len(raw) and raw[i] in " \t\r\n,":
                    i += 1
                if not raw.startswith('"', i):
                    break
                value, offs, i = read_json_string(raw, i)
                parts.append(value)
                offsets.extend(offs)
            found.append(("".join(parts), offsets))
    return found


def _cells(nb: dict[str, object], raw: str) -> list[tuple[Cell, str]]:
    """(cell, cell_type) for every cell, nbformat 4 or 3, with traced offsets where possible."""
    cells = nb.get("cells")
    if not isinstance(cells, list):
        sheets = nb.get("worksheets")
        cells = [c for s in sheets if isinstance(s, dict) for c in s.get("cells", [])] if isinstance(sheets, list) else []
    found = _raw_sources(raw)
    out: list[tuple[Cell, str]] = []
    cursor = 0
    for number, cell in enumerate(cells):
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", cell.get("input", ""))
        text = "".join(source) if isinstance(source, list) else str(source)
        offsets = None
        for j in range(cursor, len(found)):
            if found[j][0] == text:
                offsets, cursor = found[j][1], j + 1
                break
        out.append((Cell(number, text, offsets), str(cell.get("cell_type", "code"))))
    return out


def _kernel_language(nb: dict[str, object]) -> str:
    meta = nb.get("metadata")
    if not isinstance(meta, dict):
        return "python"
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        value = meta.get(key)
        if isinstance(value, dict) and isinstance(value.get(field), str):
            return str(value[field]).lower()
    return "python"


class _CellPlace:
    """Cell (line, column) and offsets -> file locations."""

    def __init__(self, cell: Cell, path: str, raw_index: LineIndex) -> None:
        self.cell, self.path, self.raw_index = cell, path, raw_index
        self.lines = LineIndex(cell.text)

    def at(self, offset: int) -> Location:
        offs = self.cell.offsets
        if offs is None or not offs:
            line, _ = self.lines.position(offset)
            return Location(self.path, 0, 0, f"/cells/{self.cell.number}/source/{line - 1}")
        line, col = self.raw_index.position(offs[min(max(offset, 0), len(offs) - 1)])
        return Location(self.path, line, col)

    def view_locator(self, view: str, first_line: int = 0) -> Callable[[int], Location]:
        """A view holds cell lines from `first_line` on, at the cell's columns."""
        view_index = LineIndex(view)

        def locate(offset: int) -> Location:
            line, col = view_index.position(offset)
            return self.at(self.lines.offset(line + first_line, col) or 0)

        return locate

    def move(self, loc: Location) -> Location:
        if not loc.line:
            return loc
        return self.at(self.lines.offset(loc.line, loc.column) or 0)


def _split_python(lines: list[str]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """A Python cell as (python lines, shell segments). Each `!` line (with its continuations)
    is one shell segment (first line, views); it leaves `pass` (or `None` for `x = !cmd`) behind
    so the Python still parses."""
    py = list(lines)
    segments: list[tuple[int, list[str]]] = []
    continued = False
    for k, line in enumerate(lines):
        if continued:
            segments[-1][1].append(line)
            py[k] = ""
            continued = line.rstrip().endswith("\\")
            continue
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        bang = _BANG.match(stripped)
        escape = bang or _SYSTEM.match(stripped)
        if escape is not None:
            cut = indent + escape.end()
            segments.append((k, [" " * cut + line[cut:]]))
            assigned = bang is not None and "=" in bang.group()
            py[k] = line[:indent + bang.group().index("!")] + "None" if bang and assigned else " " * indent + "pass"
            continued = bang is not None and line.rstrip().endswith("\\")
        elif stripped.startswith("%") or (stripped.endswith("?") and not stripped.startswith("#")):
            py[k] = " " * indent + "pass"
    return py, segments


def _scan_python(text: str, path: str) -> ScanResult:
    try:
        scan_python = importlib.import_module("runai_audit.scanners.python.scanner").scan_python
    except (ImportError, AttributeError):
        return ScanResult(problems=[InputProblem(path, "python cell not scanned: python scanner unavailable")])
    result = scan_python(text, path)
    assert isinstance(result, ScanResult)
    return result


def _scan_cell(cell: Cell, kernel: str, path: str, raw_index: LineIndex) -> ScanResult:
    place = _CellPlace(cell, path, raw_index)
    lines = cell.text.split("\n")
    first = lines[0].strip() if lines else ""
    result = ScanResult()
    writefile = _WRITEFILE.match(first)
    if kernel in _SHELL_KERNELS or _SHELL_MAGIC.match(first) or (writefile and writefile.group(1).endswith((".sh", ".bash"))):
        if first.startswith("%%"):
            lines[0] = ""
        view = "\n".join(lines)
        return scan_script(view, path, place.view_locator(view))
    other_language = not (_PYTHON_MAGIC.match(first) or (writefile and writefile.group(1).endswith(".py")))
    if first.startswith("%%") and other_language:
        return result  # html, javascript, a data file
    if first.startswith("%%"):
        lines[0] = ""
    py, segments = _split_python(lines)
    for start, segment in segments:
        snippet = "\n".join(segment)
        part = scan_script(snippet, path, place.view_locator(snippet, start), dialect="ipython")
        result.observations.extend(part.observations)
        result.problems.extend(part.problems)
    part = _scan_python("\n".join(py), path)
    moved: list[Observation] = [relocate(o, place.move) for o in part.observations]
    result.observations.extend(moved)
    result.problems.extend(
        InputProblem(p.path, f"cell {cell.number}: {p.reason}", place.move(Location(path, p.line, 1)).line)
        for p in part.problems
    )
    return result


def scan_notebook(text: str, path: str) -> ScanResult:
    try:
        nb = json.loads(text)
        check_depth(nb, "notebook JSON")
    except json.JSONDecodeError as exc:
        return ScanResult(problems=[InputProblem(path, f"not valid notebook JSON: {exc.msg} at line {exc.lineno} "
                                                       f"column {exc.colno}", exc.lineno)])
    except (InputLimit, RecursionError):
        return ScanResult(problems=[InputProblem(path, f"notebook JSON nests deeper than {MAX_DEPTH} levels; refused")])
    if not isinstance(nb, dict):
        return ScanResult(problems=[InputProblem(path, "not a notebook: the top level is not a JSON object")])
    kernel = _kernel_language(nb)
    raw_index = LineIndex(text)
    result = ScanResult()
    for cell, cell_type in _cells(nb, text):
        if cell_type != "code" or not cell.text.strip():
            continue
        part = _scan_cell(cell, kernel, path, raw_index)
        result.observations.extend(part.observations)
        result.problems.extend(part.problems)
    return result
