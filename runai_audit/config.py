"""The one frozen Config: read from `.runai-audit.yaml` or `[tool.runai-audit]`, overridden by flags.

Discovery walks up from the start folder and stops at the repository root (the folder holding
`.git`) or the filesystem root. Every key is checked: an unknown key or a value of the wrong type
is a ConfigError naming the file and the key, which the CLI turns into exit code 3. Paths in the
file are relative to the file's own folder, so a config works from any working directory.
"""

from __future__ import annotations

import importlib
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from runai_audit.exemptions import Exemption

__all__ = [
    "CONFIG_FILE_NAMES",
    "DEFAULT_MAX_FILE_SIZE",
    "Config",
    "ConfigError",
    "check_rule_ids",
    "find_config",
    "load_config",
    "merge_cli",
]

CONFIG_FILE_NAMES = (".runai-audit.yaml", ".runai-audit.yml")
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
DEPLOYMENTS = ("self-hosted", "saas")
FAIL_ON = ("error", "warning", "note", "never")
SEVERITY_VALUES = ("error", "warning", "note", "off")
REPORT_FORMATS = ("csv", "github", "gitlab", "html", "json", "junit", "markdown", "sarif", "text")
EXEMPTION_KEYS = ("rule", "path", "subject", "reason", "owner", "expires")
_RULE_ID = re.compile(r"RA[1-9]\d\d")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


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
    exemptions: tuple[Exemption, ...] = ()
    reports: Mapping[str, str] = field(default_factory=dict, hash=False)
    log_format: str | None = None
    include_service_accounts: bool = False
    history: str | None = None
    source: str = field(default="", compare=False)  # the file it came from, as shown in errors


_SETTINGS = tuple(f.name for f in fields(Config) if f.name != "source")


class ConfigError(Exception):
    """A config file that cannot be used; `str()` names the file and the key."""

    def __init__(self, file: str | Path, key: str, message: str) -> None:
        self.file = file.as_posix() if isinstance(file, Path) else file
        self.key = key
        self.message = message
        super().__init__(self.file, key, message)

    def __str__(self) -> str:
        if self.key:
            return f"{self.file}: key '{self.key}' {self.message}"
        return f"{self.file}: {self.message}"


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
    shown = _display(path)
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


