"""Shell steps of CI files (GitHub Actions, GitLab CI) sent through the shell scanner in place.

GitHub Actions: every `steps[].run` of a workflow or composite action, unless the step's
`shell:` is not a POSIX shell (python, pwsh, cmd). GitLab CI: every `script`,
`before_script` and `after_script` of a job, of `default:` or at the top, as a string or a
list of strings (nested lists from `!reference` included). Each script is handed to the shell
scanner with the line and column offsets that put its first character where it sits in the
file, so findings point into the CI file itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.manifest.docs import Doc, embedded_offsets, read_documents
from runai_audit.scanners.manifest.walk import WalkBudget, iter_key_paths
from runai_audit.scanners.manifest.yaml import YamlLimit, YNode

GITLAB_SCRIPT_KEYS = ("script", "before_script", "after_script")
NON_POSIX_SHELLS = ("python", "pwsh", "powershell", "cmd")


def is_github_path(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return ".github/" in f"/{path}" or name in ("action.yml", "action.yaml")


def _scalars(node: YNode) -> Iterator[YNode]:
    """A script value: one string, or the strings of a (possibly nested) list."""
    if node.kind == "scalar":
        if node.value:
            yield node
    elif node.kind == "seq":
        for item in node.children:
            yield from _scalars(item)


def _github_scripts(doc: Doc) -> Iterator[YNode]:
    for entry in iter_key_paths(doc.root, budget=WalkBudget()):
        if not (entry.path.endswith(".steps") or entry.path == "steps") or entry.value.kind != "seq":
            continue
        for step in entry.value.children:
            if step.kind != "map":
                continue
            run, shell = step.get("run"), (step.scalar("shell") or "").strip().lower()
            if run is not None and run.kind == "scalar" and not shell.startswith(NON_POSIX_SHELLS):
                yield run


def _gitlab_scripts(doc: Doc) -> Iterator[YNode]:
    for entry in iter_key_paths(doc.root, budget=WalkBudget()):
        segments = entry.path.split(".")
        if segments[-1] in GITLAB_SCRIPT_KEYS and len(segments) <= 2 and "[]" not in entry.path:
            yield from _scalars(entry.value)


_GITLAB_SCRIPT = re.compile(r"^\s*-?\s*(?:script|before_script|after_script)\s*:", re.M)
_GITLAB_TOP = re.compile(r"^(?:stages|include|default|workflow|variables|image|services)\s*:", re.M)


def script_scalars(doc: Doc, path: str) -> list[YNode]:
    """The scalars of a CI document that the shell scanner reads (run steps, GitLab scripts)."""
    return list((_github_scripts if is_github_path(path) else _gitlab_scripts)(doc))


def is_ci_file(text: str, path: str) -> bool:
    """GitHub workflows and actions by path; GitLab CI by name or by its telltale keys."""
    name = path.rsplit("/", 1)[-1].lower()
    if is_github_path(path) or name.endswith(".gitlab-ci.yml") or name == ".gitlab-ci.yaml":
        return True
    return bool(_GITLAB_SCRIPT.search(text) and _GITLAB_TOP.search(text))


def _script(doc: Doc, scalar: YNode) -> tuple[str, int, int]:
    """The script a step runs, and the (line, column) offsets that place it in the file.

    A folded block (`>`, `>-`) joins its lines with spaces, so its value has one line where the
    file has several. It is given to the shell scanner as the file's own lines instead, each
    line break YAML folds ended with a backslash: the shell joins those lines just as YAML did,
    and every position stays on its true line.
    """
    line_offset, col_offset = embedded_offsets(doc, scalar)
    header = doc.original(scalar).split("\n", 1)[0].split("#", 1)[0]
    if scalar.style != ">" or any(c.isdigit() for c in header):  # `>2`: explicit indentation, rare
        return scalar.value, line_offset, col_offset
    first = line_offset - doc.chunk.first_line
    last = scalar.end_line if scalar.end_column else scalar.end_line - 1
    lines: list[str] = []
    for line in doc.chunk.text.split("\n")[first : last + 1]:
        line = line.rstrip("\r")
        if line.strip() and len(line) - len(line.lstrip(" ")) < col_offset:
            break  # past the block (a comment less indented than its text)
        lines.append(line[col_offset:])
    for number in range(len(lines) - 1):
        this, after = lines[number], lines[number + 1]
        if this.strip() and after.strip() and not this.startswith((" ", "\t")) and not after.startswith((" ", "\t")):
            lines[number] = this + " \\"
    return "\n".join(lines).rstrip("\n") + "\n", line_offset, col_offset


def scan_ci_yaml(text: str, path: str) -> ScanResult:
    """CliCall / ApiCall observations from the shell steps of a CI file.

    Any other YAML file costs two regular-expression searches. A file that is not valid YAML
    yields nothing here: the manifest scanner, which reads every YAML file, reports it.
    """
    result = ScanResult()
    if not is_ci_file(text, path):
        return result
    from runai_audit.scanners.shell.scanner import scan_shell  # imported late: a sibling scanner

    docs, problems = read_documents(text, templates="never")
    if problems:
        # GitHub `${{ }}` expressions are valid YAML almost everywhere; where they are not, read
        # the file again with every expression masked in place.
        docs, _ = read_documents(text, templates="always")
    for doc in docs:
        try:
            scripts = script_scalars(doc, path)
        except YamlLimit:
            continue  # reported by the manifest scanner, which walks the same keys
        for scalar in scripts:
            script, line_offset, col_offset = _script(doc, scalar)
            inner = scan_shell(script, path, line_offset=line_offset, col_offset=col_offset)
            result.observations.extend(inner.observations)
            result.problems.extend(inner.problems)
    return result
