"""Getting a SpecIndex: the bundled Run:ai specs, or a user's file or document.

Bundled specs are trusted (checked when they were added) and parsed without validation, once
per process. A user's spec is validated with openapi-spec-validator; anything wrong with it
becomes a SpecError naming the file, the place in the document and the reason.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from runai_audit.knowledge.specs.body_fields import resolve_pointer
from runai_audit.knowledge.specs.index import SpecIndex
from runai_audit.limits import (
    MAX_DATA_BYTES,
    MAX_DEPTH,
    MAX_VALIDATED_PATHS,
    InputLimit,
    check_depth,
    check_yaml,
    gunzip_capped,
    read_capped,
)

_BUNDLE = re.compile(r"^runai-openapi-(\d+)\.(\d+)\.json\.gz$")
_MAX_REASON = 200
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class SpecError(Exception):
    """A spec that cannot be used. str() is the message for the user: "<source>: <reason> (at <JSON path>)"."""

    def __init__(self, source: str, reason: str, location: str = "") -> None:
        self.source = source
        self.reason = reason
        self.location = location  # JSON path such as "$.paths['/a'].get.parameters[0].in"
        where = f" (at {location})" if location else ""
        super().__init__(f"{source}: {reason}{where}")


# --------------------------------------------------------------------------- bundled


def _data_dir() -> Any:
    return resources.files("runai_audit.knowledge.specs") / "data"


@functools.lru_cache(maxsize=1)
def bundled_versions() -> tuple[str, ...]:
    """Releases with a bundled spec, oldest first: ("2.18", ..., "2.24")."""
    found = []
    for entry in _data_dir().iterdir():
        m = _BUNDLE.match(entry.name)
        if m:
            found.append((int(m.group(1)), int(m.group(2))))
    return tuple(f"{major}.{minor}" for major, minor in sorted(found))


@functools.cache
def load_bundled(version: str) -> SpecIndex:
    """The bundled spec of one release, parsed once per process."""
    if version not in bundled_versions():
        choices = ", ".join(bundled_versions())
        raise SpecError(f"bundled spec {version}", f"no bundled spec for this release (known: {choices})")
    name = f"runai-openapi-{version}.json.gz"
    doc = json.loads(gzip.decompress((_data_dir() / name).read_bytes()))
    # info.version in these files is "2.2" or "latest"; the release is what the file is for.
    return SpecIndex(doc, source=f"bundled:{name[:-3]}", version=version)


def _versions(versions: Iterable[str] | None) -> tuple[str, ...]:
    return bundled_versions() if versions is None else tuple(versions)


def versions_with(
    method: str, path: str, versions: Iterable[str] | None = None, allow_prefix: bool = False
) -> tuple[str, ...]:
    """Bundled releases whose spec has `method` on `path` (wildcards allowed), oldest first.

    Tells "removed" (in an older spec, not the target's) from "unsupported" (in none).
    """
    return tuple(v for v in _versions(versions) if load_bundled(v).find(method, path, allow_prefix))


def operations_in_any(versions: Iterable[str] | None = None) -> dict[tuple[str, str], tuple[str, ...]]:
    """(METHOD, spec template) -> the bundled releases that list it, for every operation."""
    seen: dict[tuple[str, str], list[str]] = {}
    for version in _versions(versions):
        for op in load_bundled(version).operations:
            seen.setdefault(op.key, []).append(version)
    return {key: tuple(found) for key, found in sorted(seen.items())}


# --------------------------------------------------------------------------- user specs


def _json_path(parts: Iterable[Any]) -> str:
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _IDENTIFIER.match(str(part)):
            out += f".{part}"
        else:
            out += f"[{str(part)!r}]"
    return out


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


# Errors below are jsonschema ValidationErrors (untyped here): message, validator,
# validator_value, instance, absolute_path, context.
def _leaves(error: Any) -> list[Any]:
    if not error.context:
        return [error]
    return [leaf for child in error.context for leaf in _leaves(child)]


def _pinpoint(error: Any) -> tuple[str, str]:
    """The most telling (location, reason) of a schema error.

    A bad parameter fails `oneOf` [Parameter, Reference] as a whole; the useful part is the
    deepest sub-error ("'nowhere' is not one of path, query, header, cookie" at ...in).
    """
    leaves = [e for e in _leaves(error) if not (e.validator == "required" and "'$ref'" in e.message)]
    if not leaves:
        return _json_path(error.absolute_path), _short(error.message)
    deepest = max(leaves, key=lambda e: len(e.absolute_path))
    if deepest.validator == "enum":
        same = [e for e in leaves if e.validator == "enum" and e.absolute_path == deepest.absolute_path]
        allowed = [v for e in same for v in (e.validator_value or [])]
        reason = f"{deepest.instance!r} is not one of {', '.join(map(str, dict.fromkeys(allowed)))}"
        return _json_path(deepest.absolute_path), _short(reason)
    return _json_path(deepest.absolute_path), _short(deepest.message)


def _refs(node: Any, trail: tuple[Any, ...] = ()) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """Every `$ref` string in the document with where it sits."""
    if isinstance(node, Mapping):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"], (*trail, "$ref")
        items: Iterable[tuple[Any, Any]] = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, child in items:
        yield from _refs(child, (*trail, key))


def _check_refs(doc: Mapping[str, Any], source: str) -> None:
    """Local references must resolve. The validator checks only some of them (not those in
    request bodies) and, when it does, cannot say where the bad one is."""
    for ref, trail in _refs(doc):
        if ref.startswith("#") and resolve_pointer(doc, ref) is None:
            raise SpecError(source, f"unresolvable reference {ref!r}", _json_path(trail))


def _validation_sample(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """The document with at most MAX_VALIDATED_PATHS path items: the schema validator costs
    about a millisecond per operation (100,000 took minutes). References are still all checked
    (_check_refs), and the index reads every operation whatever its shape."""
    paths = doc.get("paths")
    if not isinstance(paths, Mapping) or len(paths) <= MAX_VALIDATED_PATHS:
        return doc
    return {**doc, "paths": dict(itertools.islice(paths.items(), MAX_VALIDATED_PATHS))}


def _validate(doc: Mapping[str, Any], source: str) -> None:
    # Imported here: the validator and jsonschema take 50+ ms to import, which every run on a
    # bundled spec would otherwise pay.
    from openapi_spec_validator import validate
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
    from referencing.exceptions import Unresolvable

    _check_refs(doc, source)
    try:
        validate(_validation_sample(doc))
    except OpenAPIValidationError as error:
        location, reason = _pinpoint(error)
        raise SpecError(source, reason, location) from None
    except Unresolvable as error:  # a reference to another file or URL
        raise SpecError(source, f"unresolvable reference {str(getattr(error, 'ref', ''))!r}") from None
    except Exception as error:  # the validator has many private error types; all mean "unusable"
        reason = str(error) or type(error).__name__
        raise SpecError(source, f"not a valid OpenAPI document ({_short(reason)})") from None


def spec_problems(doc: Mapping[str, Any], source: str) -> list[SpecError]:
    """Every problem of an OpenAPI 3 document, not only the first: unresolvable local
    references, then each schema error at its most telling place. [] when it is valid."""
    from openapi_spec_validator import (
        OpenAPIV30SpecValidator,
        OpenAPIV31SpecValidator,
        OpenAPIV32SpecValidator,
    )

    problems = [
        SpecError(source, f"unresolvable reference {ref!r}", _json_path(trail))
        for ref, trail in _refs(doc)
        if ref.startswith("#") and resolve_pointer(doc, ref) is None
    ]
    if problems:
        return problems  # the validator cannot walk a document with broken references
    version = str(doc.get("openapi", ""))
    validator = {"3.1": OpenAPIV31SpecValidator, "3.2": OpenAPIV32SpecValidator}.get(version[:3], OpenAPIV30SpecValidator)
    try:
        for error in validator(_validation_sample(doc)).iter_errors():
            location, reason = _pinpoint(error)
            problems.append(SpecError(source, reason, location))
    except Exception:  # an unresolvable remote reference and the like: report what the one-shot check says
        try:
            _validate(doc, source)
        except SpecError as error:
            problems.append(error)
    return problems


def load_spec_document(doc: Any, source: str, validate: bool = True) -> SpecIndex:
    """Index an already-parsed OpenAPI 3 document (from a file or a tenant URL)."""
    if not isinstance(doc, Mapping):
        raise SpecError(source, "not an OpenAPI document (the top level is not a mapping)")
    version = doc.get("openapi")
    if not (isinstance(version, str) and version.startswith("3.")):
        found = "swagger 2.0" if "swagger" in doc else f"openapi {version!r}"
        raise SpecError(source, f"only OpenAPI 3.x documents are supported (found {found})", "$.openapi")
    doc = _numeric_version_as_text(doc)
    if validate:
        _validate(doc, source)
    return SpecIndex(doc, source=source)


def _numeric_version_as_text(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """Run:ai's own 2.18-2.20 specs say `"version": 2.18` (a number, which the schema forbids).
    Rejecting the vendor's spec for that helps no one, so the number is read as text."""
    info = doc.get("info")
    if isinstance(info, Mapping) and isinstance(info.get("version"), (int, float)):
        return {**doc, "info": {**info, "version": str(info["version"])}}
    return doc


def _string_keys(node: Any) -> Any:
    """YAML reads `200:` as an int key; OpenAPI keys are strings."""
    if isinstance(node, dict):
        return {str(k): _string_keys(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_string_keys(v) for v in node]
    return node


def parse_spec_text(text: str, source: str) -> Any:
    """JSON, or else YAML (safe loader only); both within the bounded-input policy."""
    try:
        if text.lstrip().startswith(("{", "[")):
            doc = _parse_json(text, source)
        else:
            check_yaml(text)  # before loading: an alias bomb expands in _string_keys
            doc = _parse_yaml(text, source)
        check_depth(doc, "the spec")
    except (InputLimit, RecursionError) as error:
        reason = error.reason if isinstance(error, InputLimit) else f"nests deeper than {MAX_DEPTH} levels"
        where = f" (line {error.line})" if isinstance(error, InputLimit) and error.line else ""
        raise SpecError(source, f"{reason}{where}") from None
    except yaml.YAMLError as error:
        raise SpecError(source, _yaml_reason(error)) from None
    return doc


def _parse_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise SpecError(source, f"not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None


def _parse_yaml(text: str, source: str) -> Any:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return _string_keys(yaml.load(text, Loader=loader))  # SafeLoader or its C twin, never the full one


def _yaml_reason(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
    problem = getattr(error, "problem", None) or "unreadable"
    return f"neither JSON nor YAML{where}: {problem}"


def load_spec_file(path: Path, validate: bool = True) -> SpecIndex:
    """Read, parse, validate and index a user's OpenAPI file (JSON or YAML, optionally .gz)."""
    source = str(path)
    try:
        raw = read_capped(path, MAX_DATA_BYTES)
        if path.suffix == ".gz":
            raw = gunzip_capped(raw, MAX_DATA_BYTES)
        text = raw.decode("utf-8-sig")
    except OSError as error:
        raise SpecError(source, f"cannot read the file ({error.strerror or type(error).__name__})") from None
    except InputLimit as error:
        raise SpecError(source, error.reason) from None
    except (UnicodeDecodeError, ValueError):
        raise SpecError(source, "not a UTF-8 text file") from None
    return load_spec_document(parse_spec_text(text, source), source=source, validate=validate)


def validate_spec_document(doc: Any, source: str) -> tuple[SpecIndex, list[SpecError]]:
    """Index a parsed document and list all its problems (`spec validate`); a document that
    is not OpenAPI 3 at all still raises SpecError."""
    index = load_spec_document(doc, source, validate=False)
    return index, spec_problems(_numeric_version_as_text(doc), source)
