"""--changed-since against a real temporary git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from runai_audit.collect.changed import GitError, changed_files

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV, "HOME": str(repo.parent)}
    done = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def write(path: Path, text: str = "x\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    write(root / "keep.py")
    write(root / "edit.py")
    write(root / "gone.py")
    write(root / "old_name.sh", "echo moved\nline two\nline three\n")
    write(root / ".gitignore", "*.log\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "tag", "base")
    return root


def test_committed_staged_modified_renamed_and_untracked(repo: Path) -> None:
    write(repo / "edit.py", "changed\n")
    git(repo, "commit", "-q", "-am", "edit")
    (repo / "scripts").mkdir()
    git(repo, "mv", "old_name.sh", "scripts/new name.sh")  # renamed, staged, with a space
    (repo / "gone.py").unlink()  # deleted: nothing to scan
    write(repo / "added.yaml")
    git(repo, "add", "added.yaml")  # staged
    write(repo / "notes" / "untracked.md")  # untracked
    write(repo / "debug.log")  # ignored
    changed = changed_files(repo, "base")
    assert changed == {
        repo / "edit.py",
        repo / "scripts" / "new name.sh",
        repo / "added.yaml",
        repo / "notes" / "untracked.md",
    }


def test_paths_are_absolute_even_from_a_subfolder(repo: Path) -> None:
    write(repo / "sub" / "deep" / "new.py")
    write(repo / "edit.py", "modified in the working tree\n")
    changed = changed_files(repo / "sub" / "deep", "HEAD")
    assert changed == {repo / "sub" / "deep" / "new.py", repo / "edit.py"}
    assert all(p.is_absolute() for p in changed)


def test_nothing_changed(repo: Path) -> None:
    assert changed_files(repo, "HEAD") == set()


def test_unknown_ref(repo: Path) -> None:
    with pytest.raises(GitError) as err:
        changed_files(repo, "origin/nope")
    assert str(err.value).startswith(f"unknown git ref 'origin/nope' in {repo}")


def test_ref_that_looks_like_an_option_is_refused(repo: Path) -> None:
    with pytest.raises(GitError) as err:
        changed_files(repo, "--output=/tmp/x")
    assert str(err.value) == "--changed-since needs a git ref such as origin/main, got '--output=/tmp/x'"


def test_not_a_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # do not find a repository above
    with pytest.raises(GitError) as err:
        changed_files(plain, "HEAD")
    assert str(err.value).startswith(f"{plain} is not inside a git repository: fatal: not a git repository")


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(GitError) as err:
        changed_files(tmp_path / "missing" / "deeper", "HEAD")
    assert str(err.value) == f"{tmp_path / 'missing' / 'deeper'} does not exist"


def test_git_not_installed(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo / "no-bin-here"))
    with pytest.raises(GitError) as err:
        changed_files(repo, "HEAD")
    assert str(err.value) == "--changed-since needs git, which is not installed or not on PATH"
