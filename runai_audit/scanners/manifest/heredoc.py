"""Kubernetes manifests written inline in shell scripts as here-documents.

    cat <<EOF | kubectl apply -f -
    apiVersion: run.ai/v2alpha1
    kind: TrainingWorkload
    ...
    EOF

A body that has an `apiVersion:` and a `kind:` line is read by the manifest scanner with its
true file lines. `<<-` bodies lose their leading tabs as the shell would strip them; columns
stay exact when every line had the same number of tabs.
"""

from __future__ import annotations

import re

from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.manifest.scanner import scan_manifest

# `<<` (not the here-string `<<<`), optional `-`, then the delimiter: EOF, 'EOF', "EOF", \EOF.
_OPERATOR = re.compile(r"(?<!<)<<(?!<)(-?)[ \t]*(?:'([^'\n]+)'|\"([^\"\n]+)\"|\\?([A-Za-z_][\w.-]*))")
_API_VERSION = re.compile(r"^[ \t]*apiVersion[ \t]*:", re.M)
_KIND = re.compile(r"^[ \t]*kind[ \t]*:", re.M)


def _bodies(lines: list[str]) -> list[tuple[int, list[str], bool]]:
    """(index of the first body line, body lines, tabs stripped) for every here-document."""
    found: list[tuple[int, list[str], bool]] = []
    number = 0
    while number < len(lines):
        line = lines[number]
        # `((x << y))` is arithmetic, not a here-document
        pending = [] if line.lstrip().startswith("#") else [m for m in _OPERATOR.finditer(line) if "((" not in line[: m.start()]]
        number += 1
        for operator in pending:
            strip_tabs = operator.group(1) == "-"
            delimiter = operator.group(2) or operator.group(3) or operator.group(4)
            start = number
            while number < len(lines):
                candidate = lines[number].rstrip("\r")
                if (candidate.lstrip("\t") if strip_tabs else candidate) == delimiter:
                    break
                number += 1
            found.append((start, lines[start:number], strip_tabs))
            number += 1  # past the delimiter line
    return found


def scan_shell_heredocs(text: str, path: str) -> ScanResult:
    """Manifest observations for every here-document that holds a Kubernetes object."""
    result = ScanResult()
    if "<<" not in text or "apiVersion" not in text:
        return result
    for start, body, strip_tabs in _bodies(text.split("\n")):
        col_offset = 0
        if strip_tabs:
            tabs = {len(b) - len(b.lstrip("\t")) for b in body if b.strip()}
            col_offset = tabs.pop() if len(tabs) == 1 else 0
            body = [b.lstrip("\t") for b in body]
        joined = "\n".join(body)
        if not (_API_VERSION.search(joined) and _KIND.search(joined)):
            continue
        inner = scan_manifest(joined, path, line_offset=start, col_offset=col_offset)
        result.observations.extend(inner.observations)
        result.problems.extend(inner.problems)
    return result
