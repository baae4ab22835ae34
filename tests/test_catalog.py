"""The rule catalog: meta-tests over the shipped rows, and the loader's checks and error messages."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from runai_audit.knowledge.catalog import (
    MATCH_KINDS,
    Catalog,
    CatalogError,
    load_catalog,
    load_releases,
    render_markdown,
    rule_infos,
)
from runai_audit.knowledge.catalog.releases import parse_releases
from runai_audit.knowledge.resources import rules_dir

REPO = Path(__file__).resolve().parents[1]
CASES_DIR = Path(__file__).parent / "cases"
GENERIC_SEVERITIES = {
    "RA100": None, "RA190": None, "RA191": None, "RA290": None, "RA291": None, "RA292": None,
    "RA700": "warning", "RA701": "warning", "RA702": "warning",
    "RA900": "note", "RA901": "note", "RA902": "note", "RA903": "warning", "RA904": "note",
}
# Which id family each shipped file may hold.
FILE_FAMILIES = {"endpoints.yaml": "1", "fields.yaml": "2", "auth.yaml": "5"}
# A source is a repository path ("owner/repo path"), a URL, a bundled spec ("spec 2.18 ..."), an
# RFC, or (for the audit's own rules) the OpenAPI flag or the tool itself.
SOURCE_SHAPES = re.compile(
    r"^([\w.-]+/[\w.-]+ \S|spec \d+\.\d+\b|https?://|RFC \d+|OpenAPI |bundled OpenAPI specs|runai-audit )"
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# --------------------------------------------------------------------------- meta-tests


def test_ids_are_unique_sorted_and_well_formed(catalog: Catalog) -> None:
    ids = [r.id for r in catalog.rules]
    assert ids == sorted(set(ids))
    assert all(re.fullmatch(r"RA[1-9]\d\d", i) for i in ids)


def test_every_row_names_its_sources(catalog: Catalog) -> None:
    for rule in catalog.rules:
        assert rule.sources, rule.id
        for source in rule.sources:
            assert SOURCE_SHAPES.match(source), f"{rule.id}: source {source!r} has an unknown shape"


def test_every_row_has_a_replacement_or_says_none(catalog: Catalog) -> None:
    for rule in catalog.rules:
        assert isinstance(rule.replacement, str) and rule.replacement.strip(), rule.id
        assert rule.replacement == "none" or rule.replacement.lower() != "none", rule.id


def test_every_match_kind_is_registered(catalog: Catalog) -> None:
    for rule in catalog.rules:
        assert rule.match_kind in MATCH_KINDS, rule.id


def test_rest_match_kinds_have_matchers() -> None:
    from runai_audit.judge.matchers import rest
    from runai_audit.judge.matchers.registry import ENGINE_KINDS

    assert {"body_field", "query_param", "enum_value"} <= set(rest.MATCHERS)
    assert "endpoint" in ENGINE_KINDS  # ranked by the engine: the most concrete template wins


def test_every_version_is_a_known_release(catalog: Catalog) -> None:
    for rule in catalog.rules:
        for version in (rule.deprecated_in, rule.removed_in):
            assert version is None or version in catalog.releases, rule.id


def test_rows_sit_in_the_file_of_their_family(catalog: Catalog) -> None:
    for rule in catalog.rules:
        file = rule.origin.split(":")[0].split("/")[-1]
        if file == "generic.yaml":
            assert rule.id in GENERIC_SEVERITIES
        elif file in FILE_FAMILIES:
            assert rule.id[2] == FILE_FAMILIES[file], f"{rule.id} is in {file}"


def test_generic_rules_have_fixed_ids_and_severities(catalog: Catalog) -> None:
    generic = {r.id: r.severity for r in catalog.by_kind("generic")}
    assert generic == GENERIC_SEVERITIES


def test_auth_things_live_only_in_the_auth_family(catalog: Catalog) -> None:
    auth_paths = re.compile(r"^/(auth/realms/|v1/k8s/auth/|api/v1/token$|api/v1/apps|v1/k8s/apps|api/v1/user-applications|api/v1/administration/user-applications)")
    for rule in catalog.rules:
        if rule.family == "auth":
            continue
        assert not auth_paths.match(str(rule.match.get("path", ""))), rule.id
        assert str(rule.match.get("field", "")).lower() not in {"appid", "appsecret", "granttype", "subjecttype", "resourcetype"}, rule.id
        assert rule.match.get("value") not in {"app_token", "app", "apps"}, rule.id


def test_endpoint_rows_group_methods_by_path(catalog: Catalog) -> None:
    seen: dict[tuple[str, str], str] = {}
    for rule in catalog.by_kind("endpoint"):
        for method in rule.match["methods"]:
            key = (method, rule.match["path"])
            assert key not in seen, f"{rule.id} and {seen[key]} both cover {key}"
            seen[key] = rule.id


def test_known_facts_are_catalogued(catalog: Catalog) -> None:
    projects = catalog.get("RA101")
    assert (projects.match_kind, tuple(projects.match["methods"]), projects.match["path"]) == (
        "endpoint", ("GET", "POST"), "/v1/k8s/clusters/{clusterId}/projects")
    assert (projects.deprecated_in, projects.replacement) == ("2.18", "/api/v1/org-unit/projects")
    token = catalog.get("RA505")
    assert (token.match["path"], token.deprecated_in, token.replacement) == ("/api/v1/token", "2.25", "POST /api/v2/token")
    app_id = catalog.get("RA507")
    assert (app_id.match["field"], app_id.match["case_insensitive"]) == ("appID", True)
    assert catalog.get("RA142").removed_in == "3.0"


def test_every_rule_has_passing_and_failing_cases(catalog: Catalog) -> None:
    missing: list[str] = []
    for rule in catalog.rules:
        if rule.match_kind == "generic":
            continue
        path = CASES_DIR / f"{rule.id}.yaml"
        if not path.is_file():
            missing.append(f"{rule.id}: no tests/cases/{path.name}")
            continue
        cases = yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]
        if not any(c["expect"] == [] for c in cases):
            missing.append(f"{rule.id}: no passing case (expect: [])")
        if not any(c["expect"] for c in cases):
            missing.append(f"{rule.id}: no failing case")
    assert not missing, "rules without both a passing and a failing case:\n" + "\n".join(missing)


def test_every_case_file_belongs_to_a_rule(catalog: Catalog) -> None:
    for path in CASES_DIR.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert data["rule"] == path.stem and data["rule"] in catalog, path.name
        names = [c["name"] for c in data["cases"]]
        assert len(names) == len(set(names)), f"{path.name}: case names repeat"


def test_rule_reference_is_up_to_date(catalog: Catalog) -> None:
    current = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == render_markdown(catalog), (
        "docs/rules.md is out of date; regenerate it with: runai-audit rules --format markdown > docs/rules.md"
    )


def test_rule_reference_lists_each_rule_once(catalog: Catalog) -> None:
    text = render_markdown(catalog)
    headings = re.findall(r"^### (RA\d{3}): ", text, flags=re.M)
    assert headings == list(catalog.ids)
    assert "| Match | endpoint: GET, POST `/v1/k8s/clusters/{clusterId}/projects` |" in text
    assert "| 2.24 | 2025-12-15 | proxy:" in text


def test_rule_infos_carry_family_and_description(catalog: Catalog) -> None:
    infos = {i.id: i for i in rule_infos(catalog)}
    assert set(infos) == set(catalog.ids)
    assert (infos["RA101"].family, infos["RA201"].family, infos["RA505"].family) == ("endpoint", "field", "auth")
    assert (infos["RA700"].family, infos["RA903"].family) == ("signal", "tool")
    assert infos["RA101"].description.startswith("The cluster-scoped v1 projects")


def test_loaded_rules_cannot_be_changed(catalog: Catalog) -> None:
    rule = catalog.get("RA101")
    with pytest.raises(TypeError):
        rule.match["path"] = "/elsewhere"  # type: ignore[index]
    assert isinstance(rule.match["methods"], tuple)


def test_get_suggests_close_ids(catalog: Catalog) -> None:
    with pytest.raises(KeyError) as info:
        catalog.get("RA1O1")
    assert str(info.value) == "unknown rule id 'RA1O1'; did you mean RA101, RA111, RA121?"
    assert [r.id for r in catalog.by_kind("query_param")] == ["RA240", "RA241", "RA242", "RA243", "RA244"]


# --------------------------------------------------------------------------- releases


def test_releases_in_order_with_policy(catalog: Catalog) -> None:
    rel = catalog.releases
    assert rel.versions == ("2.16", "2.17", "2.18", "2.19", "2.20", "2.21", "2.22", "2.23", "2.24", "2.25", "2.26", "3.0")
    assert (rel.index("2.20"), rel.offset("2.17", 3), rel.offset("2.24", 3), rel.offset("2.25", 3)) == (4, "2.20", "3.0", None)
    assert rel.offset("2.16", -1) is None
    assert (rel.date_of("2.17"), rel.date_of("3.0")) == (dt.date(2024, 4, 14), None)
    assert (rel.compare("2.9", "2.10"), rel.compare("3.0", "2.26"), rel.compare("2.20", "2.20")) == (-1, 1, 0)
    assert (rel.resolve("v2.20"), rel.resolve("2.20.5")) == ("2.20", "2.20")
    assert (rel.policy.supported_releases_after_deprecation, rel.policy.saas_grace_months) == (2, 6)
    assert rel.get("2.24").ga_basis == "proxy" and rel.get("2.17").ga_basis == "documented"
    assert all(r.sources for r in rel.releases)
    assert catalog.version == rel.catalog_version == "2026.11.28"
    with pytest.raises(KeyError, match=re.escape("unknown release '2.99'")):
        rel.index("2.99")


RELEASES_YAML = """\
catalog_version: "2099.01.01"
policy:
  self_hosted: {supported_releases_after_deprecation: 2, rule: N+3, sources: [a]}
  saas: {grace_months: 6, rule: six months, sources: [b]}
