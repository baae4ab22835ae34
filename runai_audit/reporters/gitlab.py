"""GitLab Code Quality (a Code Climate subset): a JSON array shown in merge requests.

GitLab merges issues by fingerprint, so two uses of the same thing in one file (whose finding
fingerprints are equal on purpose: they carry no line numbers) get the occurrence number mixed
in to stay distinct, and stay stable while lines move.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from typing import Any

from runai_audit.models import Finding, Report
from runai_audit.reporters.common import ordered, related_suffix, suppression_label, with_replacement
from runai_audit.reporters.levels import gitlab_severity

SUPPRESSED_PREFIX = "[suppressed] "


def _description(f: Finding) -> str:
    text = f"{f.rule_id} {with_replacement(f.message, f.replacement)}"
    if f.usage is not None:
        text += f" ({f.usage.count} calls)"
    text += related_suffix(f)
    if f.suppression is not None:
        text = f"{SUPPRESSED_PREFIX}{text} ({suppression_label(f.suppression)})"
    return text


def _issue(f: Finding, occurrence: int) -> dict[str, Any]:
    seed = f"{f.fingerprint or f.rule_id + f.location.path + f.subject}#{occurrence}"
    return {
        "description": _description(f),
        "check_name": f.rule_id,
        "fingerprint": hashlib.sha256(seed.encode("utf-8")).hexdigest(),
        "severity": gitlab_severity(f),
        "location": {"path": f.location.path, "lines": {"begin": f.location.line or 1}},
    }


def render(report: Report) -> str:
    seen: Counter[str] = Counter()
    issues = []
    for f in ordered(report.findings):
        key = f.fingerprint or f"{f.rule_id}|{f.location.path}|{f.subject}"
        issues.append(_issue(f, seen[key]))
        seen[key] += 1
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
