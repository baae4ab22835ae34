"""The lexical layer: a safety net under the structured readers.

It reads every text file, whatever its kind, for the written forms of Run:ai use that need no
parsing to recognise (a `runai` command line in prose or a string, ...). What it finds are
ordinary observations. `merge` then keeps a lexical observation only where no structured
reader saw the same use: the structured one knows more (method, body, resolved URL) and wins.
In: decoded text, display path, file kind. Out: observations. Imports models and scanners only.
"""

from __future__ import annotations

from runai_audit.scanners.lexical.layer import LexicalResult, contexts_of, merge, scan_lexical

__all__ = ["LexicalResult", "contexts_of", "merge", "scan_lexical"]
