"""The options of one scan: what to read, which release to judge against, how to gate.

Built by the CLI (or a library caller) and handed to `api.run_scan`; the collect stage reads
the input half (paths, excludes, size limit, jobs), the rest passes through to judge and gate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from runai_audit.models import DEFAULT_CONTEXT_LEVELS, DEFAULT_MAX_FILE_SIZE


@dataclass(frozen=True)
class ScanOptions:
    paths: tuple[Path, ...] = ()
    stdin_text: str | None = None  # the text of "-", when given
    stdin_name: str = "-"
    stdin_skipped: str | None = None  # why "-" was not read (larger than the size limit)
    target: str | None = None  # None: the newest bundled release
    deployment: str = "self-hosted"
    as_of: str | None = None  # None: today
    rules: tuple[Path, ...] = ()
    spec: str | None = None  # a file; URLs are fetched by the CLI before this point
    spec_label: str | None = None  # how reports name the spec (the URL it came from)
    hosts: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    use_gitignore: bool = True
    default_excludes: bool = True  # skip virtual environments, installed packages, build output, .git
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    jobs: int | None = None
    sunset_within: int | None = None
    fail_on: str = "error"
    log_format: str | None = None
    include_service_accounts: bool = False
    only_files: frozenset[Path] | None = None  # --changed-since: scan just these (resolved paths)
    severity: tuple[tuple[str, str], ...] = ()  # rule id -> error|warning|note|off
    # context (docs, comment) -> the highest severity its findings get, or off
    contexts: tuple[tuple[str, str], ...] = tuple(sorted(DEFAULT_CONTEXT_LEVELS.items()))
    baseline: Path | None = None
    exemptions: tuple[object, ...] = ()
    config_file: Path | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False, hash=False)
