from __future__ import annotations

import gzip
import hashlib
import json
import pickle
import re
from importlib import resources
from pathlib import Path

import pytest

from runai_audit.knowledge.specs import (
    FieldInfo,
    LazyFields,
    Operation,
    SpecError,
    SpecIndex,
    bundled_versions,
    load_bundled,
    load_spec_document,
    load_spec_file,
    operations_in_any,
    parse_spec_text,
    versions_with,
)

FIXTURES = Path(__file__).parent / "fixtures" / "specs"


def _op(index: SpecIndex, method: str, path: str) -> Operation:
    op = index.find(method, path)
    assert op is not None, f"{method} {path} not in {index.version}"
    return op


# --------------------------------------------------------------------------- bundled data


def test_bundled_versions() -> None:
    assert bundled_versions() == ("2.18", "2.19", "2.20", "2.21", "2.22", "2.23", "2.24")


def test_bundled_files_match_their_recorded_checksums() -> None:
    data = resources.files("runai_audit.knowledge.specs") / "data"
    table = re.findall(r"^\| (2\.\d+) \|.*\| ([0-9a-f]{64}) \|$", (data / "PROVENANCE.md").read_text(), re.M)
    assert [version for version, _ in table] == list(bundled_versions())
    for version, sha in table:
        raw = gzip.decompress((data / f"runai-openapi-{version}.json.gz").read_bytes())
        assert hashlib.sha256(raw).hexdigest() == sha, version


# Operations carrying `deprecated: true`, as counted in the provenance notes; text-only notices
# on operations add none in these files.
@pytest.mark.parametrize(
    ("version", "operations", "deprecated"),
    [("2.18", 246, 45), ("2.19", 268, 55), ("2.20", 305, 56), ("2.21", 327, 56), ("2.22", 335, 50), ("2.23", 361, 38), ("2.24", 391, 47)],
)
def test_operation_counts(version: str, operations: int, deprecated: int) -> None:
    index = load_bundled(version)
    assert index.version == version
    assert len(index.operations) == operations
    assert len(index.deprecated_operations()) == deprecated


def test_load_bundled_is_cached_and_rejects_unknown_versions() -> None:
    assert load_bundled("2.24") is load_bundled("2.24")
    with pytest.raises(SpecError, match=r"no bundled spec for this release \(known: 2\.18, .*2\.24\)"):
        load_bundled("2.99")


# --------------------------------------------------------------------------- facts of the 2.24 spec


def test_token_body_fields_2_24() -> None:
    index = load_bundled("2.24")
    op = _op(index, "POST", "/api/v1/token")
    assert op.operation_id == "grant_token"
    assert not op.deprecated
    assert op.body_content_types == ("application/json",)
    assert index.field(op, "appID") == FieldInfo("appID", deprecated=True)
    assert index.field(op, "appSecret") == FieldInfo("appSecret", deprecated=True)
    assert index.field(op, "clientID") == FieldInfo("clientID")
    grant = index.field(op, "grantType")
    assert grant is not None
    assert "app_token" in grant.enum
    assert grant.deprecated_enum == (("app_token", "client_credentials"),)
    assert not grant.deprecated


def test_field_lookup_falls_back_to_case_insensitive() -> None:
    index = load_bundled("2.24")
    op = _op(index, "POST", "/api/v1/token")
    found = index.field(op, "appId")
    assert found is not None
    assert found.path == "appID"
    assert index.field(op, "noSuchField") is None


def test_access_rules_deprecated_query_params_2_24() -> None:
    op = _op(load_bundled("2.24"), "GET", "/api/v1/authorization/access-rules")
    deprecated = sorted(p.name for p in op.params if p.deprecated)
    assert deprecated == ["roleId", "scopeType", "subjectIdFilter"]
    assert all(p.location == "query" for p in op.params if p.deprecated)
    param = op.param("filterBy", "query")
    assert param is not None
    assert not param.deprecated


