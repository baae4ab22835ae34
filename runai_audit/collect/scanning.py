"""Read one file and run the scanners for its kind. The I/O edge of the pipeline.

Text files are read whole (they are small and the size limit guards the rest); traffic files
are handed to streaming scanners by path. A scanner that fails unexpectedly costs that file's
observations from that scanner, reported with the path, never the scan.
"""

from __future__ import annotations

import codecs
import importlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from runai_audit.collect.discovery import Candidate
from runai_audit.collect.filekinds import kind_from_name, sniff
from runai_audit.judge.runai_judgement import names_other_vendor
from runai_audit.limits import InputLimit, open_regular, read_capped
from runai_audit.models import InputProblem, Observation, SkippedFile
from runai_audit.scanners.base import ScanResult, StreamStats
from runai_audit.scanners.lexical import contexts_of, merge, scan_lexical

# A cheap literal prefilter: a file with none of these (in lower case) cannot use a Run:ai API
# surface. Plain substring tests on lower-cased bytes run at memory speed; one alternation
# regex with IGNORECASE is several times slower.
PREFILTER_TOKENS = (
    b"runai", b"run.ai", b"run_ai", b"/v1/k8s", b"/api/v1/", b"/api/v2/", b"/auth/realms/",
    b"datasources/proxy", b"workload",
)


def may_touch_runai(data: bytes) -> bool:
    lowered = data.lower()
    return any(token in lowered for token in PREFILTER_TOKENS)


MENTIONS_RUNAI = re.compile(r"run[.:]ai|runai|run_ai", re.IGNORECASE)  # "Run:ai" is the product's own spelling
HEAD_BYTES = 8192
# Kinds a file name settles for good: such files are never recorded traffic.
NEVER_TRAFFIC = frozenset({"python", "shell", "markdown", "notebook", "yaml", "dockerfile", "makefile"})

# kind -> text scanners, as (module, function); imported when first needed.
TEXT_SCANNERS: dict[str, tuple[tuple[str, str], ...]] = {
    "python": (("runai_audit.scanners.python.scanner", "scan_python"),
               ("runai_audit.scanners.metrics", "scan_metrics")),
    "shell": (("runai_audit.scanners.shell.scanner", "scan_shell"),
              ("runai_audit.scanners.manifest.heredoc", "scan_shell_heredocs"),
              ("runai_audit.scanners.metrics", "scan_metrics")),
    "markdown": (("runai_audit.scanners.markdown.scanner", "scan_markdown"),),
    "dockerfile": (("runai_audit.scanners.dockerfile", "scan_dockerfile"),),
    "makefile": (("runai_audit.scanners.makefile", "scan_makefile"),),
    "notebook": (("runai_audit.scanners.notebook", "scan_notebook"),),
    "yaml": (("runai_audit.scanners.manifest.scanner", "scan_manifest"),
             ("runai_audit.scanners.manifest.scanner", "scan_ci_yaml"),
             ("runai_audit.scanners.metrics", "scan_metrics")),
    "json": (("runai_audit.scanners.manifest.scanner", "scan_manifest"),
             ("runai_audit.scanners.metrics", "scan_metrics")),
    "text": (("runai_audit.scanners.text", "scan_text_literals"),
             ("runai_audit.scanners.k8s_clients", "scan_k8s_clients"),
             ("runai_audit.scanners.metrics", "scan_metrics")),
}
STREAM_SCANNERS: dict[str, tuple[str, str]] = {
    "har": ("runai_audit.scanners.traffic", "scan_har"),
    "audit-log": ("runai_audit.scanners.traffic", "scan_audit_log"),
    "access-log": ("runai_audit.scanners.traffic", "scan_access_log"),
    "postman": ("runai_audit.scanners.traffic", "scan_postman"),
}


def load_function(module: str, name: str) -> Callable[..., object]:
    fn = getattr(importlib.import_module(module), name)
    if not callable(fn):
        raise TypeError(f"{module}.{name} is not callable")
    return fn  # type: ignore[no-any-return]


@dataclass
class FileResult:
    display: str
    kind: str = "text"
    observations: list[Observation] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    directives: tuple[object, ...] = ()
    mentions_runai: bool = False
    names_other_vendor: bool = False  # runai_judgement.names_other_vendor of the text
    # (line, column) -> "docs" or "comment" for the places observations point at; code elsewhere
    contexts: dict[tuple[int, int], str] = field(default_factory=dict)
    skipped: SkippedFile | None = None


UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")  # PEP 263


def decode_text(data: bytes, kind: str = "text") -> str:
    """UTF-8 (BOM tolerated) or UTF-16 with a BOM; raises UnicodeDecodeError for bad UTF-16.

    Other bytes are still read, never skipped (a gate that passes because a file could not be
    decoded lets its API calls through): Python by its PEP 263 coding cookie, anything else as
    UTF-8 with U+FFFD for the bytes that are not (the API names we look for are ASCII).
    """
    if data.startswith(UTF16_BOMS):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    encoding = _coding_cookie(data) if kind == "python" else None
    if encoding:
        try:
            return data.decode(encoding, "replace")
        except (LookupError, TypeError):  # a codec that is not a text encoding (rot13)
            pass
    return data.decode("utf-8", "replace")


def _coding_cookie(data: bytes) -> str | None:
    """The codec a Python file declares on its first two lines, if Python knows it."""
    for line in data.split(b"\n", 2)[:2]:
        found = _CODING.match(line)
        if found:
            try:
                return codecs.lookup(found.group(1).decode("ascii")).name
            except (LookupError, UnicodeDecodeError):
                return None
    return None


