"""Apply edits to a file's bytes: from the end backwards, by exact byte offsets.

A file is edited only when it decodes as UTF-8 (a BOM is kept as it is). Edits are planned on
the decoded text (BOM removed) and turned into byte offsets here, so every byte outside an edit,
line endings and indentation included, stays exactly as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from runai_audit.fix.locate_cli import Span

BOM = b"\xef\xbb\xbf"


class NotEditable(ValueError):
    """The file's bytes cannot be edited safely (not UTF-8)."""


@dataclass(frozen=True)
class Decoded:
    text: str  # without the BOM
    bom: bytes  # b"" or the UTF-8 BOM


def decode(raw: bytes) -> Decoded:
    bom = BOM if raw.startswith(BOM) else b""
    try:
        return Decoded(raw[len(bom) :].decode("utf-8"), bom)
    except UnicodeDecodeError as exc:
        raise NotEditable(f"not UTF-8 (byte {exc.start}): left as it is") from exc


def byte_edits(decoded: Decoded, edits: Sequence[Span]) -> list[tuple[int, int, bytes]]:
    """(start, end, new bytes) for each edit, offsets into the raw file (BOM included)."""
    out = []
    for edit in edits:
        start = len(decoded.bom) + len(decoded.text[: edit.start].encode("utf-8"))
        end = start + len(decoded.text[edit.start : edit.end].encode("utf-8"))
        out.append((start, end, edit.text.encode("utf-8")))
    return out


def apply_bytes(raw: bytes, edits: Sequence[tuple[int, int, bytes]]) -> bytes:
    """The bytes with every edit applied, last first so earlier offsets stay valid."""
    out = raw
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        out = out[:start] + new + out[end:]
    return out


def apply_text(text: str, edits: Sequence[Span]) -> str:
    """The same edits on decoded text (for diffs and for the per-rule property tests)."""
    out = text
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        out = out[: edit.start] + edit.text + out[edit.end :]
    return out
