"""Where the shipped data lives: inside the wheel, or at the top of a source checkout.

The catalog (`rules/`) and report templates (`reports/`) sit at the top of the repository so
they are easy to read and review; the wheel carries them as `runai_audit/_data/...`.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # the runai_audit package folder


def data_dir(name: str) -> Path:
    """The folder `rules` or `reports`, installed or from a checkout."""
    installed = _PACKAGE_DIR / "_data" / name
    if installed.is_dir():
        return installed
    checkout = _PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"runai-audit data folder {name!r} is missing from the installation")


def rules_dir() -> Path:
    return data_dir("rules")


def reports_dir() -> Path:
    return data_dir("reports")


def schema_path(name: str) -> Path:
    """The JSON Schema `config` (.runai-audit.yaml) or `report` (--format json), shipped in the
    package; docs/schemas/ holds the same files for editors and readers."""
    return _PACKAGE_DIR / "knowledge" / "schemas" / f"{name}.schema.json"
