"""Write a whole file or nothing: every report, fetched spec and baseline goes through here.

The text goes to a temporary file in the target's own folder (same file system, so the rename
is atomic), is flushed to disk, then renamed over the target. A crash, a kill -9 or a full disk
leaves the previous file as it was. An existing target keeps its permission bits (a new one
gets the umask's), and a target that is not a regular file (a symbolic link, a FIFO, a device
such as /dev/full, a folder) is refused rather than replaced.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

__all__ = ["WriteError", "write_atomically"]

_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class WriteError(Exception):
    """The file could not be written; the message names it and why. The old file is intact."""


def _existing_mode(path: Path) -> int | None:
    """The permission bits of a regular file at `path`, None when there is none; WriteError
    for anything else, which a rename would silently replace."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    for test, kind in _KINDS:
        if test(info.st_mode):
            raise WriteError(f"cannot write {path}: it is {kind}, not a regular file; refusing to replace it")
    return stat.S_IMODE(info.st_mode)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; not every platform or file system can, which is fine."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomically(path: Path, data: str | bytes) -> None:
    """Replace `path` with `data` (str is written as UTF-8) in one step. Raises WriteError."""
    payload = data.encode("utf-8") if isinstance(data, str) else data  # fails before touching disk
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    mode = _existing_mode(path)
    tmp = folder / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
        try:
            if mode is not None:
                os.fchmod(fd, mode)
            _write_all(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        tmp.replace(path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    _sync_folder(folder)
