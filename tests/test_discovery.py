from __future__ import annotations

import os
from pathlib import Path

import pytest

from runai_audit.collect.discovery import WalkOptions, discover
from runai_audit.collect.filekinds import sniff
from runai_audit.models import SkippedFile


def tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def names(root: Path, options: WalkOptions | None = None) -> tuple[list[str], list[SkippedFile]]:
    skipped: list[SkippedFile] = []
    old = Path.cwd()
    os.chdir(root)
    try:
        found = discover([Path()], options or WalkOptions(), skipped)
    finally:
        os.chdir(old)
    return [c.display for c in found], skipped


def test_walk_is_sorted_and_honours_nested_gitignore(tmp_path: Path) -> None:
    tree(tmp_path, {
        ".gitignore": "out/\n*.log\n!keep.log\n",
        "a.py": "x", "b/c.sh": "x", "b/.gitignore": "secret.txt\n", "b/secret.txt": "x",
        "out/gen.py": "x", "debug.log": "x", "keep.log": "x", "__pycache__/a.pyc": "x",
    })
    found, skipped = names(tmp_path)
    assert found == [".gitignore", "a.py", "b/.gitignore", "b/c.sh", "keep.log"]
    assert skipped == []


def test_exclude_globs_match_files_and_folders(tmp_path: Path) -> None:
    tree(tmp_path, {"a.py": "x", "vendor/x.py": "x", "tests/t_a.py": "x", "docs/n.md": "x"})
    found, _ = names(tmp_path, WalkOptions(exclude=("vendor", "tests/*.py", "*.md")))
    assert found == ["a.py"]


def test_gitignore_can_be_turned_off(tmp_path: Path) -> None:
    tree(tmp_path, {".gitignore": "*.sh\n", "run.sh": "x"})
    found, _ = names(tmp_path, WalkOptions(use_gitignore=False))
    assert found == [".gitignore", "run.sh"]


def test_directory_symlink_loop_is_not_followed(tmp_path: Path) -> None:
    tree(tmp_path, {"a/x.py": "x"})
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    found, skipped = names(tmp_path)
    assert found == ["a/x.py"]
    assert skipped == [SkippedFile("a/loop", "symbolic link to a folder (not followed)")]


def test_missing_path_is_reported_not_fatal(tmp_path: Path) -> None:
    skipped: list[SkippedFile] = []
    found = discover([tmp_path / "nope"], WalkOptions(), skipped)
    assert found == []
    assert [s.reason for s in skipped] == ["no such file or folder"]


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("deploy", b"#!/usr/bin/env bash\ncurl x", "shell"),
        ("tool", b"#!/usr/bin/python3\nimport requests", "python"),
        ("x.py", b"import os", "python"),
        ("Dockerfile", b"FROM python", "dockerfile"),
        ("Dockerfile.gpu", b"FROM python", "dockerfile"),
        ("GNUmakefile", b"all:", "makefile"),
        ("notes.json", b'{"cells": [], "metadata": {}, "nbformat": 4}', "notebook"),
        ("chart.yaml", b"apiVersion: v2", "yaml"),
        ("main.go", b"package main", "text"),
        ("README.md", b"# hi", "markdown"),
    ],
)
def test_kind_is_sniffed_from_name_and_content(name: str, head: bytes, kind: str) -> None:
    assert sniff(name, head) == kind
