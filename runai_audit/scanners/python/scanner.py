"""The Python scanner: read a module with `ast` (never run it) and report what it does with
Run:ai - HTTP calls, Kubernetes custom-object calls, manifests built as dicts or YAML text, and
`runai` command lines - as observations.

Each kind of use has its own module (python.http with python.clients and python.wrappers,
python.k8s, python.manifest, python.cli, python.fallback); they share the index of bindings
(python.scope, python.index) and the expression resolver (python.resolve, python.text) through
one Context.
"""

from __future__ import annotations

import ast
import warnings

from runai_audit.knowledge.paths import WILDCARD, parse_url
from runai_audit.models import ApiCall, InputProblem, Observation
from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.python.cli import detect_cli
from runai_audit.scanners.python.context import Context
from runai_audit.scanners.python.fallback import detect_wrapped_paths
from runai_audit.scanners.python.http import build_api_call, find_http
from runai_audit.scanners.python.k8s import detect_custom_object
from runai_audit.scanners.python.manifest import dict_manifest, yaml_manifests
from runai_audit.scanners.python.reads import detect_read
from runai_audit.scanners.python.sdk import detect_sdk_call, imports_runapy
from runai_audit.scanners.python.wrappers import CallSites, expand_through_wrappers

__all__ = ["scan_python"]


def _literal_segments(call: ApiCall) -> int:
    return sum(1 for segment in parse_url(call.url).segments if segment != WILDCARD)


def scan_python(text: str, path: str, *, line_offset: int = 0) -> ScanResult:
    """Observations in one Python source; `line_offset` is added to every line (notebook cells)."""
    result = ScanResult()
    text = text.removeprefix("\ufeff")  # a byte-order mark is not part of the code
    tree = _parse(text, path, line_offset, result)
    if tree is None:
        return result
    ctx = Context(text, path, line_offset, tree)
    try:
        result.observations.extend(_observe(ctx))
        result.problems.extend(ctx.problems)
    except RecursionError:
        result.problems.append(InputProblem(path, "Python source nested too deeply to analyse"))
    return result


def _parse(text: str, path: str, line_offset: int, result: ScanResult) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            # Invalid escapes and the like in scanned code are its authors' business, not ours.
            warnings.simplefilter("ignore")
            return ast.parse(text, filename=path)
    except SyntaxError as exc:
        line = (exc.lineno or 0) + line_offset if exc.lineno else 0
        result.problems.append(InputProblem(path, f"Python syntax error: {exc.msg}", line))
    except (ValueError, RecursionError, MemoryError) as exc:
        reason = str(exc) or type(exc).__name__
        result.problems.append(InputProblem(path, f"Python source could not be parsed: {reason}"))
    return None


def _observe(ctx: Context) -> list[Observation]:
    calls: list[ast.Call] = []
    dicts: list[ast.Dict] = []
    strings: list[ast.Constant | ast.JoinedStr] = []
    reads: list[Observation] = []
    for node in ast.walk(ctx.index.tree):
        read = detect_read(ctx, node)
        if read is not None:
            reads.append(read)
        if isinstance(node, ast.Call):
            calls.append(node)
        elif isinstance(node, ast.Dict):
            dicts.append(node)
        elif _is_string(node) and not isinstance(ctx.index.parent(node),
                                                 ast.JoinedStr | ast.FormattedValue):
            assert isinstance(node, ast.Constant | ast.JoinedStr)
            strings.append(node)
    calls.sort(key=lambda n: (n.lineno, n.col_offset))
    strings.sort(key=lambda n: (n.lineno, n.col_offset))
    found: list[Observation] = []
    sites = CallSites(calls)
    uses_runapy = imports_runapy("\n".join(ctx.lines))
    for call in calls:
        spec = find_http(ctx, call)
        if spec is not None:
            # Through a helper whose callers supply the path: one ApiCall per call site.
            # A function that only fills an id into an otherwise written-out URL is not a
            # helper of that kind: its request is reported where it is written.
            in_place = build_api_call(ctx, spec, ctx.resolver, spec.url_node)
            expanded = expand_through_wrappers(ctx, spec, sites)
            if expanded and max(map(_literal_segments, expanded)) > _literal_segments(in_place):
                found.extend(expanded)
            else:
                found.append(in_place)
            continue
        custom = detect_custom_object(ctx, call)
        if custom is not None:
            found.append(custom)
        found.extend(detect_cli(ctx, call))
        sdk = detect_sdk_call(ctx, call) if uses_runapy else None
        if sdk is not None:
            found.append(sdk)
    for node in dicts:
        manifest = dict_manifest(ctx, node)
        if manifest is not None:
            found.append(manifest)
    for string in strings:
        found.extend(yaml_manifests(ctx, string))
    found.extend(detect_wrapped_paths(ctx, strings))
    found.extend(reads)
    found.sort(key=lambda obs: (obs.location.line, obs.location.column, type(obs).__name__))
    return found



def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))