releases:
  - {version: "2.17", ga: "2024-04-14", ga_basis: documented, sources: [x]}
  - {version: "2.18", ga: null, ga_basis: unknown, sources: [x]}
  - {version: "2.19", ga: null, ga_basis: unknown, sources: [x]}
"""


def test_releases_file_problems_have_lines() -> None:
    bad = (
        RELEASES_YAML.replace('ga: "2024-04-14", ga_basis: documented', 'ga: "April 2024", ga_basis: documented')
        .replace('"2.18", ga: null, ga_basis: unknown', '"2.18", ga: "2024-07-21", ga_basis: unknown')
        .replace('version: "2.19"', 'version: "2.18"')
        .replace("grace_months: 6", "grace_months: six")
    )
    with pytest.raises(CatalogError) as info:
        parse_releases(bad, "r.yaml")
    assert info.value.problems == (
        "r.yaml:4: policy.saas.grace_months must be a whole number",
        "r.yaml:6: release 2.17: ga must be an ISO date (YYYY-MM-DD), not 'April 2024'",
        "r.yaml:7: release 2.18: ga_basis is 'unknown' exactly when ga is empty",
    )
    repeated = RELEASES_YAML.replace('version: "2.19"', 'version: "2.17"')
    with pytest.raises(CatalogError) as info:
        parse_releases(repeated, "r.yaml")
    assert info.value.problems == ("r.yaml:8: release 2.17 must come after 2.18 (oldest first, no repeats)",)


def test_releases_file_unreadable(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read the releases file"):
        load_releases(tmp_path / "missing.yaml")


# --------------------------------------------------------------------------- the loader


BASE_RULE = """\
- id: RA101
  title: Legacy thing
  description: A legacy thing.
  match: {kind: endpoint, methods: [GET], path: /v1/k8s/things}
  deprecated_in: "2.17"
  replacement: /api/v1/things
  sources: [spec 2.18]
