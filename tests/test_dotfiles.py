"""Shell start-up files (.bashrc, .bash_aliases, *_aliases) have no extension and no shebang:
they are known by name, found by the folder walk and read by the shell scanner."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from runai_audit.api import ScanOptions, run_scan
from runai_audit.cli import main
from runai_audit.collect.filekinds import kind_from_name, sniff

FIXTURES = Path(__file__).parent / "fixtures" / "dotfiles"


def findings_by_file(root: Path) -> dict[str, list[tuple[str, int, int]]]:
    report = run_scan(ScanOptions(paths=(root,)))
    out: dict[str, list[tuple[str, int, int]]] = {}
    for f in report.findings:
        name = f.location.path.rsplit("/", 1)[-1]
        out.setdefault(name, []).append((f.rule_id, f.location.line, f.location.column))
    return {name: sorted(rows, key=lambda r: (r[1], r[2])) for name, rows in out.items()}


@pytest.mark.parametrize("name", [
    ".aliases", ".bash_aliases", ".runai_aliases", ".bashrc", ".zshrc", ".bash_functions",
    ".bash_profile", ".profile", ".zprofile", ".functions", "team_aliases", "gpu.aliases",
    "bashrc", "zshrc", ".zshrc.local", ".envrc",
])
def test_shell_start_up_files_are_shell_by_name(name: str) -> None:
    assert kind_from_name(name) == "shell"
    assert sniff(name, b"alias x='y'\n") == "shell"


@pytest.mark.parametrize("name", ["profile", "functions", "aliases", "my_aliases.py", "aliases.md", "README"])
def test_ambiguous_or_other_names_stay_what_they_were(name: str) -> None:
    # Without the dot, `profile` or `functions` may be anything: not claimed as shell.
    assert kind_from_name(name) != "shell"


def test_a_shebang_still_wins_over_the_name() -> None:
    assert sniff(".bash_functions", b"#!/usr/bin/env python3\nprint(1)\n") == "python"


def test_dotfiles_found_and_read_through_the_scan_api() -> None:
    found = findings_by_file(FIXTURES)
    # The alias value is a script: `runai` sits at column 11 of `alias rl='runai list jobs'`.
    # The function body runs even though nothing in the file calls it.
    assert found[".bash_aliases"] == [("RA610", 3, 11), ("RA601", 4, 10)]
    assert found[".runai_aliases"] == [("RA611", 1, 14)]  # `runai workload list` is CLI v2: silent
    assert found[".zshrc"] == [("RA602", 4, 5)]
    assert found["team.aliases"] == [("RA610", 1, 11)]
    assert ".bashrc" not in found  # aliases and functions, none about Run:ai


def test_dotfiles_through_the_real_cli(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(FIXTURES / ".bash_aliases", home / ".bash_aliases")
    shutil.copy(FIXTURES / ".bashrc", home / ".bashrc")
    (home / ".git").mkdir()  # hidden folders are still skipped
    (home / ".git" / "hooks.bash_aliases").write_text("alias q='runai list jobs'\n")
    result = CliRunner().invoke(main, ["scan", str(home), "--format", "json"], catch_exceptions=False)
    rows = [(f["rule_id"], Path(f["location"]["path"]).name, f["location"]["line"], f["location"]["column"])
            for f in json.loads(result.stdout)["findings"]]
    assert sorted(rows, key=lambda r: r[2]) == [
        ("RA610", ".bash_aliases", 3, 11),
        ("RA601", ".bash_aliases", 4, 10),
    ]
