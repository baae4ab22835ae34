"""Cluster API objects written in Python: YAML text in string literals (the kind written, taken
from a module constant, or left to a placeholder) and Kubernetes client calls whose group,
version and plural come from module constants and pass through helper functions."""

from __future__ import annotations

from pathlib import Path

import pytest

from runai_audit.api import scan_text
from runai_audit.scanners.python.manifest import kind_stand_in

FIXTURES = Path(__file__).parent / "fixtures" / "cluster_api_in_code"

Row = tuple[str, int, int, str]


def findings(name: str, text: str | None = None) -> list[Row]:
    source = text if text is not None else (FIXTURES / name).read_text(encoding="utf-8")
    found = scan_text(source, name)
    return sorted(((f.rule_id, f.location.line, f.location.column, f.confidence.value) for f in found),
                  key=lambda r: (r[1], r[2], r[0]))


# --------------------------------------------------------------------------- YAML in strings


def test_yaml_text_in_strings_is_judged_at_its_api_version_line() -> None:
    assert findings("yaml_in_strings.py") == [
        ("RA301", 8, 1, "high"),  # a triple-quoted TrainingWorkload
        ("RA301", 20, 1, "low"),  # `kind: {kind}`: still the Cluster API, the kind a stand-in
        ("RA302", 30, 1, "high"),  # `kind: {DEFAULT_KIND}`, the constant read from the module
        ("RA310", 37, 13, "high"),  # YAML starting on the line of the opening quotes
    ]
    # Silent by design: batch/v1 Job with schedulerName runai-scheduler (line 45), a Deployment
    # with scheduling.run.ai annotations (line 56), a scheduling.run.ai Queue (line 65).


def test_a_dict_whose_kind_is_a_parameter_gets_a_stand_in_kind() -> None:
    source = (
        "def body(kind, name):\n"
        "    return {'apiVersion': 'run.ai/v2alpha1', 'kind': kind, 'metadata': {'name': name}}\n"
    )
    assert findings("make_body.py", source) == [("RA301", 2, 12, "low")]


def test_a_placeholder_kind_of_another_group_stays_silent() -> None:
    source = 'def q(kind):\n    return f"""\napiVersion: scheduling.run.ai/v2\nkind: {kind}\n"""\n'
    assert findings("queue.py", source) == []


@pytest.mark.parametrize(("api_version", "kind", "expected"), [
    ("run.ai/v2alpha1", "{*}", "TrainingWorkload"),
    ("run.ai/v2alpha1", "{*}Policy", "TrainingPolicy"),
    ("run.ai/v1alpha1", "{*}Workload", "TrainingWorkload"),
    ("run.ai/v1", "{*}", "RunaiJob"),
    ("run.ai/v1", "{*}Policy", None),
    ("run.ai/v2alpha1", "TrainingWorkload", None),  # written: no stand-in
    ("run.ai/v2alpha1", "Foo{*}", None),  # an unknown shape is not guessed
    ("scheduling.run.ai/v2", "{*}", None),
    ("batch/v1", "{*}", None),
])
def test_kind_stand_ins(api_version: str, kind: str, expected: str | None) -> None:
    assert kind_stand_in(api_version, kind) == expected


# --------------------------------------------------------------------------- Kubernetes client


def test_custom_object_calls_through_helpers_and_constants() -> None:
    assert findings("crd_listing.py") == [
        # RUNAI_API_VERSION = "v2alpha1" beside RUNAI_GROUP = "run.ai": the version is written
        # here (the lexical reading); which plural it serves is not, so every v2alpha1 row.
        ("RA330", 6, 22, "low"),
        ("RA331", 6, 22, "low"),
        ("RA332", 6, 22, "low"),
        ("RA333", 6, 22, "low"),
        ("RA335", 6, 22, "low"),
        # fetch_runai(f"{family}workloads", ...): version from RUNAI_API_VERSION through two
        # helpers; the plural is only partly known, so every v2alpha1 row is a low candidate.
        ("RA330", 21, 17, "low"),
        ("RA331", 21, 17, "low"),
        ("RA332", 21, 17, "low"),
        ("RA333", 21, 17, "low"),
        ("RA335", 21, 17, "low"),
        ("RA334", 22, 14, "high"),  # fetch_objects("runaijobs", ns, "run.ai"): version the default v1
        ("RA331", 30, 16, "high"),  # positional arguments, module constants
        ("RA330", 42, 21, "high"),  # self._items(...): a method helper, reported at its call
    ]
    # Silent: scheduling.run.ai podgroups (line 23), kubeflow.org pytorchjobs (line 24), and the
    # helpers' own calls (lines 11, 38), which only pass group, version or plural on.


def test_helper_without_callers_reports_in_place() -> None:
    source = (
        "from kubernetes import client\n"
        "GROUP, VERSION = 'run.ai', 'v2alpha1'\n"
        "def drop(name, ns):\n"
        "    client.CustomObjectsApi().delete_namespaced_custom_object(GROUP, VERSION, ns, 'trainingworkloads', name)\n"
    )
    assert findings("drop.py", source) == [("RA330", 4, 31, "high")]


def test_helper_called_only_for_other_groups_stays_silent() -> None:
    source = (
        "from kubernetes import client\n"
        "def objs(group, version, plural):\n"
        "    return client.CustomObjectsApi().list_cluster_custom_object(group, version, plural)\n"
        "objs('scheduling.run.ai', 'v2', 'queues')\n"
        "objs('kubeflow.org', 'v1', 'mpijobs')\n"
    )
    assert findings("other.py", source) == []