"""


@pytest.fixture
def builtin(tmp_path: Path) -> Path:
    folder = tmp_path / "builtin"
    folder.mkdir()
    (folder / "releases.yaml").write_text(RELEASES_YAML, encoding="utf-8")
    (folder / "base.yaml").write_text(BASE_RULE, encoding="utf-8")
    return folder


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _problems(builtin: Path, *paths: Path) -> tuple[str, ...]:
    with pytest.raises(CatalogError) as info:
        load_catalog(paths, builtin_dir=builtin)
    assert str(info.value) == "\n".join(info.value.problems)
    return info.value.problems


def test_small_builtin_catalog_loads(builtin: Path) -> None:
    catalog = load_catalog(builtin_dir=builtin)
    assert catalog.ids == ("RA101",)
    assert catalog.get("RA101").origin == "builtin/base.yaml:1"
    assert catalog.version == "2099.01.01"


def test_every_mistake_is_reported_with_file_and_line(builtin: Path, tmp_path: Path) -> None:
    bad = _write(tmp_path, "bad.yaml", """\
- id: RA102
  title: Typo in a key
  description: x
  match: {kind: endpoint, methods: [GET], path: /a}
  replacment: /b
  sources: [s]
- id: RA01
  title: 12
  description: x
  match: {kind: endpiont, path: /a}
  replacement: none
  sources: []
