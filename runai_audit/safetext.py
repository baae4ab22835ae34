"""Text from scanned input made safe to show: terminal control characters and Unicode bidi
controls become visible escapes.

An ESC, BEL or CSI sequence planted in a file name or a log line would drive the reader's
terminal (clear it, retitle it, hide lines); a right-to-left override (U+202E) would make a
report line read differently from what it says ("Trojan Source"). Every text-like output
passes input through here, so both show up as literal `\\x1b`, `\\u202e`.
"""

from __future__ import annotations

import unicodedata

__all__ = ["neutralise"]

# Bidi embeddings, overrides, isolates and marks; plus the Unicode line and paragraph
# separators, which some viewers treat as line breaks.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")


def _escaped(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralise(text: str, keep: str = "") -> str:
    """`text` with control characters (except those in `keep`) and bidi controls escaped."""
    if text.isascii() and text.isprintable():
        return text  # the common case, checked in C
    return "".join(
        _escaped(ch)
        if (ch in _BIDI or (unicodedata.category(ch) == "Cc" and ch not in keep))
        else ch
        for ch in text
    )
