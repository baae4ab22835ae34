"""Verify a fixed file: it still parses as it did, its fixed findings are gone, nothing is new.

Findings are compared by rule and count, not by position: an edit earlier on a line moves the
columns of what follows it. A rule a fix is known to leave behind (RA441 on a renamed metric:
the new name is still read from Run:ai's Prometheus) may appear once per such fix.
"""

from __future__ import annotations

import ast
import json
from collections import Counter
from collections.abc import Iterable, Sequence

import yaml

from runai_audit.fix.plan import Outcome
from runai_audit.models import Finding

JSON_SUFFIXES = (".json", ".ipynb")
YAML_SUFFIXES = (".yaml", ".yml")


def syntax_problem(path: str, text: str) -> str | None:
    """Why `text` does not load as its file kind, or None (kinds without a reader: None)."""
    lower = path.lower()
    try:
        if lower.endswith(".py"):
            ast.parse(text)
        elif lower.endswith(JSON_SUFFIXES):
            json.loads(text)
        elif lower.endswith(YAML_SUFFIXES):
            list(yaml.safe_load_all(text))
    except (SyntaxError, ValueError, yaml.YAMLError) as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
    return None


def still_loads(path: str, before: str, after: str) -> str | None:
    """A problem only when the text loaded before the edit and does not after."""
    if syntax_problem(path, before) is not None:
        return None
    problem = syntax_problem(path, after)
    return f"the fixed file no longer loads ({problem})" if problem else None


def findings_problem(before: Iterable[Finding], after: Iterable[Finding], fixed: Sequence[Outcome]) -> str | None:
    """Why the re-scan does not confirm the fixes, or None."""
    had = Counter(f.rule_id for f in before)
    has = Counter(f.rule_id for f in after)
    gone = Counter(o.finding.rule_id for o in fixed)
    allowed = Counter(rule for o in fixed for rule in o.leaves)
    for rule_id in sorted(set(had) | set(has)):
        limit = had[rule_id] - gone[rule_id] + allowed[rule_id]
        if has[rule_id] > limit:
            if gone[rule_id]:
                return f"{rule_id} is still reported after its fix"
            return f"the fix introduced a new {rule_id} finding"
    return None
