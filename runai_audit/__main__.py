from __future__ import annotations

from runai_audit.cli import main

main()
