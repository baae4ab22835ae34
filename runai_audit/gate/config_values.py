"""Checking each config setting: type, range, choices; every message names the file and the key.

A config file is user input, so nothing here trusts it: unknown keys (at any depth) and values of
the wrong type are ConfigErrors, never a traceback or a silent default.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from runai_audit.gate.exemptions import Exemption

__all__ = ["DEPLOYMENTS", "EXEMPTION_KEYS", "FAIL_ON", "REPORT_FORMATS", "SEVERITY_VALUES", "ConfigError", "check_settings"]

DEPLOYMENTS = ("self-hosted", "saas")
FAIL_ON = ("error", "warning", "note", "never")
SEVERITY_VALUES = ("error", "warning", "note", "off")
REPORT_FORMATS = ("csv", "github", "gitlab", "html", "json", "junit", "markdown", "sarif", "text")
EXEMPTION_KEYS = ("rule", "path", "subject", "reason", "owner", "expires")
MAX_JOBS = 256  # as --jobs; the scan also never starts more workers than there are cores
_RULE_ID = re.compile(r"RA[1-9]\d\d")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


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


def check_settings(
    data: Any, shown: str, base: Path, allowed: tuple[str, ...], exemption_lines: Mapping[int, tuple[int, int]]
) -> dict[str, Any]:
    """Checked values by setting name (underscore spelling); keys left unset are absent."""
    if not isinstance(data, dict):
        raise ConfigError(shown, "", f"must be a mapping of settings, got {_show(data)}")
    values: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for raw_key, value in data.items():
        key = str(raw_key).replace("-", "_")
        if key not in allowed:
            raise ConfigError(shown, str(raw_key), f"is not allowed (allowed: {', '.join(sorted(allowed))})")
        if key in spelled:
            raise ConfigError(shown, str(raw_key), f"is given twice (also as '{spelled[key]}')")
        spelled[key] = str(raw_key)
        if value is None:
            continue  # `key:` with nothing after it keeps the default
        values[key] = _CHECKS[key](_Ctx(shown, key, base, exemption_lines), value)
    return values


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


def _integer(minimum: int, maximum: int | None = None) -> Callable[[_Ctx, Any], int]:
    def check(ctx: _Ctx, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ctx.error(f"must be an integer, got {_show(value)}")
        if value < minimum:
            raise ctx.error(f"must be at least {minimum}, got {value}")
        if maximum is not None and value > maximum:
            raise ctx.error(f"must be at most {maximum}, got {value}")
        return value

    return check


def _boolean(ctx: _Ctx, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ctx.error(f"must be true or false, got {_show(value)}")
    return value


def _iso_date(ctx: _Ctx, value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):  # TOML has real dates (and times)
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


CONTEXTS = ("docs", "comment")


def _contexts(ctx: _Ctx, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ctx.error(f"must be a mapping of context (docs, comment) to severity, got {_show(value)}")
    out: dict[str, str] = {}
    for context, level in value.items():
        key = f"contexts.{context}"
        if context not in CONTEXTS:
            raise ctx.error(f"is not a context (allowed: {', '.join(CONTEXTS)})", key)
        out[context] = _choice(SEVERITY_VALUES)(ctx.at(key), level)
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
    "jobs": _integer(1, MAX_JOBS),
    "max_file_size": _integer(1),
    "severity": _severity,
    "contexts": _contexts,
    "exemptions": _exemptions,
    "reports": _reports,
    "log_format": _string,
    "include_service_accounts": _boolean,
    "history": _path,
}
