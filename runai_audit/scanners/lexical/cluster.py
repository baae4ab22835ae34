"""Cluster API uses wherever they are written: kubectl command lines on Run:ai kinds, and the
run.ai group and version written as constants of a client call.

- `kubectl delete -n {ns} interactiveworkload {name}` in a printed hint, a Markdown guide, a
  comment or a Python string is the request kubectl would make (the shell reader's table of
  kinds decides which names are Run:ai's), placed at the resource word.
- `RUNAI_VERSION = 'v2alpha1'` next to `RUNAI_GROUP = 'run.ai'`, or
  `GroupVersionResource{Group: "run.ai", Version: "v2alpha1", ...}`, names the deprecated
  Cluster API version for a custom-object client; the version literal is where the use is
  written. The group must be written as the literal `run.ai` in the same file:
  `scheduling.run.ai` (the scheduler's API) is not it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from runai_audit.models import ApiCall, Confidence, Location
from runai_audit.scanners.lexical.cli import words_after
from runai_audit.scanners.lexical.context import CODE, ContextReader
from runai_audit.scanners.shell.kubectl import resource_requests
from runai_audit.scanners.shell.words import SENTINEL

# Words that name a Run:ai kind somewhere in them (the file is skipped without one).
_KIND_HINT = re.compile(r"workload|polic|runaijob", re.I)
_KUBECTL = re.compile(r"(?<![\w./$-])(?:kubectl|oc)(?=[ \t]+[a-z])")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}|\$\{?\w+\}?|<[^<>]+>")
# The group as a literal of its own (quoted), not a suffix of scheduling.run.ai.
_GROUP_LITERAL = re.compile(r"[\"']run\.ai[\"']")
# A version literal assigned to a name or key: `RUNAI_VERSION = 'v2alpha1'`, `Version: "v2alpha1"`.
_VERSION = re.compile(r"(?P<name>[A-Za-z_][\w]*)[\"']?\s*(?::=|=|:)\s*[\"'](?P<version>v1alpha1|v2alpha1)[\"']")
# A plural written near the version names the resource; without one, any Run:ai kind.
_PLURAL = re.compile(r"[\"'](?P<plural>\w+)[\"']")
_NEAR_LINES = 3
_CLUSTER_API_PLURALS = frozenset({
    "trainingworkloads", "interactiveworkloads", "distributedworkloads", "inferenceworkloads",
    "trainingpolicies", "interactivepolicies", "distributedpolicies", "inferencepolicies",
})


def _args(words: list[str]) -> list[str]:
    """Words as the kubectl table reads them: a placeholder is an unknown part."""
    return [_PLACEHOLDER.sub(SENTINEL, word) for word in words]


def _column_of(lines: list[str], index: int, start: int, word: str) -> tuple[int, int]:
    """(line, column) of `word` at or after `start` on line `index`, or on a continuation line."""
    for offset in range(4):
        if index + offset >= len(lines):
            break
        at = lines[index + offset].find(word, start if offset == 0 else 0)
        if at >= 0:
            return index + offset + 1, at + 1
    return index + 1, start + 1


def kubectl_calls(text: str, path: str, contexts: ContextReader) -> list[ApiCall]:
    if not _KIND_HINT.search(text):
        return []
    lines = text.split("\n")
    out: list[ApiCall] = []
    for index, line in enumerate(lines):
        if "kubectl" not in line and "oc " not in line:
            continue
        for found in _KUBECTL.finditer(line):
            words = words_after(lines, index, found.end(), None)
            for method, url, target in resource_requests(_args(words)):
                number, column = _column_of(lines, index, found.end(), words[target])
                context = contexts.at(number, column)
                out.append(ApiCall(
                    method=method,
                    url=url,
                    location=Location(path, number, column),
                    confidence=Confidence.MEDIUM if context == CODE else Confidence.LOW,
                    evidence=" ".join([found.group(), *words])[:200],
                    runai_hint=True,
                ))
    return out


def _near_plural(lines: list[str], index: int) -> str:
    for near in range(max(0, index - _NEAR_LINES), min(len(lines), index + _NEAR_LINES + 1)):
        for found in _PLURAL.finditer(lines[near]):
            if found.group("plural").lower() in _CLUSTER_API_PLURALS:
                return found.group("plural").lower()
    return "{*}"


def _version_constants(lines: list[str]) -> Iterator[tuple[int, int, str, str]]:
    for index, line in enumerate(lines):
        if "alpha1" not in line:
            continue
        for found in _VERSION.finditer(line):
            if "version" in found.group("name").lower():
                yield index + 1, found.start("version") + 1, found.group("version"), _near_plural(lines, index)


def group_version_calls(text: str, path: str, contexts: ContextReader) -> list[ApiCall]:
    if "alpha1" not in text or not _GROUP_LITERAL.search(text):
        return []
    out: list[ApiCall] = []
    for number, column, version, plural in _version_constants(text.split("\n")):
        url_path = f"/apis/run.ai/{version}/namespaces/{{*}}/{plural}"
        context = contexts.at(number, column)
        out.append(ApiCall(
            method="*",
            url="{**}" + url_path,
            location=Location(path, number, column),
            confidence=Confidence.MEDIUM if context == CODE else Confidence.LOW,
            evidence=f"ANY {url_path} (run.ai group and version written as constants)",
            runai_hint=True,
        ))
    return out