def scan_text_file(text: str, display: str, kind: str) -> FileResult:
    """Run every scanner of `kind` over already-decoded text."""
    from runai_audit.gate.suppress import find_directives

    result = FileResult(display, kind, mentions_runai=bool(MENTIONS_RUNAI.search(text)),
                        names_other_vendor=names_other_vendor(text))
    for module, name in TEXT_SCANNERS.get(kind, TEXT_SCANNERS["text"]):
        try:
            scanned = load_function(module, name)(text, display)
        except Exception as exc:  # a scanner bug must cost one file, never the scan
            result.problems.append(InputProblem(display, f"internal error in {name}: {type(exc).__name__}"))
            continue
        assert isinstance(scanned, ScanResult)
        result.observations.extend(scanned.observations)
        result.problems.extend(scanned.problems)
    # The safety net: written uses no structured reader saw (or could parse) still count.
    lexical = scan_lexical(text, display, kind)
    result.observations = merge(result.observations, lexical)
    result.contexts = contexts_of(result.observations, lexical.contexts)
    result.directives = tuple(find_directives(text))
    return result


# What our own outputs start with. A report or baseline committed to the tree (or written
# into it by the previous CI run) quotes deprecated paths by the dozen; scanning it would turn
# every finding into another one. Each marker goes with how the report's first byte reads, and
# code never counts: a marker in a script's string must not hide the script from the gate.
_JSON_START = (b"{", b"[")
OWN_OUTPUT_MARKERS = (
    (_JSON_START, re.compile(rb'"tool"\s*:\s*\{\s*"name"\s*:\s*"runai-audit"')),  # JSON report
    (_JSON_START, re.compile(rb'"driver"\s*:\s*\{[^{}]*"name"\s*:\s*"runai-audit"')),  # SARIF
    ((b"<",), re.compile(rb'<testsuites name="runai-audit"')),  # JUnit
    ((b"<",), re.compile(rb'<meta name="generator" content="runai-audit')),  # HTML
    (_JSON_START, re.compile(rb'"tool_version"[^{}]*"entries"\s*:\s*\[\s*\{\s*"fingerprint"')),  # baseline
    (_JSON_START, re.compile(rb'^\[\s*\{\s*"description"[^{}]*"check_name"\s*:\s*"RA\d')),  # GitLab Code Quality
    ((b"#",), re.compile(rb"^## Run:ai API audit: ")),  # Markdown summary
    ((b"r",), re.compile(rb"^rule_id,severity,status,")),  # CSV
)
NEVER_OWN_OUTPUT = frozenset({"python", "shell", "dockerfile", "makefile", "notebook", "yaml"})


def is_own_output(head: bytes, kind: str = "text") -> bool:
    if kind in NEVER_OWN_OUTPUT:
        return False
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return any(start.startswith(opening) and marker.search(head) for opening, marker in OWN_OUTPUT_MARKERS)


def scan_candidate(candidate: Candidate, max_file_size: int) -> FileResult:
    """Read one (non-traffic) file and scan it. Never raises."""
    display = candidate.display
    try:
        data = read_capped(candidate.path, max_file_size)
    except InputLimit as exc:
        too_large = exc.reason.startswith("larger than")
        reason = f"larger than {max_file_size} bytes" if too_large else exc.reason
        return FileResult(display, skipped=SkippedFile(display, reason))
    except OSError as exc:
        return FileResult(display, problems=[InputProblem(display, f"cannot read: {exc.strerror or exc}")])
    head = data[:HEAD_BYTES]
    if b"\x00" in head and not head.startswith(UTF16_BOMS):
        return FileResult(display, skipped=SkippedFile(display, "binary file"))
    kind = sniff(candidate.path.name, head)
    if is_own_output(head, kind):
        return FileResult(display, skipped=SkippedFile(display, "a runai-audit report or baseline"))
    utf16 = data.startswith(UTF16_BOMS)
    if not utf16 and not may_touch_runai(data):
        return FileResult(display, kind)
    try:
        text = decode_text(data, kind)
    except UnicodeDecodeError as exc:  # only UTF-16 with a BOM can fail
        return FileResult(display, kind, problems=[InputProblem(display, f"not UTF-16 text: {exc.reason}")])
    if utf16 and not may_touch_runai(text.encode("utf-8")):
        return FileResult(display, kind)  # the prefilter reads UTF-8 bytes; see it decoded
    return scan_text_file(text, display, kind)


def stream_kind(candidate: Candidate, log_format: str | None = None) -> str | None:
    """The traffic kind of a file, from its name and first bytes; None for ordinary files.
    With a custom --log-format, every *.log file is an access log in that format."""
    from runai_audit.scanners.traffic import sniff_traffic_kind

    if kind_from_name(candidate.path.name) in NEVER_TRAFFIC:
        return None  # no need to open the file twice
    try:
        with open_regular(candidate.path) as fh:
            head = fh.read(HEAD_BYTES)
    except (OSError, InputLimit):
        return None
    kind = sniff_traffic_kind(head, candidate.path.name)
    if kind is None and log_format and candidate.path.name.lower().endswith((".log", ".log.gz")):
        kind = "access-log"
    return kind if kind in STREAM_SCANNERS else None


def stream_observations(
    candidate: Candidate, kind: str, stats: StreamStats, options: object
) -> Iterator[Observation]:
    module, name = STREAM_SCANNERS[kind]
    scanner = load_function(module, name)
    yield from scanner(candidate.path, candidate.display, stats, options)  # type: ignore[misc]