- id: RA103
  title: Bad match and versions
  description: x
  match:
    kind: endpoint
    methods: [GET, FETCH]
    path: v1/things
  deprecated_in: 2.20
  removed_in: "2.99"
  replacement: ""
  sources: [s]
- id: RA104
  title: First
  description: x
  match: {kind: generic}
  replacement: none
  sources: [s]
- id: RA104
  title: Second
  description: x
  match: {kind: generic}
  replacement: none
  sources: [s]
""")
    assert _problems(builtin, bad) == (
        f"{bad}:5: RA102: unknown key 'replacment' (did you mean 'replacement'?)",
        f"{bad}:1: RA102: missing key 'replacement'",
        f"{bad}:7: id 'RA01' must look like RA101 (RA, a family digit 1-9, two digits)",
        f"{bad}:8: title must be a string, not the number 12",
        f"{bad}:12: sources must list at least one source",
        f"{bad}:10: unknown match kind 'endpiont' (known: {', '.join(sorted(MATCH_KINDS))})",
        f"{bad}:22: RA103: replacement must not be empty (write the word none when there is no replacement)",
        f"{bad}:20: RA103: deprecated_in must be a quoted string such as \"2.20\", not the number 2.2",
        f"{bad}:21: RA103: removed_in '2.99' is not a known release (known: 2.17, 2.18, 2.19)",
        f"{bad}:18: RA103: match.methods: 'FETCH' is not an HTTP method (use DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT or *)",
        f"{bad}:19: RA103: match.path: 'v1/things' must start with '/'",
        f"{bad}:30: duplicate id RA104 (first defined at {bad}:24)",
    )


def test_match_key_problems(builtin: Path, tmp_path: Path) -> None:
    bad = _write(tmp_path, "match.yaml", """\
- id: RA201
  title: Field
  description: x
  match: {kind: body_field, endpoints: [GET /a, "PUSH /b"], fields: x}
  replacement: none
  sources: [s]
- id: RA202
  title: Value
  description: x
  match:
    kind: enum_value
    endpoints: ["*"]
    field: grantType
    value: 3
    case_insensitive: "yes"
  replacement: none
  sources: [s]
