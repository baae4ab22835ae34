"""The one frozen Config: read from `.runai-audit.yaml` or `[tool.runai-audit]`, overridden by flags.

Discovery walks up from the start folder and stops at the repository root (the folder holding
`.git`) or the filesystem root. Every key is checked: an unknown key or a value of the wrong type
is a ConfigError naming the file and the key, which the CLI turns into exit code 3. Paths in the
file are relative to the file's own folder, so a config works from any working directory.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

from runai_audit.gate.config_values import REPORT_FORMATS, ConfigError, check_settings
from runai_audit.gate.exemptions import Exemption
from runai_audit.limits import MAX_CONFIG_BYTES, InputLimit, check_yaml, read_capped
from runai_audit.models import DEFAULT_CONTEXT_LEVELS, DEFAULT_MAX_FILE_SIZE

__all__ = [
    "CONFIG_FILE_NAMES",
    "DEFAULT_MAX_FILE_SIZE",
    "REPORT_FORMATS",
    "Config",
    "ConfigError",
    "check_rule_ids",
    "display_path",
    "find_config",
    "load_config",
    "merge_cli",
]

CONFIG_FILE_NAMES = (".runai-audit.yaml", ".runai-audit.yml")


@dataclass(frozen=True)
class Config:
    target: str | None = None
    deployment: str = "self-hosted"
    as_of: str | None = None
    fail_on: str = "error"
    sunset_within: int | None = None
    exclude: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    spec: str | None = None
    baseline: str | None = None
    strict: bool = False
    jobs: int | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    severity: Mapping[str, str] = field(default_factory=dict, hash=False)
    # The highest severity of a finding written in docs or in a comment; "off" drops them.
    contexts: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_CONTEXT_LEVELS), hash=False)
    exemptions: tuple[Exemption, ...] = ()
    reports: Mapping[str, str] = field(default_factory=dict, hash=False)
    log_format: str | None = None
    include_service_accounts: bool = False
    history: str | None = None
    source: str = field(default="", compare=False)  # the file it came from, as shown in errors


_SETTINGS = tuple(f.name for f in fields(Config) if f.name != "source")


# --------------------------------------------------------------------------- finding the file


def find_config(start_dir: Path) -> Path | None:
    """The nearest `.runai-audit.yaml` or pyproject.toml with a `[tool.runai-audit]` table."""
    folder = start_dir.resolve()
    if folder.is_file():
        folder = folder.parent
    while True:
        for name in CONFIG_FILE_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _pyproject_table(pyproject) is not None:
            return pyproject
        if (folder / ".git").exists() or folder.parent == folder:
            return None
        folder = folder.parent


def load_config(explicit: Path | None, start_dir: Path) -> tuple[Config, Path | None]:
    """Load the explicit file, or the one found from start_dir upward; defaults when none."""
    path = explicit if explicit is not None else find_config(start_dir)
    if path is None:
        return Config(), None
    shown = display_path(path)
    if not path.is_file():
        raise ConfigError(shown, "", "does not exist or is not a file")
    if path.suffix == ".toml":
        table = _pyproject_table(path)
        if table is None:
            raise ConfigError(shown, "", "has no [tool.runai-audit] table")
        return _build(table, shown, path.resolve().parent, {}), path
    data, lines = _read_yaml(path, shown)
    return _build(data, shown, path.resolve().parent, lines), path


def merge_cli(config: Config, **flags: Any) -> Config:
    """Flags that were given override the file. None, and an empty tuple (what click passes for
    a `multiple=True` option that was not used), mean "not given"."""
    unknown = sorted(set(flags) - set(_SETTINGS))
    if unknown:
        raise TypeError(f"merge_cli() got unknown settings: {', '.join(unknown)}")
    changes: dict[str, Any] = {}
    for name, value in flags.items():
        if value is None or (isinstance(value, (list, tuple, dict)) and not value):
            continue
        changes[name] = tuple(value) if isinstance(value, list) else value
    return replace(config, **changes)


def check_rule_ids(config: Config, known: set[str] | frozenset[str]) -> None:
    """Raise ConfigError for a severity override or exemption naming a rule the catalog lacks."""
    for rule_id in config.severity:
        if rule_id not in known:
            raise ConfigError(config.source, f"severity.{rule_id}", "names a rule that is not in the catalog")
    for index, exemption in enumerate(config.exemptions):
        if exemption.rule not in known:
            raise ConfigError(
                config.source, f"exemptions[{index}].rule", f"names {exemption.rule}, which is not in the catalog"
            )


# --------------------------------------------------------------------------- reading


def display_path(path: Path) -> str:
    """Relative to the working folder when under it, so messages stay short."""
    absolute = path.absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


class _ConfigLoader(yaml.SafeLoader):
    """Keeps floats and dates as written (`target: 2.20` must stay "2.20", not 2.2) and reads
    only true/false as booleans, so `RA101: off` stays the word "off"."""


def _as_written(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(node.value)


def _true_false_only(loader: yaml.SafeLoader, node: yaml.Node) -> bool | str:
    word = str(node.value)
    return {"true": True, "false": False}.get(word.lower(), word)


_ConfigLoader.add_constructor("tag:yaml.org,2002:float", _as_written)
_ConfigLoader.add_constructor("tag:yaml.org,2002:timestamp", _as_written)
_ConfigLoader.add_constructor("tag:yaml.org,2002:bool", _true_false_only)


def _read_yaml(path: Path, shown: str) -> tuple[Any, dict[int, tuple[int, int]]]:
    """The document and, per exemption index, the (line, column) where that entry starts."""
    try:
        text = read_capped(path, MAX_CONFIG_BYTES).decode("utf-8")
        check_yaml(text)  # an alias bomb would expand while constructing
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(shown, "", f"cannot be read: {exc}") from None
    except InputLimit as exc:
        where = f" at line {exc.line}" if exc.line else ""
        raise ConfigError(shown, "", f"cannot be read{where}: {exc.reason}") from None
    except yaml.YAMLError:
        pass  # reported with its line by the loader below
    loader = _ConfigLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        _reject_duplicate_keys(node, shown, "")
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(shown, "", f"is not valid YAML{where}: {problem}") from None
    finally:
        loader.dispose()
    return data, _exemption_lines(node)


def _reject_duplicate_keys(node: yaml.Node, shown: str, prefix: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value).replace("-", "_") if isinstance(key_node, yaml.ScalarNode) else ""
            dotted = f"{prefix}{key}"
            if key and key in seen:
                lines = f"lines {seen[key]} and {key_node.start_mark.line + 1}"
                raise ConfigError(shown, dotted, f"is given twice ({lines})")
            seen[key] = key_node.start_mark.line + 1
            _reject_duplicate_keys(value_node, shown, f"{dotted}.")
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _reject_duplicate_keys(item, shown, f"{prefix.rstrip('.')}[{index}].")


def _exemption_lines(node: yaml.Node) -> dict[int, tuple[int, int]]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    for key_node, value_node in node.value:
        if key_node.value == "exemptions" and isinstance(value_node, yaml.SequenceNode):
            return {
                i: (item.start_mark.line + 1, item.start_mark.column + 1) for i, item in enumerate(value_node.value)
            }
    return {}


def _toml_module() -> Any:
    if sys.version_info >= (3, 11):
        import tomllib

        return tomllib
    return importlib.import_module("tomli")  # same API; a dependency on 3.10 only


def _pyproject_table(path: Path) -> dict[str, Any] | None:
    shown = display_path(path)
    try:
        text = read_capped(path, MAX_CONFIG_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError, InputLimit) as exc:
        raise ConfigError(shown, "", f"cannot be read: {exc}") from None
    if "runai-audit" not in text:
        return None  # most pyproject files never mention us: skip the parse
    try:
        document = _toml_module().loads(text)
    except ValueError as exc:  # tomllib.TOMLDecodeError is a ValueError
        raise ConfigError(shown, "", f"is not valid TOML: {exc}") from None
    table = document.get("tool", {}).get("runai-audit")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(shown, "tool.runai-audit", "must be a table")
    return table


def _build(data: Any, shown: str, base: Path, exemption_lines: Mapping[int, tuple[int, int]]) -> Config:
    return Config(**check_settings(data, shown, base, _SETTINGS, exemption_lines), source=shown)
