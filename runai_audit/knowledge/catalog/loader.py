"""Load the rule catalog: the built-in rules/ folder plus any user rule files given with --rules.

Every *.yaml in the folder except releases.yaml and vocabulary.yaml holds rows (a YAML list). All problems in all
files are collected and raised together as one CatalogError, each as `file:line: problem`, so a
catalog author fixes everything in one pass. A user row may replace a built-in rule only on
purpose, by repeating its id in `overrides:`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from runai_audit.knowledge.catalog.model import Rule
from runai_audit.knowledge.catalog.releases import Releases, load_releases
from runai_audit.knowledge.catalog.rows import parse_row
from runai_audit.knowledge.catalog.source import CatalogError, items, line_of, parse_yaml, type_name
from runai_audit.knowledge.resources import rules_dir
from runai_audit.limits import MAX_TEXT_BYTES, InputLimit, read_capped
from runai_audit.models import RuleInfo

RELEASES_FILE = "releases.yaml"
VOCABULARY_FILE = "vocabulary.yaml"  # words for the lexical layer, not rows
RULE_SUFFIXES = (".yaml", ".yml")


class UnknownRuleError(KeyError):
    """A rule id the catalog does not hold; the message suggests close ids."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown rule id"


@dataclass(frozen=True)
class Catalog:
    rules: tuple[Rule, ...]  # sorted by id
    releases: Releases
    version: str  # releases.yaml catalog_version, "+local" when user rules were added
    _by_id: dict[str, Rule] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({r.id: r for r in self.rules})

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._by_id

    def get(self, rule_id: str) -> Rule:
        try:
            return self._by_id[rule_id]
        except KeyError:
            close = close_ids(rule_id, self.ids)
            hint = f"did you mean {', '.join(close)}?" if close else "run `runai-audit rules` for the list"
            raise UnknownRuleError(f"unknown rule id {rule_id!r}; {hint}") from None

    def by_kind(self, kind: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.match_kind == kind)


def close_ids(wanted: str, ids: Sequence[str], limit: int = 3) -> list[str]:
    """Ids one typo away from `wanted` first (RA1O1 -> RA101), then similar-looking ones."""
    text = wanted.strip().upper()

    def same_places(rule_id: str) -> int:
        return sum(a == b for a, b in zip(text, rule_id, strict=True)) if len(rule_id) == len(text) else 0

    ranked = sorted(ids, key=lambda i: (-same_places(i), -difflib.SequenceMatcher(None, text, i).ratio(), i))
    return [i for i in ranked if same_places(i) >= len(text) - 1 or difflib.SequenceMatcher(None, text, i).ratio() >= 0.8][:limit]


def _rule_files(folder: Path) -> list[Path]:
    not_rows = (RELEASES_FILE, VOCABULARY_FILE)
    return sorted(p for p in folder.iterdir() if p.suffix in RULE_SUFFIXES and p.name not in not_rows and p.is_file())


def _user_files(path: Path, problems: list[str]) -> list[Path]:
    """The rule files a --rules argument names: itself, or the *.yaml files of a folder."""
    if path.is_dir():
        files = _rule_files(path)
        if not files:
            problems.append(f"{path}: the folder holds no *.yaml rule files")
        return files
    if path.is_file():
        return [path]
    problems.append(f"{path}: no such rule file or folder")
    return []


def _read_rows(path: Path, origin: str, releases: Releases, user: bool, problems: list[str]) -> list[Rule]:
    try:
        text = read_capped(path, MAX_TEXT_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError, InputLimit) as exc:
        problems.append(f"{origin}: cannot read the rules file: {getattr(exc, 'strerror', None) or exc}")
        return []
    try:
        doc = parse_yaml(text, origin)
    except CatalogError as exc:
        problems.extend(exc.problems)
        return []
    if doc.data is None:
        return []  # an empty file adds nothing
    if not isinstance(doc.data, list):
        problems.append(f"{origin}:{line_of(doc.node)}: a rules file is a list of rows (- id: RA101 ...), not {type_name(doc.data)}")
        return []
    rules: list[Rule] = []
    for data, node in zip(doc.data, items(doc.node), strict=True):
        rule, row_problems = parse_row(data, node, origin, releases, user=user)
        problems.extend(row_problems)
        if rule is not None:
            rules.append(rule)
    return rules


def _add_builtin(rules: Iterable[Rule], into: dict[str, Rule], problems: list[str]) -> None:
    for rule in rules:
        if rule.id in into:
            problems.append(f"{rule.origin}: duplicate id {rule.id} (first defined at {into[rule.id].origin})")
        else:
            into[rule.id] = rule


def _add_user(rules: Iterable[Rule], builtin: dict[str, Rule], into: dict[str, Rule], problems: list[str]) -> None:
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in seen:
            problems.append(f"{rule.origin}: duplicate id {rule.id} (first defined at {seen[rule.id].origin})")
            continue
        seen[rule.id] = rule
        if rule.id in builtin and rule.overrides != rule.id:
            problems.append(
                f"{rule.origin}: {rule.id} is a built-in rule ({builtin[rule.id].origin}); "
                f"pick another id, or add `overrides: {rule.id}` to replace it on purpose"
            )
        elif rule.overrides and rule.id not in builtin:
            problems.append(f"{rule.origin}: {rule.id}: overrides {rule.overrides}, but there is no built-in rule {rule.overrides}")
        else:
            into[rule.id] = rule


def load_catalog(extra_paths: Sequence[Path] = (), *, builtin_dir: Path | None = None) -> Catalog:
    """The built-in catalog plus user rule files/folders; CatalogError lists every problem."""
    folder = builtin_dir or rules_dir()
    label = "rules" if builtin_dir is None else folder.name
    releases = load_releases(folder / RELEASES_FILE, f"{label}/{RELEASES_FILE}")
    problems: list[str] = []
    builtin: dict[str, Rule] = {}
    for path in _rule_files(folder):
        _add_builtin(_read_rows(path, f"{label}/{path.name}", releases, False, problems), builtin, problems)
    merged = dict(builtin)
    user_rules: list[Rule] = []
    for given in extra_paths:
        for path in _user_files(given, problems):
            user_rules.extend(_read_rows(path, str(path), releases, True, problems))
    _add_user(user_rules, builtin, merged, problems)
    if problems:
        raise CatalogError(problems)
    version = releases.catalog_version + ("+local" if user_rules else "")
    return Catalog(tuple(sorted(merged.values(), key=lambda r: r.id)), releases, version)


def rule_infos(catalog: Catalog) -> tuple[RuleInfo, ...]:
    """What reporters need about every rule (SARIF driver rules, HTML help)."""
    return tuple(
        RuleInfo(
            id=r.id, title=r.title, description=r.description or r.title, family=r.family,
            docs_url=r.docs_url, sources=r.sources,
        )
        for r in catalog.rules
    )
