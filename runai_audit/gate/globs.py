"""One glob language for every path pattern a user writes: `--exclude`, the config's `exclude`
and exemption `path`s. It is .gitignore's, through pathspec (users already know it, and its
corner cases are settled):

- `*` and `?` stay inside one folder, `**` crosses folders;
- a pattern without a slash matches at any depth (`*.min.js`, `vendor`), a pattern with one is
  anchored at the repository root (`legacy/**`, `/tools/gen.py`); `**/*.min.js` matches at the
  root too;
- a folder pattern covers everything below it (`vendor`, `build/`); `!pattern` takes a path back.

Paths are POSIX and relative to the repository root, as findings show them. A pattern list is
compiled once into one PathSpec and reused for every path.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pathspec

__all__ = ["Globs", "compile_globs", "glob_match"]


class Globs:
    """A compiled list of gitignore-style patterns."""

    __slots__ = ("_spec", "patterns")

    def __init__(self, patterns: Iterable[str]) -> None:
        self.patterns = tuple(p for p in patterns if p.strip())
        self._spec = pathspec.GitIgnoreSpec.from_lines(self.patterns) if self.patterns else None

    def __bool__(self) -> bool:
        return self._spec is not None

    def matches(self, path: str, is_dir: bool = False) -> bool:
        """Whether `path` (POSIX, relative) is matched; folders are asked with is_dir so that
        folder-only patterns (`build/`) apply to them."""
        if self._spec is None:
            return False
        return bool(self._spec.match_file(f"{path}/" if is_dir else path))


@lru_cache(maxsize=512)
def compile_globs(patterns: tuple[str, ...]) -> Globs:
    return Globs(patterns)


def glob_match(pattern: str, path: str) -> bool:
    """Whether one pattern matches a POSIX path, in the gitignore language above."""
    return compile_globs((pattern,)).matches(path)
