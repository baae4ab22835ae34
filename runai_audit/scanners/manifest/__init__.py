"""Manifest scanner: Kubernetes YAML/JSON, Helm/Jinja templates, CI files -> observations.

In: manifest or CI YAML text, or a shell script's here-documents. Out: ScanResult with
ManifestObjects and the Run:ai URLs in config values. `scan_manifest` (in `scanner`) is the entry.
May import: scanners.shell, scanners.python, scanners.base, models.
"""

from __future__ import annotations

from runai_audit.scanners.manifest.heredoc import scan_shell_heredocs
from runai_audit.scanners.manifest.scanner import looks_like_json, scan_ci_yaml, scan_manifest

__all__ = ["looks_like_json", "scan_ci_yaml", "scan_manifest", "scan_shell_heredocs"]
