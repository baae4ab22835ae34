"""runai-audit: find deprecated, removed and unsupported NVIDIA Run:ai API use."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
