"""`--changed-since REF`: the files a change touched, so CI scans only those.

"Changed" is what `git diff REF` sees (committed since REF, staged, or modified in the working
tree; added, copied, modified or renamed, not deleted) plus untracked files that are not
ignored. Git is run as a subprocess with fixed arguments; the ref is checked first so an unknown
one gives a clear message rather than git's usage text.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

__all__ = ["GitError", "changed_files"]

_TIMEOUT_SECONDS = 60


class GitError(Exception):
    """Git could not answer: not installed, not a repository, or an unknown ref."""


def changed_files(root: Path, ref: str) -> set[Path]:
    """Absolute paths of files changed since `ref` or untracked, in the repository holding root."""
    if not ref or ref.startswith("-"):
        raise GitError(f"--changed-since needs a git ref such as origin/main, got {ref!r}")
    folder = root if root.is_dir() else root.parent
    if not folder.is_dir():
        raise GitError(f"{root} does not exist")
    top = Path(_git(folder, "rev-parse", "--show-toplevel", what=f"{root} is not inside a git repository").strip())
    _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", what=f"unknown git ref {ref!r} in {top}")
    diffed = _git(top, "diff", "--name-only", "--diff-filter=ACMR", "-z", ref, "--", what=f"git diff {ref} failed")
    untracked = _git(top, "ls-files", "--others", "--exclude-standard", "-z", what="git ls-files failed")
    names = [n for n in (diffed + untracked).split("\0") if n]
    return {top / name for name in names}


def _git(cwd: Path, *args: str, what: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("--changed-since needs git, which is not installed or not on PATH") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"{what}: git took longer than {_TIMEOUT_SECONDS} seconds") from None
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()
        raise GitError(f"{what}: {detail[-1]}" if detail else what)
    return done.stdout
