"""Cluster API manifests: the REST requests `migrate` builds, as files named after the objects.

`fix --write --migrate-dir DIR` never deletes a manifest; it writes one JSON file per workload
object (method, path, body, unmapped fields) so the change can be reviewed and sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from runai_audit.migrate.convert import Migration, MigrationError, migrate_all

_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def request_name(migration: Migration, taken: Iterable[str]) -> str:
    """`<object name>.<kind>.json`, made safe as a file name and unique among `taken`."""
    name = _UNSAFE_NAME.sub("-", str(migration.body.get("name") or "")).strip("-.") or "workload"
    base = f"{name}.{migration.kind.lower()}"
    used = set(taken)
    candidate, number = f"{base}.json", 2
    while candidate in used:
        candidate, number = f"{base}-{number}.json", number + 1
    return candidate


def request_text(migration: Migration) -> str:
    data = {"method": migration.method, "path": migration.path, "body": migration.body,
            "unmapped": list(migration.unmapped)}
    return json.dumps(data, indent=2) + "\n"


def migrations_of(text: str) -> list[Migration] | str:
    """Every migratable workload in a manifest file, or why there is none."""
    try:
        found = migrate_all(text)
    except MigrationError as exc:
        return str(exc)
    return found or "no workload that migrate can translate"


def from_snippet(kind: str, snippet: str) -> Migration | None:
    """The request a finding already carries (values masked), for a workload that is not a file
    of its own (a heredoc in a script, a kustomize patch)."""
    head, _, rest = snippet.partition("\n")
    method, _, path = head.partition(" ")
    body_text, _, unmapped = rest.partition("\n# not mapped: ")
    try:
        body = json.loads(body_text)
    except ValueError:
        return None
    if not isinstance(body, dict) or not path.startswith("/"):
        return None
    fields = tuple(u.strip() for u in unmapped.split(",") if u.strip())
    return Migration(method, path, body, fields, kind)
