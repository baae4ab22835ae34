"""The one place that words a finding's message from the facts. Pure."""

from __future__ import annotations

from runai_audit.judge.lifecycle import Verdict
from runai_audit.judge.matchers.base import Hit
from runai_audit.knowledge.catalog.model import Rule
from runai_audit.models import Status, Target


def instead(replacement: str) -> str:
    if not replacement or replacement.strip().lower() == "none":
        return "There is no replacement."
    return f"Use {replacement} instead."


def _when(rule: Rule, verdict: Verdict, target: Target) -> str:
    since = f" since {rule.deprecated_in}" if rule.deprecated_in else ""
    at = f"(target {target.version})"
    if verdict.status is Status.REMOVED:
        if verdict.reason == "documented":
            return f"is deprecated{since} and removed in {verdict.breaks_in} {at}."
        if verdict.reason == "policy":
            return f"is deprecated{since} and past its sunset: removable from {verdict.breaks_in} {at}."
        if verdict.reason == "saas":
            sunset = f" on {verdict.sunset.isoformat()}" if verdict.sunset else ""
            return f"is deprecated{since} and its SaaS support ended{sunset}."
        return f"is deprecated{since} and not in the {target.version} API reference."
    if verdict.reason == "announced":
        return f"is removed in {verdict.breaks_in} (announced)."
    if verdict.reason == "superseded":
        return "is superseded (no dated deprecation notice)."
    through = f", supported through {verdict.supported_through}" if verdict.supported_through else ""
    sunset = f", sunset {verdict.sunset.isoformat()}" if verdict.sunset else ""
    return f"is deprecated{since}{through}{sunset}."


def message(rule: Rule, hit: Hit, verdict: Verdict, target: Target) -> str:
    if verdict.status in (Status.SIGNAL, Status.TOOL):
        detail = f": {hit.detail}" if hit.detail else ""
        text = f"{rule.title}{detail} ({hit.subject})."
        return f"{text} {rule.message}" if rule.message else text
    parts = [f"{hit.subject} {_when(rule, verdict, target)}", instead(rule.replacement)]
    if rule.message:
        parts.append(rule.message)
    return " ".join(parts)
