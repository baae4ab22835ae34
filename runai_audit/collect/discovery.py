"""Which files to scan: walk the given paths, honour .gitignore and --exclude, skip what we must.

Directory symlinks are never followed (so a walk cannot loop); file symlinks are read like files.
Binary files, files over the size limit, files that cannot be opened, FIFOs, sockets, devices and
dangling or looping symlinks are reported as skipped with a reason, never silently dropped (and
never opened). So are the folders skipped by default because they are not the project (virtual
environments, installed packages, build output, .git).

Reports name files relative to the repository root (the git top level holding the scanned path,
else the working directory), whatever path was given, so a path in a report opens from the root.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from runai_audit.gate.globs import Globs, compile_globs
from runai_audit.limits import MAX_TEXT_BYTES, InputLimit, read_capped, regular_file_problem
from runai_audit.models import DEFAULT_MAX_FILE_SIZE, SkippedFile

# Tool caches: never the project and never worth a line in the coverage.
ALWAYS_SKIPPED_DIRS = frozenset({".hg", ".svn", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})
# Folders that hold someone else's code, skipped by default and listed in the coverage: a CI job
# that makes its venv in the workspace must not fail on the packages installed there (runai-audit's
# own included). --no-default-excludes scans them.
DEFAULT_EXCLUDED_DIRS = {
    ".git": "git metadata",
    ".venv": "a virtual environment",
    "venv": "a virtual environment",
    "site-packages": "installed Python packages",
    "__pypackages__": "installed Python packages",
    "node_modules": "installed npm packages",
    ".tox": "a tox environment",
    ".nox": "a nox environment",
    "dist": "build output",
    "build": "build output",
}
VENV_MARKER = "pyvenv.cfg"  # any folder holding it is a virtual environment, whatever its name
DEFAULT_EXCLUDE_NOTE = "skipped by default; --no-default-excludes scans it"
# Recorded traffic is streamed, so the text size limit does not apply to it.
TRAFFIC_SUFFIXES = (".har", ".har.gz", ".zhar", ".jsonl", ".ndjson", ".log", ".log.gz", ".jsonl.gz")


@dataclass(frozen=True)
class Candidate:
    """A file to scan: where it is on disk and how reports name it."""

    path: Path
    display: str  # relative to the repository root, POSIX separators
    legacy: str = ""  # how runai-audit before 0.2 named it, when that differs (baselines match both)


@dataclass(frozen=True)
class WalkOptions:
    exclude: tuple[str, ...] = ()
    use_gitignore: bool = True
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    default_excludes: bool = True


def is_traffic_name(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(TRAFFIC_SUFFIXES) or "postman_collection" in lower


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
    root: Path,
    options: WalkOptions,
    skipped: list[SkippedFile],
    display_root: str = "",
    excludes: Globs | None = None,
    legacy_root: str | None = None,
) -> Iterator[Candidate]:
    """Files below `root` (a folder), in a stable order. `display_root` is how reports name
    `root` itself; `excludes` the compiled --exclude patterns (compiled here when not given)."""
    globs = excludes if excludes is not None else compile_globs(tuple(options.exclude))
    ignores = _IgnoreStack()
    seen_dirs: set[tuple[int, int]] = set()
    renamed = legacy_root is not None and legacy_root != display_root

    def shown_as(child_display: str) -> str:
        return _join(display_root, child_display) if display_root else child_display

    def excluded(child_display: str, shown: str, is_dir: bool) -> bool:
        # Patterns are anchored at the repository root; those written relative to the scanned
        # folder (what earlier versions matched) still apply.
        if not globs:
            return False
        return globs.matches(shown, is_dir) or (shown != child_display and globs.matches(child_display, is_dir))

    def visit(folder: Path, display: str) -> Iterator[Candidate]:
        try:
            st = folder.stat()
        except OSError as exc:
            skipped.append(SkippedFile(shown_as(display) or ".", f"cannot open folder: {exc.strerror}"))
            return
        if (st.st_dev, st.st_ino) in seen_dirs:
            return
        seen_dirs.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            skipped.append(SkippedFile(shown_as(display) or ".", f"cannot list folder: {exc.strerror}"))
            return
        if display and options.default_excludes and any(e.name == VENV_MARKER for e in entries):
            skipped.append(SkippedFile(shown_as(display), f"a virtual environment ({VENV_MARKER}; {DEFAULT_EXCLUDE_NOTE})"))
            return
        pushed = ignores.push(display, folder) if options.use_gitignore else 0
        for entry in entries:
            child_display = _join(display, entry.name)
            shown = shown_as(child_display)
            is_dir = entry.is_dir(follow_symlinks=False)
            if excluded(child_display, shown, is_dir):
                continue
            if is_dir:
                if entry.name in ALWAYS_SKIPPED_DIRS:
                    continue
                if options.default_excludes and entry.name in DEFAULT_EXCLUDED_DIRS:
                    reason = f"{DEFAULT_EXCLUDED_DIRS[entry.name]} ({DEFAULT_EXCLUDE_NOTE})"
                    skipped.append(SkippedFile(shown, reason))
                    continue
                if ignores.ignored(child_display, True):
                    continue
                yield from visit(Path(entry.path), child_display)
                continue
            if ignores.ignored(child_display, False):
                continue
            why = why_not_read(Path(entry.path))
            if why:
                skipped.append(SkippedFile(shown, why))
            else:
                legacy = _join(legacy_root or "", child_display) if renamed else ""
                yield Candidate(Path(entry.path), shown, legacy if legacy != shown else "")
        ignores.pop(pushed)

    yield from visit(root, "")


def discover(paths: Sequence[Path], options: WalkOptions, skipped: list[SkippedFile]) -> list[Candidate]:
    """Every file to scan below `paths`, named relative to the repository root (see
    `display_name`). --exclude applies to files given by name too (pre-commit passes them so)."""
    out: list[Candidate] = []
    seen: set[Path] = set()
    excludes = compile_globs(tuple(options.exclude))  # once for the whole scan
    overlapping = len(paths) > 1  # only then can one file be reached twice
    for given in paths:
        shown = display_name(given)
        if given.is_dir():
            legacy_base = _relative_to_cwd(given) or ""
            for cand in walk(given, options, skipped, display_root=shown or "", excludes=excludes,
                             legacy_root=legacy_base if shown is not None else None):
                if overlapping:
                    key = cand.path.resolve()
                    if key in seen:
                        continue
                    seen.add(key)
                out.append(cand)
        elif given.is_symlink() or given.exists():
            display = printable_name(shown or given.as_posix())
            if excludes and excludes.matches(display):
                continue
            why = why_not_read(given)
            if why:
                skipped.append(SkippedFile(display, why))
                continue
            key = given.resolve()
            if key not in seen:
                seen.add(key)
                legacy = _relative_to_cwd(given) or given.as_posix()
                out.append(Candidate(given, display, legacy if legacy != display else ""))
        else:
            skipped.append(SkippedFile(_relative_to_cwd(given) or given.as_posix(), "no such file or folder"))
    return out


def repository_root(path: Path) -> Path | None:
    """The git top level holding `path`: the nearest folder with a `.git` entry (a folder, or the
    file a worktree or submodule has), as `git rev-parse --show-toplevel` finds it, without git."""
    folder = path.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def display_name(path: Path) -> str | None:
    """How reports name `path`: relative to its repository root, else to the working directory
    when it is below it ("" for the root itself); None when it is below neither."""
    resolved = path.resolve()
    root = repository_root(resolved)
    if root is None:
        cwd = Path.cwd().resolve()
        root = cwd if resolved == cwd or cwd in resolved.parents else None
    if root is None:
        return None
    rel = resolved.relative_to(root).as_posix()
    return "" if rel == "." else rel


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