def test_access_rules_subject_type_value_2_24() -> None:
    index = load_bundled("2.24")
    op = _op(index, "POST", "/api/v1/authorization/access-rules")
    field = index.field(op, "subjectType")
    assert field is not None
    assert field.deprecated_enum == (("app", "service-account"),)
    batch = _op(index, "POST", "/api/v1/authorization/access-rules/batch-create")
    nested = index.field(batch, "payload.subjects[0].subjectType")
    assert nested is not None
    assert nested.path == "payload.subjects[].subjectType"
    assert nested.deprecated_enum == (("app", "service-account"),)


def test_settings_endpoint_exists_and_is_current() -> None:
    ops = load_bundled("2.24").find_any_method("/v1/k8s/setting")
    assert [(op.method, op.deprecated) for op in ops] == [("GET", False), ("PUT", False)]


def test_cluster_projects_deprecated_in_2_22() -> None:
    op = _op(load_bundled("2.22"), "GET", "/v1/k8s/clusters/{clusterId}/projects")
    assert op.path == "/v1/k8s/clusters/{clusterId}/projects"
    assert op.deprecated
    assert op.replacement == "/api/v1/org-unit/projects"


def test_apps_deprecated_in_2_24_not_2_23() -> None:
    new = _op(load_bundled("2.24"), "GET", "/api/v1/apps")
    old = _op(load_bundled("2.23"), "GET", "/api/v1/apps")
    assert new.deprecated
    assert new.replacement == "Service Accounts endpoints"  # from the deprecated tag's text
    assert not old.deprecated
    assert old.replacement is None


def test_mig_profile_value_deprecated_2_23_and_gone_2_24() -> None:
    old = load_bundled("2.23")
    op = _op(old, "POST", "/api/v1/workloads/trainings")
    field = old.field(op, "spec.compute.gpuRequestType")
    assert field is not None
    assert field.enum == ("portion", "memory", "migProfile")
    assert field.deprecated_enum == (("migProfile", ""),)
    new = load_bundled("2.24")
    field = new.field(_op(new, "POST", "/api/v1/workloads/trainings"), "spec.compute.gpuRequestType")
    assert field is not None
    assert field.enum == ("portion", "memory")


def test_replaced_field_in_node_pools_2_24() -> None:
    index = load_bundled("2.24")
    field = index.field(_op(index, "POST", "/api/v1/node-pools"), "overProvisioningRatio")
    assert field == FieldInfo(
        "overProvisioningRatio", deprecated=True, replacement="gpuResourceOptimization.nodeLevelSchedulerEnabled"
    )


# --------------------------------------------------------------------------- finding operations


@pytest.mark.parametrize(
    ("method", "path", "allow_prefix", "expected"),
    [
        ("GET", "/api/v1/org-unit/projects/telemetry", False, ("GET", "/api/v1/org-unit/projects/telemetry")),
        ("GET", "/api/v1/org-unit/projects/8a1f", False, ("GET", "/api/v1/org-unit/projects/{projectId}")),
        ("get", "/api/v1/org-unit/projects/{*}", False, ("GET", "/api/v1/org-unit/projects/{projectId}")),
        ("GET", "{**}/v1/k8s/clusters/{*}/projects", False, ("GET", "/v1/k8s/clusters/{clusterId}/projects")),
        ("POST", "https://acme.run.ai:443/v1/k8s/clusters/c1/projects/", False, ("POST", "/v1/k8s/clusters/{clusterId}/projects")),
        ("*", "https://{*}/api/v1/apps/{*}", False, ("GET", "/api/v1/apps/{appId}")),
        ("GET", "{**}/api/v1/apps/{*}?x={*}", False, ("GET", "/api/v1/apps/{appId}")),
        ("GET", "/runai/api/v1/workloads", True, ("GET", "/api/v1/workloads")),
        ("GET", "/runai/api/v1/workloads", False, None),
        ("PUT", "/api/v1/token", False, None),
        ("GET", "/api/v1/no-such-thing", False, None),
    ],
)
def test_find(method: str, path: str, allow_prefix: bool, expected: tuple[str, str] | None) -> None:
    op = load_bundled("2.24").find(method, path, allow_prefix=allow_prefix)
    assert (op.key if op else None) == expected


