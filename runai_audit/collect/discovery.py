"""Which files to scan: walk the given paths, honour .gitignore and --exclude, skip what we must.

Directory symlinks are never followed (so a walk cannot loop); file symlinks are read like files.
Binary files, files over the size limit, files that cannot be opened, FIFOs, sockets, devices and
dangling or looping symlinks are reported as skipped with a reason, never silently dropped (and
never opened).
"""

from __future__ import annotations

import errno
import fnmatch
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from runai_audit.limits import MAX_TEXT_BYTES, InputLimit, read_capped, regular_file_problem
from runai_audit.models import DEFAULT_MAX_FILE_SIZE, SkippedFile

ALWAYS_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "__pycache__", ".mypy_cache", ".ruff_cache",
                                 ".pytest_cache", ".tox", ".venv", "node_modules"})
# Recorded traffic is streamed, so the text size limit does not apply to it.
TRAFFIC_SUFFIXES = (".har", ".har.gz", ".zhar", ".jsonl", ".ndjson", ".log", ".log.gz", ".jsonl.gz")


@dataclass(frozen=True)
class Candidate:
    """A file to scan: where it is on disk and how reports name it."""

    path: Path
    display: str  # relative to the scan root, POSIX separators


@dataclass(frozen=True)
class WalkOptions:
    exclude: tuple[str, ...] = ()
    use_gitignore: bool = True
    max_file_size: int = DEFAULT_MAX_FILE_SIZE


def is_traffic_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(TRAFFIC_SUFFIXES) or "postman_collection" in lower


_GLOB = re.compile(r"[*?\[]")


class Excludes:
    """The --exclude patterns, prepared once per walk (40,000 of them used to cost seconds per
    folder). A pattern excludes a path it matches, its last name, anything below it, or any
    path ending in it. Literal patterns are set lookups; a glob is only tried on a path holding
    its literal head (the text before its first wildcard), found by lookups too."""

    def __init__(self, patterns: Sequence[str]) -> None:
        stripped = [pattern.rstrip("/") for pattern in patterns]
        self._literal = frozenset(p for p in stripped if not _GLOB.search(p))
        self._globs: dict[str, list[str]] = {}  # literal head -> globs
        for pattern in dict.fromkeys(p for p in stripped if _GLOB.search(p)):
            head = pattern[: _GLOB.search(pattern).start()]  # type: ignore[union-attr]
            self._globs.setdefault(head, []).append(pattern)
        self._head_sizes = sorted({len(head) for head in self._globs})
        self._compiled: dict[str, tuple[re.Pattern[str], ...]] = {}

    def __call__(self, display: str) -> bool:
        name = display.rsplit("/", 1)[-1]
        if self._literal and self._literal_match(display, name):
            return True
        return any(self._glob_match(pattern, display, name) for pattern in self._candidates(display))

    def _literal_match(self, display: str, name: str) -> bool:
        literal = self._literal
        if display in literal or name in literal:
            return True
        cut = display.find("/")
        while cut >= 0:  # a folder above it, or a tail of it, named exactly
            if display[:cut] in literal or display[cut + 1 :] in literal:
                return True
            cut = display.find("/", cut + 1)
        return False

    def _candidates(self, display: str) -> Iterator[str]:
        """Globs whose literal head starts the path or a tail of it (after a `/`)."""
        starts = [0] + [i + 1 for i, char in enumerate(display) if char == "/"]
        for start in starts:
            for size in self._head_sizes:
                if start + size > len(display):
                    break
                yield from self._globs.get(display[start : start + size], ())

    def _glob_match(self, pattern: str, display: str, name: str) -> bool:
        compiled = self._compiled.get(pattern)
        if compiled is None:
            compiled = tuple(re.compile(fnmatch.translate(v)) for v in (pattern, pattern + "/*", "*/" + pattern))
            self._compiled[pattern] = compiled
        whole, below, tail = compiled
        return bool(whole.match(display) or whole.match(name) or below.match(display) or tail.match(display)
                    or display.startswith(pattern + "/"))


