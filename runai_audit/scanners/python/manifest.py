"""Kubernetes-style objects built in Python: dict literals with `apiVersion` and `kind`, and
YAML documents written as string or f-string literals.

YAML text is parsed with the safe loader after each `{expr}` placeholder is replaced by a dummy
scalar; every field is mapped back to its line in the Python file (the literal's first line plus
the line inside the text) when the literal's lines match the text's lines one to one.
"""

from __future__ import annotations

import ast
import re

import yaml

from runai_audit.limits import InputLimit, check_yaml
from runai_audit.models import Confidence, FieldRef, InputProblem, Location, ManifestObject
from runai_audit.scanners.python.body import dict_paths, scalar_value
from runai_audit.scanners.python.context import Context
from runai_audit.scanners.redact import is_secret_name, looks_opaque

__all__ = ["dict_manifest", "kind_stand_in", "yaml_manifests"]

_HOLE = "runai_audit_hole"
# `{name}`, `{0}`, `{}`, `{cfg.gpu}`, `{{ jinja }}` in a plain string used as a template; a YAML
# flow mapping (`{a: 1}`) has a colon and is left alone.
_PLACEHOLDER = re.compile(
    r"\{\{[^{}\n]*\}\}|\{(?:[A-Za-z_][A-Za-z_0-9]*(?:\.[A-Za-z_0-9]+|\[[^\]{}\n]*\])*|\d*)(?:![rsa])?\}"
)
_VALUE_MAX = 64
_PLAIN_SCALAR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,62}")
# A Run:ai object whose kind is left to a placeholder is still a Cluster API object. It is
# reported under the row that covers the most of that apiVersion (the training workload, or
# the training policy when the kind ends in Policy), at low confidence: the kind is a guess.
_KIND_STAND_INS = {
    "run.ai/v2alpha1": ("TrainingWorkload", "TrainingPolicy"),
    "run.ai/v1alpha1": ("TrainingWorkload", "TrainingPolicy"),
    "run.ai/v1": ("RunaiJob", None),
}


def _literal_keys(node: ast.Dict) -> dict[str, ast.expr]:
    return {k.value: v for k, v in zip(node.keys, node.values, strict=True)
            if isinstance(k, ast.Constant) and isinstance(k.value, str)}


def dict_manifest(ctx: Context, node: ast.Dict) -> ManifestObject | None:
    keys = _literal_keys(node)
    if "apiVersion" not in keys or "kind" not in keys or _inside_manifest(ctx, node):
        return None
    api_text = ctx.resolver.text(keys["apiVersion"])
    kind_text = ctx.resolver.text(keys["kind"])
    fields = [FieldRef(p.path, ctx.location(p.key), scalar_value(ctx.resolver, p.path, p.value))
              for p in dict_paths(ctx.resolver, node)]
    fields += _later_fields(ctx, node, {f.path for f in fields})
    name = None
    metadata = keys.get("metadata")
    if isinstance(metadata, ast.Dict):
        name_node = _literal_keys(metadata).get("name")
        name = ctx.resolver.text(name_node).literal if name_node is not None else None
    literal = api_text.literal is not None and kind_text.literal is not None
    api_version, kind = api_text.render(), kind_text.render()
    confidence = Confidence.HIGH if literal else Confidence.MEDIUM
    stand_in = kind_stand_in(api_version, kind)
    if stand_in is not None:
        kind, confidence = stand_in, Confidence.LOW
    return ManifestObject(
        api_version=api_version,
        kind=kind,
        location=ctx.location(node),
        fields=tuple(fields),
        name=name,
        evidence=ctx.evidence(node.lineno),
        confidence=confidence,
    )


def _inside_manifest(ctx: Context, node: ast.AST) -> bool:
    """True when a dict sits inside another manifest dict (ownerReferences), except List items."""
    child: ast.AST = node
    parent = ctx.index.parent(node)
    while parent is not None and not isinstance(parent, ast.stmt):
        if isinstance(parent, ast.Dict) and child is not node:
            keys = _literal_keys(parent)
            if "apiVersion" in keys and "kind" in keys:
                kind = keys["kind"]
                is_list = isinstance(kind, ast.Constant) and str(kind.value).endswith("List")
                return not is_list
        child, parent = parent, ctx.index.parent(parent)
    return False


def _later_fields(ctx: Context, node: ast.Dict, known: set[str]) -> list[FieldRef]:
    """`manifest["spec"] = {...}` after `manifest = {"apiVersion": ..., "kind": ...}`."""
    parent = ctx.index.parent(node)
    if not (isinstance(parent, ast.Assign) and len(parent.targets) == 1
            and isinstance(parent.targets[0], ast.Name)):
        return []
    scope = ctx.index.scope_of(node)
    binding = next((b for b in scope.bindings.get(parent.targets[0].id, ()) if b.value is node), None)
    if binding is None:
        return []
    out: list[FieldRef] = []
    for change in ctx.index.mutations_after(binding):
        if change.kind != "setitem" or not change.keys:
            continue
        path = ".".join(str(k.value) for k in change.keys)
        found: list[tuple[str, ast.AST, ast.expr | None]] = [(path, change.keys[-1], change.node)]
        found += [(p.path, p.key, p.value) for p in dict_paths(ctx.resolver, change.node, path + ".")]
        for field_path, key, value in found:
            if field_path not in known:
                known.add(field_path)
                out.append(FieldRef(field_path, ctx.location(key),
                                    scalar_value(ctx.resolver, field_path, value)))
    return out


# --------------------------------------------------------------------------- YAML text