def test_find_any_method_tells_a_wrong_method() -> None:
    ops = load_bundled("2.24").find_any_method("/api/v1/token")
    assert [op.key for op in ops] == [("POST", "/api/v1/token")]
    assert load_bundled("2.24").find_any_method("/nowhere") == ()


def test_get_and_by_operation_id() -> None:
    index = load_bundled("2.24")
    op = index.by_operation_id("grant_token")
    assert op is not None
    assert op.key == ("POST", "/api/v1/token")
    assert index.get("post", "/api/v1/token") is op
    assert index.get("POST", "/api/v1/token/") is None  # templates only, no normalising
    assert index.by_operation_id("nope") is None


def test_versions_with_tells_removed_from_unsupported() -> None:
    assert versions_with("GET", "/v1/k8s/clusters/c1/jobs") == ("2.18", "2.19", "2.20", "2.21")
    assert versions_with("GET", "{**}/v1/k8s/clusters/{*}/projects") == bundled_versions()
    assert versions_with("GET", "/api/v1/never/was") == ()
    assert versions_with("GET", "/v1/k8s/clusters/c1/jobs", versions=["2.20", "2.24"]) == ("2.20",)


def test_operations_in_any() -> None:
    seen = operations_in_any()
    assert seen[("GET", "/v1/k8s/audit")] == ("2.18", "2.19")
    assert seen[("POST", "/api/v1/token")] == bundled_versions()
    assert len(seen) == 426


# --------------------------------------------------------------------------- fixture spec


@pytest.fixture(scope="module")
def fixture_index() -> SpecIndex:
    return load_spec_file(FIXTURES / "composition.json")


def _fields(index: SpecIndex, method: str, path: str) -> dict[str, FieldInfo]:
    op = index.get(method, path)
    assert op is not None
    return {f.path: f for f in op.body_fields}


def test_fixture_metadata(fixture_index: SpecIndex) -> None:
    assert (fixture_index.title, fixture_index.version) == ("Fixture API", "9.1")
    assert fixture_index.source == str(FIXTURES / "composition.json")


def test_fixture_all_of_one_of_any_of_and_refs(fixture_index: SpecIndex) -> None:
    fields = _fields(fixture_index, "POST", "/api/v1/things")
    assert sorted(fields) == [
        "alpha", "appKey", "appToken", "beta", "budget", "budget.count", "clientKey", "clientToken",
        "gamma", "kind", "legacyCount", "legacyName", "meta", "meta.labels", "meta.labels[].key",
        "meta.labels[].tags", "name", "oldLimit", "quota", "quota.gpu", "quota.gpu.deserved",
        "tree", "tree.children", "tree.value",
    ]  # fmt: skip
    assert fields["beta"] == FieldInfo("beta", deprecated=True)  # from the second oneOf variant
    assert fields["meta.labels[].tags"] == FieldInfo("meta.labels[].tags", enum=("red", "blue"))


def test_fixture_recursive_schema_stops_at_the_repeat(fixture_index: SpecIndex) -> None:
    fields = _fields(fixture_index, "POST", "/api/v1/things")
    assert [p for p in fields if p.startswith("tree")] == ["tree", "tree.children", "tree.value"]


def test_fixture_depth_limit(fixture_index: SpecIndex) -> None:
    fields = _fields(fixture_index, "PUT", "/api/v1/nested")
    assert max(fields, key=len) == "a.b.c.d.e.f.g.h.i.j"  # ten levels; "k" lies beyond
    assert len(fields) == 10


def test_fixture_field_deprecations(fixture_index: SpecIndex) -> None:
    fields = _fields(fixture_index, "POST", "/api/v1/things")
    assert fields["legacyName"] == FieldInfo("legacyName", deprecated=True, replacement="name")
    assert fields["oldLimit"] == FieldInfo("oldLimit", deprecated=True)
    assert fields["quota"] == FieldInfo("quota", deprecated=True, replacement="budget")
    assert fields["legacyCount"] == FieldInfo("legacyCount", deprecated=True, replacement="budget.count")
    assert fields["kind"].deprecated_enum == (("oldschool", "fresh"), ("stale", "fresh"))
    assert not fields["quota.gpu.deserved"].deprecated