""")
    assert _problems(builtin, bad) == (
        f"{bad}:4: RA201: unknown key match.fields (allowed: anchored, case_insensitive, endpoints, field)",
        f"{bad}:4: RA201: missing key match.field",
        f"{bad}:4: RA201: match.endpoints: 'PUSH' is not an HTTP method (use DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT or *)",
        f"{bad}:14: RA202: match.value: must be a non-empty string (quote numbers and booleans), not the number 3",
        f"{bad}:15: RA202: match.case_insensitive: must be true or false, not a string",
    )


def test_id_family_severity_and_docs_checks(builtin: Path, tmp_path: Path) -> None:
    bad = _write(tmp_path, "odd.yaml", BASE_RULE.replace("RA101", "RA801") + "  severity: fatal\n  docs: www.example.com\n")
    assert _problems(builtin, bad) == (
        f"{bad}:1: id RA801 is in no rule family (families: 1xx endpoint, 2xx field, 3xx cluster-api, "
        "4xx metrics, 5xx auth, 6xx cli, 7xx signal, 9xx tool)",
        f"{bad}:9: docs must be an http(s) URL, not 'www.example.com'",
        f"{bad}:8: severity must be one of error, warning, note, not 'fatal'",
    )


def test_file_level_problems(builtin: Path, tmp_path: Path) -> None:
    broken = _write(tmp_path, "broken.yaml", "- id: RA105\n  title: [unclosed\n")
    mapping = _write(tmp_path, "mapping.yaml", "rules: []\n")
    missing = tmp_path / "nowhere.yaml"
    problems = _problems(builtin, broken, mapping, missing)
    assert problems[0].startswith(f"{broken}:3: not valid YAML: ")
    assert problems[1:] == (
        f"{mapping}:1: a rules file is a list of rows (- id: RA101 ...), not a mapping",
        f"{missing}: no such rule file or folder",
    )


def test_user_rules_add_and_override(builtin: Path, tmp_path: Path) -> None:
    folder = tmp_path / "team-rules"
    folder.mkdir()
    _write(folder, "extra.yaml", BASE_RULE.replace("RA101", "RA180").replace("/v1/k8s/things", "/api/v1/internal"))
    _write(folder, "override.yaml", BASE_RULE.replace("Legacy thing", "Our wording") + "  overrides: RA101\n")
    _write(folder, "releases.yaml", "not: read\n")  # a releases file among user rules is not a rules file
    catalog = load_catalog([folder], builtin_dir=builtin)
    assert catalog.ids == ("RA101", "RA180")
    assert catalog.get("RA101").title == "Our wording"
    assert catalog.get("RA101").origin == f"{folder / 'override.yaml'}:1"
    assert catalog.version == "2099.01.01+local"


def test_user_rule_reusing_builtin_id_needs_overrides(builtin: Path, tmp_path: Path) -> None:
    clash = _write(tmp_path, "clash.yaml", BASE_RULE)
    wrong = _write(tmp_path, "wrong.yaml", BASE_RULE.replace("RA101", "RA150") + "  overrides: RA150\n")
    mismatch = _write(tmp_path, "mismatch.yaml", BASE_RULE.replace("RA101", "RA151") + "  overrides: RA101\n")
    assert _problems(builtin, clash, wrong, mismatch) == (
        f"{mismatch}:8: RA151: overrides must repeat the row's own id ('RA151'), not 'RA101'",
        f"{clash}:1: RA101 is a built-in rule (builtin/base.yaml:1); pick another id, or add `overrides: RA101` to replace it on purpose",
        f"{wrong}:1: RA150: overrides RA150, but there is no built-in rule RA150",
    )


def test_builtin_rows_may_not_override(builtin: Path) -> None:
    (builtin / "base.yaml").write_text(BASE_RULE + "  overrides: RA101\n", encoding="utf-8")
    assert _problems(builtin) == ("builtin/base.yaml:8: RA101: overrides is only for user rule files (--rules)",)


def test_empty_rules_file_adds_nothing(builtin: Path, tmp_path: Path) -> None:
    empty = _write(tmp_path, "empty.yaml", "# nothing yet\n")
    assert load_catalog([empty], builtin_dir=builtin).ids == ("RA101",)


def test_shipped_rules_folder_is_the_one_loaded() -> None:
    assert rules_dir() == REPO / "rules"
    assert {p.name for p in rules_dir().glob("*.yaml")} >= {"releases.yaml", "endpoints.yaml", "fields.yaml", "auth.yaml", "generic.yaml"}
