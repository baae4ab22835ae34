"""The lexical layer's token tables, generated from the catalog so they cannot drift from it.

Scanners know nothing of rules, and the lexical layer runs on every file: it reads these few
words from a generated module instead of loading the catalog in every worker. A test checks
that the module is current; regenerate it with REGENERATE.
"""

from __future__ import annotations

from collections.abc import Iterable

from runai_audit.knowledge.catalog.loader import VOCABULARY_FILE, Catalog, load_catalog
from runai_audit.knowledge.catalog.source import parse_yaml
from runai_audit.knowledge.resources import rules_dir

REGENERATE = "python -m runai_audit.knowledge.catalog.tokens > runai_audit/scanners/lexical/tokens.py"
TOKEN_ENDPOINT = "POST /api/v1/token"


def _words(values: Iterable[str]) -> str:
    return "frozenset({" + ", ".join(repr(v) for v in sorted(set(values))) + "})"


def cli_vocabulary(catalog: Catalog, vocabulary: dict[str, object]) -> set[str]:
    """First command words of the runai CLI rows, plus the CLI v2 nouns and shared commands."""
    words = {str(r.match["command"][0]) for r in catalog.by_kind("cli")
             if r.match.get("binary") == "runai" and r.match.get("command")}
    for key in ("cli_v2_nouns", "cli_shared_commands"):
        entry = vocabulary.get(key)
        if isinstance(entry, dict):
            words.update(str(w) for w in entry.get("words") or ())
    return words


def token_body(catalog: Catalog) -> tuple[set[str], set[str], set[str]]:
    """(grant type keys, legacy grant values, app key fields) of the token request rows."""
    keys: set[str] = set()
    grants: set[str] = set()
    fields: set[str] = set()
    for rule in catalog.rules:
        if TOKEN_ENDPOINT not in (rule.match.get("endpoints") or ()):
            continue
        if rule.match_kind == "enum_value":
            keys.add(str(rule.match["field"]).lower())
            grants.add(str(rule.match["value"]).lower())
        elif rule.match_kind == "body_field":
            fields.add(str(rule.match["field"]).lower())
    return keys, grants, fields


def render(catalog: Catalog, vocabulary: dict[str, object]) -> str:
    keys, grants, fields = token_body(catalog)
    return "\n".join([
        '"""Generated from the catalog (rules/) by runai_audit.knowledge.catalog.tokens; do not edit.',
        "",
        f"Regenerate: {REGENERATE}",
        '"""',
        "",
        "# First words of runai commands: CLI v1 commands of the catalog, CLI v2 nouns, shared commands.",
        f"RUNAI_CLI_VOCABULARY = {_words(cli_vocabulary(catalog, vocabulary))}",
        "# The legacy application-token request body (lower case).",
        f"GRANT_TYPE_KEYS = {_words(keys)}",
        f"LEGACY_GRANT_TYPES = {_words(grants)}",
        f"TOKEN_BODY_KEYS = {_words(fields)}",
        f"TOKEN_PATH = {TOKEN_ENDPOINT.split()[1]!r}",
        "",
    ])


def current() -> str:
    vocabulary_file = rules_dir() / VOCABULARY_FILE
    vocabulary = parse_yaml(vocabulary_file.read_text(encoding="utf-8"), str(vocabulary_file)).data
    return render(load_catalog(), vocabulary if isinstance(vocabulary, dict) else {})


if __name__ == "__main__":
    print(current(), end="")