class _IgnoreStack:
    """The .gitignore files in force for a folder: each applies to paths below its own folder."""

    def __init__(self) -> None:
        self._specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []

    def push(self, folder_display: str, folder: Path) -> int:
        ignore_file = folder / ".gitignore"
        try:
            lines = read_capped(ignore_file, MAX_TEXT_BYTES).decode("utf-8", "replace").splitlines()
        except (OSError, InputLimit):  # absent, or a FIFO / huge file that must not stall the walk
            return 0
        self._specs.append((folder_display, pathspec.GitIgnoreSpec.from_lines(lines)))
        return 1

    def pop(self, count: int) -> None:
        for _ in range(count):
            self._specs.pop()

    def ignored(self, display: str, is_dir: bool) -> bool:
        for base, spec in self._specs:
            rel = display[len(base) + 1:] if base else display
            if spec.match_file(rel + ("/" if is_dir else "")):
                return True
        return False


def why_not_read(path: Path) -> str | None:
    """None for a regular file (or a link to one); else the reason it is skipped. Never opens
    the file: a FIFO would block, a device never ends."""
    try:
        why = regular_file_problem(path)
    except OSError as exc:
        if path.is_symlink():
            loop = exc.errno == errno.ELOOP
            return "symbolic link loop" if loop else "dangling symbolic link (its target does not exist)"
        return f"cannot examine: {exc.strerror or type(exc).__name__}"
    if why == "a folder":
        return "symbolic link to a folder (not followed)"
    return why


def printable_name(name: str) -> str:
    """A file name as reports may show it. Names that are not UTF-8 reach Python with
    surrogate escapes, which no report encoding accepts; their bytes are shown as \\xNN."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return name


def _join(base: str, name: str) -> str:
    name = printable_name(name)
    return f"{base}/{name}" if base else name


def walk(
    root: Path, options: WalkOptions, skipped: list[SkippedFile], display_root: str = ""
) -> Iterator[Candidate]:
    """Files below `root` (a folder), in a stable order."""
    ignores = _IgnoreStack()
    excluded = Excludes(options.exclude)
    seen_dirs: set[tuple[int, int]] = set()

    def visit(folder: Path, display: str) -> Iterator[Candidate]:
        try:
            st = folder.stat()
        except OSError as exc:
            skipped.append(SkippedFile(display or ".", f"cannot open folder: {exc.strerror}"))
            return
        if (st.st_dev, st.st_ino) in seen_dirs:
            return
        seen_dirs.add((st.st_dev, st.st_ino))
        pushed = ignores.push(display, folder) if options.use_gitignore else 0
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(SkippedFile(display or ".", f"cannot list folder: {exc.strerror}"))
            ignores.pop(pushed)
            return
        for entry in entries:
            child_display = _join(display, entry.name)
            shown = _join(display_root, child_display) if display_root else child_display
            if excluded(child_display) or (shown != child_display and excluded(shown)):
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name in ALWAYS_SKIPPED_DIRS or ignores.ignored(child_display, True):
                    continue
                yield from visit(Path(entry.path), child_display)
                continue
            if ignores.ignored(child_display, False):
                continue
            why = why_not_read(Path(entry.path))
            if why:
                skipped.append(SkippedFile(shown, why))
            else:
                yield Candidate(Path(entry.path), shown)
        ignores.pop(pushed)

    yield from visit(root, "")


def discover(paths: Sequence[Path], options: WalkOptions, skipped: list[SkippedFile]) -> list[Candidate]:
    """Every file to scan below `paths`. Display paths are relative to the working directory
    when the file sits below it (so they read the same in CI and in SARIF), else relative to
    the folder given on the command line."""
    out: list[Candidate] = []
    seen: set[Path] = set()
    overlapping = len(paths) > 1  # only then can one file be reached twice
    for given in paths:
        if given.is_dir():
            base = printable_name(_relative_to_cwd(given) or "")
            for cand in walk(given, options, skipped, display_root=base):
                if overlapping:
                    key = cand.path.resolve()
                    if key in seen:
                        continue
                    seen.add(key)
                out.append(cand)
        elif given.is_symlink() or given.exists():
            why = why_not_read(given)
            if why:
                skipped.append(SkippedFile(_display_of(given), why))
                continue
            key = given.resolve()
            if key not in seen:
                seen.add(key)
                out.append(Candidate(given, _display_of(given)))
        else:
            skipped.append(SkippedFile(_display_of(given), "no such file or folder"))
    return out


def _relative_to_cwd(path: Path) -> str | None:
    """"" for the working directory itself, None when `path` is not below it."""
    try:
        rel = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return None
    return "" if rel == "." else rel


def _display_of(path: Path) -> str:
    rel = _relative_to_cwd(path)
    return printable_name(rel if rel else path.as_posix())