def test_fixture_deprecated_ancestor(fixture_index: SpecIndex) -> None:
    op = fixture_index.get("POST", "/api/v1/things")
    assert op is not None
    found = fixture_index.deprecated_ancestor(op, "quota.gpu.deserved")
    assert found is not None
    assert found.path == "quota"
    assert fixture_index.deprecated_ancestor(op, "meta.labels[2].key") is None


def test_fixture_top_level_array_body(fixture_index: SpecIndex) -> None:
    fields = _fields(fixture_index, "POST", "/api/v1/batch")
    assert list(fields) == ["[].kind"]
    assert fields["[].kind"].deprecated_enum == (("oldschool", "fresh"), ("stale", ""))


def test_fixture_operation_and_param_deprecations(fixture_index: SpecIndex) -> None:
    listing = fixture_index.get("GET", "/api/v1/things")
    create = fixture_index.get("POST", "/api/v1/things")
    gadgets = fixture_index.get("GET", "/api/v1/gadgets")
    assert listing is not None and create is not None and gadgets is not None
    assert (listing.deprecated, listing.replacement) == (True, "/api/v2/things")  # summary text only
    assert (create.deprecated, create.replacement) == (False, None)
    assert (gadgets.deprecated, gadgets.replacement) == (True, "Widgets endpoints")  # deprecated tag
    # The operation's own "tenant" overrides the path-level one; "legacy" is inherited.
    assert [(p.name, p.deprecated, p.replacement) for p in create.params] == [
        ("tenant", True, None),
        ("legacy", True, "filterBy"),
    ]
    assert [(p.name, p.deprecated) for p in listing.params] == [("tenant", False), ("legacy", True)]
    assert [op.key for op in fixture_index.deprecated_operations()] == [
        ("GET", "/api/v1/gadgets"),
        ("GET", "/api/v1/things"),
    ]


def test_fixture_concrete_template_beats_parameter(fixture_index: SpecIndex) -> None:
    summary = fixture_index.find("GET", "/api/v1/things/summary")
    other = fixture_index.find("GET", "/api/v1/things/t-1")
    assert summary is not None and other is not None
    assert summary.operation_id == "things_summary"
    assert other.operation_id == "get_thing"


def test_body_fields_are_flattened_lazily_once(fixture_index: SpecIndex) -> None:
    index = load_spec_file(FIXTURES / "composition.json", validate=False)
    op = index.get("POST", "/api/v1/things")
    assert op is not None
    assert isinstance(op.body_fields, LazyFields)
    assert repr(op.body_fields) == "LazyFields(...)"
    first = op.body_fields[0]
    assert first.path == "alpha"
    assert op.body_fields[0] is first
    same = fixture_index.get("POST", "/api/v1/things")
    assert same is not None
    assert op == same  # equality compares the flattened fields
    assert op.body_fields == tuple(same.body_fields)


def test_operations_survive_pickling_for_worker_processes(fixture_index: SpecIndex) -> None:
    op = fixture_index.get("POST", "/api/v1/things")
    assert op is not None
    copy = pickle.loads(pickle.dumps(op))
    assert copy == op
    assert [f.path for f in copy.body_fields][:3] == ["alpha", "appKey", "appToken"]


# --------------------------------------------------------------------------- user spec errors


def test_invalid_spec_names_file_location_and_key() -> None:
    path = FIXTURES / "invalid-parameter.json"
    with pytest.raises(SpecError) as caught:
        load_spec_file(path)
    assert str(caught.value) == (
        f"{path}: 'nowhere' is not one of path, query, header, cookie "
        "(at $.paths['/api/v1/things'].get.parameters[0].in)"
    )
    assert caught.value.location == "$.paths['/api/v1/things'].get.parameters[0].in"


def test_dangling_reference_is_located() -> None:
    path = FIXTURES / "missing-ref.yaml"
    with pytest.raises(SpecError) as caught:
        load_spec_file(path)
    assert str(caught.value) == (
        f"{path}: unresolvable reference '#/components/schemas/Missing' "
        "(at $.paths['/api/v1/things'].post.requestBody.content['application/json'].schema['$ref'])"
    )