def yaml_manifests(ctx: Context, node: ast.Constant | ast.JoinedStr) -> list[ManifestObject]:
    text = _yaml_text(ctx, node)
    if text is None or "apiVersion" not in text or "kind" not in text:
        return []
    if isinstance(node, ast.Constant):
        text = _PLACEHOLDER.sub(_HOLE, text)
    documents = _compose(ctx, node, text)
    if not documents:
        return []
    lines_match = text.count("\n") == (node.end_lineno or node.lineno) - node.lineno
    out: list[ManifestObject] = []
    for root in documents:
        if not isinstance(root, yaml.MappingNode):
            continue
        top = {k.value: v for k, v in root.value if isinstance(k, yaml.ScalarNode)}
        api, kind = top.get("apiVersion"), top.get("kind")
        if not isinstance(api, yaml.ScalarNode) or not isinstance(kind, yaml.ScalarNode):
            continue
        fields: list[FieldRef] = []
        _walk(ctx, node, root, "", lines_match, fields)
        meta = top.get("metadata")
        name = None
        if isinstance(meta, yaml.MappingNode):
            for k, v in meta.value:
                if isinstance(k, yaml.ScalarNode) and k.value == "name" and isinstance(v, yaml.ScalarNode):
                    name = v.value if _HOLE not in v.value else None
        api_version = str(api.value).replace(_HOLE, "{*}")
        kind_name = str(kind.value).replace(_HOLE, "{*}")
        confidence = Confidence.MEDIUM if "{*}" in api_version + kind_name else Confidence.HIGH
        stand_in = kind_stand_in(api_version, kind_name)
        if stand_in is not None:
            kind_name, confidence = stand_in, Confidence.LOW
        where = _mark_location(ctx, node, root.start_mark, lines_match, "apiVersion")
        out.append(ManifestObject(
            api_version=api_version,
            kind=kind_name,
            location=where,
            fields=tuple(fields),
            name=name,
            evidence=ctx.evidence(where.line - ctx.line_offset),
            confidence=confidence,
        ))
    return out


def kind_stand_in(api_version: str, kind: str) -> str | None:
    """The kind to judge a Run:ai object by when its kind is a placeholder (`{*}`,
    `{*}Workload`, `{*}Policy`); None when the kind is written or the object is not Run:ai's."""
    stand_ins = _KIND_STAND_INS.get(api_version)
    if stand_ins is None or "{*}" not in kind:
        return None
    workload, policy = stand_ins
    if kind.endswith("Policy"):
        return policy
    return workload if kind == "{*}" or kind.endswith(("Workload", "Job")) else None


def _yaml_text(ctx: Context, node: ast.Constant | ast.JoinedStr) -> str | None:
    if isinstance(node, ast.Constant):
        return node.value if isinstance(node.value, str) else None
    if not any(isinstance(v, ast.Constant) and "apiVersion" in str(v.value) for v in node.values):
        return None  # not a manifest: spare the resolver
    pieces: list[str] = []
    for value in node.values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            pieces.append(value.value)
        elif isinstance(value, ast.FormattedValue):
            pieces.append(_placeholder_value(ctx, value))
        else:
            pieces.append(_HOLE)
    return "".join(pieces)


def _placeholder_value(ctx: Context, value: ast.FormattedValue) -> str:
    """A `{name}` whose value the module states (`KIND = "TrainingWorkload"`); a hole otherwise.
    Only one-line words, so the text keeps the literal's lines and stays a YAML scalar."""
    if value.format_spec is not None or value.conversion not in (-1, ord("s")):
        return _HOLE
    literal = ctx.resolver.text(value.value).literal
    return literal if literal and _PLAIN_SCALAR.fullmatch(literal) else _HOLE


def _compose(ctx: Context, node: ast.expr, text: str) -> list[yaml.Node]:
    try:
        check_yaml(text)  # _walk expands aliases: a billion laughs would never end
        return [doc for doc in yaml.compose_all(text, Loader=yaml.SafeLoader) if doc is not None]
    except yaml.YAMLError:
        return []
    except InputLimit as exc:
        line = ctx.location(node).line
        ctx.problems.append(InputProblem(ctx.path, f"YAML in a string at line {line}: {exc.reason}", line))
        return []


def _walk(ctx: Context, node: ast.expr, yaml_node: yaml.Node, prefix: str, lines_match: bool,
          out: list[FieldRef]) -> None:
    if isinstance(yaml_node, yaml.MappingNode):
        for key, value in yaml_node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue
            path = prefix + str(key.value)
            scalar = None
            if isinstance(value, yaml.ScalarNode):
                raw = str(value.value)
                if (len(raw) <= _VALUE_MAX and _HOLE not in raw and not is_secret_name(str(key.value))
                        and not looks_opaque(raw)):
                    scalar = raw
            out.append(FieldRef(path, _mark_location(ctx, node, key.start_mark, lines_match, str(key.value)),
                                scalar))
            _walk(ctx, node, value, path + ".", lines_match, out)
    elif isinstance(yaml_node, yaml.SequenceNode):
        for item in yaml_node.value:
            _walk(ctx, node, item, prefix.rstrip(".") + "[].", lines_match, out)


def _mark_location(ctx: Context, node: ast.expr, mark: yaml.Mark, lines_match: bool, key: str
                   ) -> Location:
    if not lines_match:
        return ctx.location(node)
    lineno = node.lineno + mark.line
    source = ctx.line(lineno)
    estimate = mark.column
    if mark.line == 0:
        estimate += ctx.column(node.lineno, node.col_offset) - 1
    hits = [m.start() for m in re.finditer(re.escape(key), source)]
    if hits:
        return ctx.at(lineno, min(hits, key=lambda h: abs(h - estimate)) + 1)
    return ctx.at(lineno, estimate + 1)