def _display(path: Path) -> str:
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
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(shown, "", f"cannot be read: {exc}") from None
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
    shown = _display(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
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


# --------------------------------------------------------------------------- checking values


def _build(data: Any, shown: str, base: Path, exemption_lines: Mapping[int, tuple[int, int]]) -> Config:
    if not isinstance(data, dict):
        raise ConfigError(shown, "", f"must be a mapping of settings, got {_show(data)}")
    values: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for raw_key, value in data.items():
        key = str(raw_key).replace("-", "_")
        if key not in _SETTINGS:
            raise ConfigError(shown, str(raw_key), f"is not allowed (allowed: {', '.join(sorted(_SETTINGS))})")
        if key in spelled:
            raise ConfigError(shown, str(raw_key), f"is given twice (also as '{spelled[key]}')")
        spelled[key] = str(raw_key)
        if value is None:
            continue  # `key:` with nothing after it keeps the default
        check = _CHECKS[key]
        values[key] = check(_Ctx(shown, key, base, exemption_lines), value)
    return Config(**values, source=shown)


@dataclass(frozen=True)
class _Ctx:
    file: str
    key: str
    base: Path
    exemption_lines: Mapping[int, tuple[int, int]]

    def error(self, message: str, key: str | None = None) -> ConfigError:
        return ConfigError(self.file, key or self.key, message)

    def at(self, key: str) -> _Ctx:
        return replace(self, key=key)


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "nothing"
    return str(value)


def _string(ctx: _Ctx, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        hint = " (quote it)" if isinstance(value, float) else ""
        raise ctx.error(f"must be a non-empty string{hint}, got {_show(value)}")
    return value


def _choice(options: tuple[str, ...]) -> Callable[[_Ctx, Any], str]:
    def check(ctx: _Ctx, value: Any) -> str:
        if value not in options:
            raise ctx.error(f"must be one of {', '.join(options)}, got {_show(value)}")
        return str(value)

    return check


def _integer(minimum: int) -> Callable[[_Ctx, Any], int]:
    def check(ctx: _Ctx, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ctx.error(f"must be an integer, got {_show(value)}")
        if value < minimum:
            raise ctx.error(f"must be at least {minimum}, got {value}")
        return value

    return check


def _boolean(ctx: _Ctx, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ctx.error(f"must be true or false, got {_show(value)}")
    return value


def _iso_date(ctx: _Ctx, value: Any) -> date:
    if isinstance(value, date):  # TOML has real dates
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ctx.error(f"must be a date like 2025-06-30, got {_show(value)}")


def _string_list(ctx: _Ctx, value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise ctx.error(f"must be a list of strings, got {_show(value)}")
    return tuple(items)


def _path(ctx: _Ctx, value: Any) -> str:
    text = _string(ctx, value)
    if re.match(r"https?://", text):
        return text  # --spec also takes a URL
    return os.path.normpath(ctx.base / Path(text).expanduser())


def _paths(ctx: _Ctx, value: Any) -> tuple[str, ...]:
    return tuple(_path(ctx, item) for item in _string_list(ctx, value))


def _severity(ctx: _Ctx, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ctx.error(f"must be a mapping of rule id to severity, got {_show(value)}")
    out: dict[str, str] = {}
    for rule_id, level in value.items():
        key = f"severity.{rule_id}"
        if not isinstance(rule_id, str) or not _RULE_ID.fullmatch(rule_id):
            raise ctx.error("is not a rule id (like RA101)", key)
        out[rule_id] = _choice(SEVERITY_VALUES)(ctx.at(key), level)
    return out


def _reports(ctx: _Ctx, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ctx.error(f"must be a mapping of format to output file, got {_show(value)}")
    out: dict[str, str] = {}
    for fmt, target in value.items():
        key = f"reports.{fmt}"
        if fmt not in REPORT_FORMATS:
            raise ctx.error(f"is not a report format (allowed: {', '.join(REPORT_FORMATS)})", key)
        out[str(fmt)] = _path(ctx.at(key), target)
    return out


def _exemptions(ctx: _Ctx, value: Any) -> tuple[Exemption, ...]:
    if not isinstance(value, list):
        raise ctx.error(f"must be a list of entries, got {_show(value)}")
    return tuple(_exemption(ctx, index, entry) for index, entry in enumerate(value))


def _exemption(ctx: _Ctx, index: int, entry: Any) -> Exemption:
    prefix = f"exemptions[{index}]"
    if not isinstance(entry, dict):
        raise ctx.error(f"must be a mapping with {', '.join(EXEMPTION_KEYS)}, got {_show(entry)}", prefix)
    for key in entry:
        if key not in EXEMPTION_KEYS:
            raise ctx.error(f"is not allowed (allowed: {', '.join(sorted(EXEMPTION_KEYS))})", f"{prefix}.{key}")
    for key in ("rule", "path", "reason", "owner", "expires"):
        if entry.get(key) is None:
            raise ctx.error("is required", f"{prefix}.{key}")
    rule = _string(ctx.at(f"{prefix}.rule"), entry["rule"])
    if not _RULE_ID.fullmatch(rule):
        raise ctx.error(f"must be a rule id like RA101, got {_show(rule)}", f"{prefix}.rule")
    subject = entry.get("subject")
    line, column = ctx.exemption_lines.get(index, (0, 0))
    return Exemption(
        rule=rule,
        path=_string(ctx.at(f"{prefix}.path"), entry["path"]),
        subject=None if subject is None else _string(ctx.at(f"{prefix}.subject"), subject),
        reason=_string(ctx.at(f"{prefix}.reason"), entry["reason"]),
        owner=_string(ctx.at(f"{prefix}.owner"), entry["owner"]),
        expires=_iso_date(ctx.at(f"{prefix}.expires"), entry["expires"]),
        source=ctx.file,
        line=line,
        column=column,
    )


def _as_of(ctx: _Ctx, value: Any) -> str:
    return _iso_date(ctx, value).isoformat()


_CHECKS: dict[str, Callable[[_Ctx, Any], Any]] = {
    "target": _string,
    "deployment": _choice(DEPLOYMENTS),
    "as_of": _as_of,
    "fail_on": _choice(FAIL_ON),
    "sunset_within": _integer(0),
    "exclude": _string_list,
    "hosts": _string_list,
    "rules": _paths,
    "spec": _path,
    "baseline": _path,
    "strict": _boolean,
    "jobs": _integer(1),
    "max_file_size": _integer(1),
    "severity": _severity,
    "exemptions": _exemptions,
    "reports": _reports,
    "log_format": _string,
    "include_service_accounts": _boolean,
    "history": _path,
}