def test_missing_required_key(tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/a": {"get": {}}}}))
    with pytest.raises(SpecError, match=r"spec\.json: 'responses' is a required property \(at \$\.paths\['/a'\]\.get\)$"):
        load_spec_file(spec)


def test_numeric_info_version_is_read_as_text() -> None:
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": 2.18}, "paths": {}}
    index = load_spec_document(doc, source="inline")
    assert index.version == "2.18"
    assert doc["info"] == {"title": "t", "version": 2.18}  # the caller's document is untouched


def test_unvalidated_document_is_indexed_as_is() -> None:
    doc = {"openapi": "3.0.3", "paths": {"/a": {"get": {}}}}
    index = load_spec_document(doc, source="inline", validate=False)
    assert [op.key for op in index.operations] == [("GET", "/a")]
    assert (index.title, index.version) == ("", "")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", r"not valid JSON \(line 1, column 2: Expecting property name"),
        ("a: [unclosed", r"neither JSON nor YAML \(line 2, column 1\)"),
        ("- just\n- a list\n", r"not an OpenAPI document \(the top level is not a mapping\)"),
        ('{"swagger": "2.0", "info": {}, "paths": {}}', r"only OpenAPI 3\.x documents are supported \(found swagger 2\.0\) \(at \$\.openapi\)"),
    ],
)
def test_unusable_files(tmp_path: Path, content: str, message: str) -> None:
    spec = tmp_path / "spec.txt"
    spec.write_text(content)
    with pytest.raises(SpecError, match=rf"^{re.escape(str(spec))}: {message}"):
        load_spec_file(spec)


def test_unreadable_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"absent\.json: cannot read the file \(No such file or directory\)$"):
        load_spec_file(tmp_path / "absent.json")
    binary = tmp_path / "spec.bin"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    with pytest.raises(SpecError, match=r"spec\.bin: not a UTF-8 text file$"):
        load_spec_file(binary)


def test_yaml_and_gzip_specs(tmp_path: Path) -> None:
    yaml_text = (
        "openapi: 3.0.3\ninfo: {title: y, version: '2'}\npaths:\n  /x/{id}:\n    delete:\n"
        "      deprecated: true\n      parameters: [{name: id, in: path, required: true, schema: {type: string}}]\n"
        "      responses:\n        204: {description: gone}\n"
    )
    assert parse_spec_text(yaml_text, "inline")["paths"]["/x/{id}"]["delete"]["responses"] == {"204": {"description": "gone"}}
    packed = tmp_path / "spec.yaml.gz"
    packed.write_bytes(gzip.compress(yaml_text.encode()))
    op = load_spec_file(packed).find("DELETE", "/x/abc")
    assert op is not None
    assert (op.key, op.deprecated) == (("DELETE", "/x/{id}"), True)


# --------------------------------------------------------------------------- typed path parameters


@pytest.mark.parametrize(("path", "template"), [
    ("/api/v1/clusters/9f55255e-11ed-47c7-acef-fc4054768dbc", "/api/v1/clusters/{clusterUuid}"),
    ("/api/v1/clusters/CLUSTER_ID", "/api/v1/clusters/{clusterUuid}"),  # a placeholder written as a word
    ("/api/v1/clusters/cluster-a", "/api/v1/clusters/{clusterUuid}"),
    ("/api/v1/clusters/id", "/api/v1/clusters/{clusterUuid}"),
    ("/api/v1/clusters/{*}", "/api/v1/clusters/{clusterUuid}"),
    ("/api/v1/clusters/minimal", None),  # a plain word is no UUID: a path the reference lacks
])
def test_a_uuid_parameter_takes_any_value_but_a_plain_word(path: str, template: str | None) -> None:
    op = load_bundled("2.24").find("GET", path)
    assert (op.path if op else None) == template


def test_a_string_parameter_still_takes_a_plain_word() -> None:
    # projectId is typed as a plain string in the reference, so any word may be its value.
    assert _op(load_bundled("2.24"), "GET", "/api/v1/org-unit/projects/names").path == "/api/v1/org-unit/projects/{projectId}"
