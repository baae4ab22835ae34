"""The bounded-input policy: how much of any input a reader will take, in one place.

Every reader (files, stdin, recorded traffic, specs, the config file, YAML inside code) checks
its input against these limits, so no input can cost unbounded time or memory. A breach is an
`InputLimit` - a reason fit for a report and a line - that the caller turns into "path: reason"
and the scan goes on. README "Bounded input" documents the same numbers.

Imports nothing from the package, so every layer may use it.
"""

from __future__ import annotations

import os
import stat
import zlib
from pathlib import Path
from typing import IO, Any, BinaryIO

import yaml

MAX_TEXT_BYTES = 5 * 1024 * 1024  # a source file, notebook or manifest (--max-file-size)
MAX_STDIN_BYTES = MAX_TEXT_BYTES  # `scan -`
MAX_DATA_BYTES = 64 * 1024 * 1024  # an OpenAPI spec (Run:ai's are a few MB, after gunzip) or a baseline
MAX_CONFIG_BYTES = 1024 * 1024  # .runai-audit.yaml
MAX_DEPTH = 100  # JSON / YAML nesting; Kubernetes objects nest ~15, HAR entries ~8
MAX_YAML_ALIASES = 1_000  # alias uses per YAML stream
MAX_YAML_ALIAS_NODES = 100_000  # nodes aliases may add when expanded (billion laughs)
MAX_JSON_STRING_BYTES = 8 * 1024 * 1024  # longer strings in recorded traffic are cut here
MAX_INFLATE_RATIO = 500  # inflated : compressed; gzip of zeros is ~1000:1
INFLATE_RATIO_FREE_BYTES = 16 * 1024 * 1024  # the ratio is only checked past this much output
MAX_VALIDATED_PATHS = 2_000  # OpenAPI schema validation covers this many path items (~1 ms each)


class InputLimit(ValueError):
    """Input refused before it could cost unbounded time or memory."""

    def __init__(self, reason: str, line: int = 0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line  # 1-based; 0 when unknown


def regular_file_problem(path: Path) -> str | None:
    """Why `path` must not be opened (a FIFO blocks, /dev/zero never ends), or None for a
    regular file (symlinks followed). OSError when it cannot be examined."""
    mode = path.stat().st_mode
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO), not read"
    if stat.S_ISSOCK(mode):
        return "a socket, not read"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device, not read"
    return "not a regular file, not read"


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading; InputLimit for anything else. Opened without blocking
    and checked on the open descriptor, so a FIFO swapped in after a check cannot hang us."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputLimit("not a regular file, not read")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_capped(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`, read to at most max_bytes + 1
    whatever its size claims; InputLimit otherwise."""
    with open_regular(path) as handle:
        return read_at_most(handle, max_bytes)


def read_at_most(handle: IO[bytes], max_bytes: int) -> bytes:
    """Read a stream to its end, refusing (InputLimit) once it passes `max_bytes`."""
    data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputLimit(f"larger than {max_bytes} bytes; not read")
    return data


def read_text_at_most(handle: IO[str], max_chars: int) -> str:
    """Read a text stream (stdin) to its end, refusing once it passes `max_chars`."""
    text = handle.read(max_chars + 1)
    if len(text) > max_chars:
        raise InputLimit(f"larger than {max_chars} characters; not read")
    return text


def check_yaml(text: str) -> None:
    """Refuse (InputLimit) YAML that nests deeper than MAX_DEPTH, uses more than
    MAX_YAML_ALIASES aliases, or whose aliases would expand to more than MAX_YAML_ALIAS_NODES
    nodes. Runs on the parser's events before anything is composed or walked, so a 600-byte
    billion laughs costs microseconds. Malformed YAML raises yaml.YAMLError as usual.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    open_nodes: list[list[Any]] = []  # per open collection: [nodes below it, its anchor]
    sizes: dict[str, int] = {}  # anchor -> nodes it stands for, once its node is complete
    aliases = added = 0
    for event in yaml.parse(text, Loader=loader):
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            open_nodes.append([1, event.anchor])
            if len(open_nodes) > MAX_DEPTH:
                raise InputLimit(f"YAML nests deeper than {MAX_DEPTH} levels; refused", line)
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            size, anchor = open_nodes.pop()
        elif isinstance(event, yaml.ScalarEvent):
            size, anchor = 1, event.anchor
        elif isinstance(event, yaml.AliasEvent):
            size, anchor = sizes.get(event.anchor or "", 1), None
            aliases += 1
            added += size
            if aliases > MAX_YAML_ALIASES:
                raise InputLimit(f"YAML uses more than {MAX_YAML_ALIASES} aliases; refused", line)
            if added > MAX_YAML_ALIAS_NODES:
                raise InputLimit(f"YAML aliases expand to more than {MAX_YAML_ALIAS_NODES} nodes; "
                                 "refused (an alias bomb?)", line)
        else:
            continue
        if anchor:
            sizes[anchor] = size
        if open_nodes:
            open_nodes[-1][0] += size


def check_depth(document: object, what: str = "JSON") -> None:
    """Refuse (InputLimit) an already-parsed document nesting deeper than MAX_DEPTH. Iterative,
    and linear in the document: JSON has no aliases, and YAML passed check_yaml first."""
    stack: list[tuple[object, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        for child in children:
            if isinstance(child, (dict, list)):
                if depth >= MAX_DEPTH:
                    raise InputLimit(f"{what} nests deeper than {MAX_DEPTH} levels; refused")
                stack.append((child, depth + 1))


def gunzip_capped(data: bytes, max_bytes: int) -> bytes:
    """Inflate gzip data to at most `max_bytes` (InputLimit beyond); ValueError when corrupt."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise ValueError("not valid gzip data") from exc
    if len(out) > max_bytes:
        raise InputLimit(f"decompresses to more than {max_bytes} bytes; not read")
    if not inflater.eof:
        raise ValueError("gzip data ends early")
    return out
