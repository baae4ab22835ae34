from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from runai_audit.gate.config import (
    DEFAULT_MAX_FILE_SIZE,
    Config,
    ConfigError,
    check_rule_ids,
    find_config,
    load_config,
    merge_cli,
)
from runai_audit.gate.exemptions import Exemption


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Error messages show paths relative to the working folder; work inside tmp_path."""
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


FULL_YAML = """\
target: 2.20
deployment: saas
as_of: 2025-03-01
fail_on: warning
sunset_within: 90
exclude: ["vendor/**", "*.min.js"]
hosts: [runai.example.com]
rules: [extra-rules]
spec: specs/tenant.json
baseline: .runai-audit-baseline.json
strict: true
jobs: 4
max_file_size: 2000000
severity:
  RA101: note
  RA902: off
exemptions:
  - rule: RA301
    path: legacy/**
    subject: run.ai/v2alpha1 *
    reason: migrating to the REST API in Q3
    owner: team-ml
    expires: 2025-09-30
  - rule: RA101
    path: scripts/old.py
    reason: vendor script
    owner: platform
    expires: 2025-01-31
reports:
  sarif: out/runai.sarif
  html: out/report.html
log_format: combined
include_service_accounts: true
history: history.sqlite
"""


def test_full_yaml_file_every_key(tmp_path: Path) -> None:
    cfg_file = write(tmp_path / "repo" / ".runai-audit.yaml", FULL_YAML)
    config, used = load_config(None, tmp_path / "repo")
    base = tmp_path / "repo"
    assert used == cfg_file
    assert config == Config(
        target="2.20",  # kept as written, not the float 2.2
        deployment="saas",
        as_of="2025-03-01",
        fail_on="warning",
        sunset_within=90,
        exclude=("vendor/**", "*.min.js"),
        hosts=("runai.example.com",),
        rules=(str(base / "extra-rules"),),
        spec=str(base / "specs" / "tenant.json"),
        baseline=str(base / ".runai-audit-baseline.json"),
        strict=True,
        jobs=4,
        max_file_size=2_000_000,
        severity={"RA101": "note", "RA902": "off"},
        exemptions=(
            Exemption(
                rule="RA301",
                path="legacy/**",
                subject="run.ai/v2alpha1 *",
                reason="migrating to the REST API in Q3",
                owner="team-ml",
                expires=date(2025, 9, 30),
                source="repo/.runai-audit.yaml",
                line=18,
                column=5,
            ),
            Exemption(
                rule="RA101",
                path="scripts/old.py",
                reason="vendor script",
                owner="platform",
                expires=date(2025, 1, 31),
                source="repo/.runai-audit.yaml",
                line=24,
                column=5,
            ),
        ),
        reports={"sarif": str(base / "out" / "runai.sarif"), "html": str(base / "out" / "report.html")},
        log_format="combined",
        include_service_accounts=True,
        history=str(base / "history.sqlite"),
    )
    assert config.source == "repo/.runai-audit.yaml"


def test_defaults_when_no_file(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    config, used = load_config(None, tmp_path)
    assert used is None
    assert config == Config()
    assert config.fail_on == "error"
    assert config.deployment == "self-hosted"
    assert config.max_file_size == DEFAULT_MAX_FILE_SIZE


def test_empty_yaml_file_gives_defaults(tmp_path: Path) -> None:
    write(tmp_path / ".runai-audit.yaml", "# nothing yet\n")
    config, used = load_config(None, tmp_path)
    assert used == tmp_path / ".runai-audit.yaml"
    assert config == Config()


def test_found_upward_from_a_subfolder(tmp_path: Path) -> None:
    cfg_file = write(tmp_path / "repo" / ".runai-audit.yaml", "fail_on: note\n")
    deep = tmp_path / "repo" / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == cfg_file
    config, _ = load_config(None, deep)
    assert config.fail_on == "note"


def test_search_stops_at_the_repository_root(tmp_path: Path) -> None:
    write(tmp_path / ".runai-audit.yaml", "fail_on: note\n")  # outside the repository: not used
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "src").mkdir()
    assert find_config(tmp_path / "repo" / "src") is None


def test_config_at_the_repository_root_is_found(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    cfg_file = write(tmp_path / "repo" / ".runai-audit.yaml", "fail_on: note\n")
    (tmp_path / "repo" / "src").mkdir()
    assert find_config(tmp_path / "repo" / "src") == cfg_file


def test_pyproject_table(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.runai-audit]\ntarget = "2.22"\nfail-on = "warning"\n'
        'exclude = ["build/**"]\nas-of = 2025-05-01\n\n'
        '[[tool.runai-audit.exemptions]]\nrule = "RA101"\npath = "a.py"\nreason = "r"\nowner = "o"\n'
        "expires = 2026-01-01\n",
    )
    config, used = load_config(None, tmp_path)
    assert used == tmp_path / "pyproject.toml"
    assert config.target == "2.22"
    assert config.fail_on == "warning"
    assert config.exclude == ("build/**",)
    assert config.as_of == "2025-05-01"
    assert config.exemptions == (
        Exemption(
            rule="RA101", path="a.py", reason="r", owner="o", expires=date(2026, 1, 1), source="pyproject.toml"
        ),
    )


def test_pyproject_without_our_table_is_passed_over(tmp_path: Path) -> None:
    cfg_file = write(tmp_path / ".runai-audit.yaml", "jobs: 2\n")
    write(tmp_path / "pkg" / "pyproject.toml", '[project]\nname = "pkg"\n')
    assert find_config(tmp_path / "pkg") == cfg_file


def test_yaml_file_wins_over_pyproject_in_the_same_folder(tmp_path: Path) -> None:
    cfg_file = write(tmp_path / ".runai-audit.yaml", "jobs: 2\n")
    write(tmp_path / "pyproject.toml", '[tool.runai-audit]\njobs = 3\n')
    config, used = load_config(None, tmp_path)
    assert (used, config.jobs) == (cfg_file, 2)


def test_explicit_file_beats_discovery(tmp_path: Path) -> None:
    write(tmp_path / ".runai-audit.yaml", "jobs: 2\n")
    explicit = write(tmp_path / "ci" / "audit.yaml", "jobs: 7\nbaseline: base.json\n")
    config, used = load_config(explicit, tmp_path)
    assert used == explicit
    assert config.jobs == 7
    assert config.baseline == str(tmp_path / "ci" / "base.json")  # relative to the file's folder


def test_explicit_toml_without_table(tmp_path: Path) -> None:
    explicit = write(tmp_path / "other.toml", '[tool.black]\nline-length = 100\n')
    with pytest.raises(ConfigError) as err:
        load_config(explicit, tmp_path)
    assert str(err.value) == "other.toml: has no [tool.runai-audit] table"


def test_explicit_file_missing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "nope.yaml", tmp_path)
    assert str(err.value) == "nope.yaml: does not exist or is not a file"


def test_spec_url_is_kept_and_home_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    write(tmp_path / ".runai-audit.yaml", "spec: https://tenant.run.ai/api/docs/openapi.json\nhistory: ~/h.db\n")
    config, _ = load_config(None, tmp_path)
    assert config.spec == "https://tenant.run.ai/api/docs/openapi.json"
    assert config.history == str(tmp_path / "home" / "h.db")


def test_single_string_for_a_list_key(tmp_path: Path) -> None:
    write(tmp_path / ".runai-audit.yaml", "exclude: vendor/**\n")
    assert load_config(None, tmp_path)[0].exclude == ("vendor/**",)


def test_hyphenated_keys_are_accepted(tmp_path: Path) -> None:
    write(tmp_path / ".runai-audit.yaml", "fail-on: note\nsunset-within: 30\n")
    config, _ = load_config(None, tmp_path)
    assert (config.fail_on, config.sunset_within) == ("note", 30)


def test_yaml_words_yes_no_on_off_are_not_booleans(tmp_path: Path) -> None:
    write(tmp_path / ".runai-audit.yaml", "severity:\n  RA101: off\nstrict: yes\n")
    with pytest.raises(ConfigError) as err:
        load_config(None, tmp_path)
    assert str(err.value) == ".runai-audit.yaml: key 'strict' must be true or false, got 'yes'"


ALLOWED = (
    "as_of, baseline, contexts, deployment, exclude, exemptions, fail_on, history, hosts, include_service_accounts, "
    "jobs, log_format, max_file_size, reports, rules, severity, spec, strict, sunset_within, target"
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("fail_onn: error\n", f"key 'fail_onn' is not allowed (allowed: {ALLOWED})"),
        ("jobs: many\n", "key 'jobs' must be an integer, got 'many'"),
        ("jobs: 0\n", "key 'jobs' must be at least 1, got 0"),
        ("jobs: true\n", "key 'jobs' must be an integer, got true"),
        ("sunset_within: 1.5\n", "key 'sunset_within' must be an integer, got '1.5'"),
        ("max_file_size: -1\n", "key 'max_file_size' must be at least 1, got -1"),
        ("deployment: cloud\n", "key 'deployment' must be one of self-hosted, saas, got 'cloud'"),
        ("fail_on: fatal\n", "key 'fail_on' must be one of error, warning, note, never, got 'fatal'"),
        ("as_of: 2025-13-01\n", "key 'as_of' must be a date like 2025-06-30, got '2025-13-01'"),
        ("as_of: yesterday\n", "key 'as_of' must be a date like 2025-06-30, got 'yesterday'"),
        ("strict: 1\n", "key 'strict' must be true or false, got 1"),
        ("target: [2.24]\n", "key 'target' must be a non-empty string, got a list"),
        ("exclude: [1, 2]\n", "key 'exclude' must be a list of strings, got a list"),
        ("hosts: {a: b}\n", "key 'hosts' must be a list of strings, got a mapping"),
        ("severity: [RA101]\n", "key 'severity' must be a mapping of rule id to severity, got a list"),
        ("severity:\n  RA101: fatal\n", "key 'severity.RA101' must be one of error, warning, note, off, got 'fatal'"),
        ("severity:\n  E501: off\n", "key 'severity.E501' is not a rule id (like RA101)"),
        ("reports:\n  pdf: out.pdf\n",
         "key 'reports.pdf' is not a report format (allowed: csv, github, gitlab, html, json, junit, markdown, sarif, text)"),
        ("reports:\n  sarif: 3\n", "key 'reports.sarif' must be a non-empty string, got 3"),
        ("exemptions: {}\n", "key 'exemptions' must be a list of entries, got a mapping"),
        ("exemptions:\n  - RA101\n",
         "key 'exemptions[0]' must be a mapping with rule, path, subject, reason, owner, expires, got 'RA101'"),
        ("exemptions:\n  - {rule: RA101, path: a, reason: r, owner: o, expires: 2025-01-01, ownr: x}\n",
         "key 'exemptions[0].ownr' is not allowed (allowed: expires, owner, path, reason, rule, subject)"),
        ("exemptions:\n  - {rule: RA101, path: a, reason: r, expires: 2025-01-01}\n",
         "key 'exemptions[0].owner' is required"),
        ("exemptions:\n  - {rule: RA101, path: a, reason: '', owner: o, expires: 2025-01-01}\n",
         "key 'exemptions[0].reason' must be a non-empty string, got ''"),
        ("exemptions:\n  - {rule: 101, path: a, reason: r, owner: o, expires: 2025-01-01}\n",
         "key 'exemptions[0].rule' must be a non-empty string, got 101"),
        ("exemptions:\n  - {rule: XY1, path: a, reason: r, owner: o, expires: 2025-01-01}\n",
         "key 'exemptions[0].rule' must be a rule id like RA101, got 'XY1'"),
        ("exemptions:\n  - {rule: RA101, path: a, reason: r, owner: o, expires: soon}\n",
         "key 'exemptions[0].expires' must be a date like 2025-06-30, got 'soon'"),
        ("jobs: 2\njobs: 3\n", "key 'jobs' is given twice (lines 1 and 2)"),
        ("fail-on: note\nfail_on: error\n", "key 'fail_on' is given twice (lines 1 and 2)"),
        ("severity:\n  RA101: off\n  RA101: note\n", "key 'severity.RA101' is given twice (lines 2 and 3)"),
        ("- jobs\n", "must be a mapping of settings, got a list"),
        ("jobs: [\n", "is not valid YAML at line 2: expected the node content, but found '<stream end>'"),
    ],
)
def test_bad_yaml_config_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path / ".runai-audit.yaml", text)
    with pytest.raises(ConfigError) as err:
        load_config(None, tmp_path)
    assert str(err.value) == f".runai-audit.yaml: {message}"
    assert err.value.file == ".runai-audit.yaml"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("target = 2.24\n", "key 'target' must be a non-empty string (quote it), got 2.24"),
        ("fail-onn = 'x'\n", f"key 'fail-onn' is not allowed (allowed: {ALLOWED})"),
        ("fail-on = 'note'\nfail_on = 'error'\n", "key 'fail_on' is given twice (also as 'fail-on')"),
        ("jobs = 'many'\n", "key 'jobs' must be an integer, got 'many'"),
    ],
)
def test_bad_pyproject_table_is_a_clear_error(tmp_path: Path, table: str, message: str) -> None:
    write(tmp_path / "pyproject.toml", f"[tool.runai-audit]\n{table}")
    with pytest.raises(ConfigError) as err:
        load_config(None, tmp_path)
    assert str(err.value) == f"pyproject.toml: {message}"


def test_broken_toml_that_mentions_us(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.runai-audit\njobs = 1\n")
    with pytest.raises(ConfigError) as err:
        find_config(tmp_path)
    assert str(err.value).startswith("pyproject.toml: is not valid TOML: ")


def test_error_outside_the_working_folder_shows_an_absolute_path(tmp_path: Path) -> None:
    write(tmp_path / "cfg" / ".runai-audit.yaml", "jobs: many\n")
    (tmp_path / "elsewhere").mkdir()
    os.chdir(tmp_path / "elsewhere")
    with pytest.raises(ConfigError) as err:
        load_config(None, tmp_path / "cfg")
    assert str(err.value) == f"{(tmp_path / 'cfg' / '.runai-audit.yaml').as_posix()}: key 'jobs' must be an integer, got 'many'"


def test_merge_cli_overrides_only_given_flags() -> None:
    config = Config(target="2.20", fail_on="warning", exclude=("a/**",), hosts=("h",), strict=True, jobs=2)
    merged = merge_cli(
        config,
        target="2.24",
        fail_on=None,
        exclude=(),  # what click passes for a repeatable option that was not used
        hosts=["runai.example.com"],
        strict=None,
        jobs=8,
        reports={},
    )
    assert merged == Config(
        target="2.24", fail_on="warning", exclude=("a/**",), hosts=("runai.example.com",), strict=True, jobs=8
    )
    assert merge_cli(config, strict=False).strict is False


def test_merge_cli_rejects_unknown_settings() -> None:
    with pytest.raises(TypeError, match="unknown settings: colour"):
        merge_cli(Config(), colour="red")


def test_check_rule_ids(tmp_path: Path) -> None:
    write(
        tmp_path / ".runai-audit.yaml",
        "severity:\n  RA101: note\nexemptions:\n"
        "  - {rule: RA105, path: a, reason: r, owner: o, expires: 2025-01-01}\n",
    )
    config, _ = load_config(None, tmp_path)
    check_rule_ids(config, {"RA101", "RA105"})
    with pytest.raises(ConfigError) as err:
        check_rule_ids(config, {"RA101"})
    assert str(err.value) == ".runai-audit.yaml: key 'exemptions[0].rule' names RA105, which is not in the catalog"
    with pytest.raises(ConfigError) as err:
        check_rule_ids(config, {"RA105"})
    assert str(err.value) == ".runai-audit.yaml: key 'severity.RA101' names a rule that is not in the catalog"
