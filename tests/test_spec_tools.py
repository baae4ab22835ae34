"""`spec diff` and `spec validate`: the pure diff on small hand-written specs, every output
format, the bundled 2.23 -> 2.24 change, and specs named by file, release and URL."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from runai_audit.cli import main
from runai_audit.knowledge.specs import SpecIndex, load_spec_document
from runai_audit.upgrade.spec_diff import MemberChange, OperationChange, diff_specs
from runai_audit.upgrade.spec_diff_render import render_diff
from tests.spec_server import Answer, Script, serve

OK = {"200": {"description": "ok"}}


def _body(properties: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": {"type": "object", "properties": properties}}}}


OLD: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "paths": {
        "/api/v1/apps/{appId}": {
            "get": {"summary": "Get an application", "responses": OK,
                    "parameters": [{"name": "appId", "in": "path", "required": True, "schema": {"type": "string"}}]},
        },
        "/api/v1/legacy": {
            "get": {"summary": "Legacy listing", "deprecated": True,
                    "description": "Deprecated - use `/api/v1/modern` instead", "responses": OK},
        },
        "/api/v1/workloads": {
            "get": {
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer"}},
                    {"name": "sortBy", "in": "query", "schema": {"type": "string"}},
                    {"name": "oldFilter", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": OK,
            },
            "post": {
                "requestBody": _body({
                    "name": {"type": "string"},
                    "gpu": {"type": "number"},
                    "kind": {"type": "string", "enum": ["train", "infer", "legacy"]},
                    "subjectType": {"type": "string", "enum": ["user", "app"]},
                }),
                "responses": OK,
            },
        },
    },
}


def _new_spec() -> dict[str, Any]:
    new = copy.deepcopy(OLD)
    paths = new["paths"]
    # A renamed path parameter: the same operation, not a removal plus an addition.
    get_app = paths.pop("/api/v1/apps/{appId}")["get"]
    get_app["deprecated"] = True
    get_app["description"] = "Deprecated. Please use the [Service Accounts](/x) endpoints instead."
    get_app["parameters"][0]["name"] = "id"
    paths["/api/v1/apps/{id}"] = {"get": get_app}
    del paths["/api/v1/legacy"]
    paths["/api/v1/modern"] = {"get": {"summary": "Modern <listing> | new", "responses": OK}}
    params = paths["/api/v1/workloads"]["get"]["parameters"]
    params[1].update(deprecated=True, description="Deprecated. Use `orderBy` instead.")
    del params[2]
    params.append({"name": "orderBy", "in": "query", "schema": {"type": "string"}})
    props = paths["/api/v1/workloads"]["post"]["requestBody"]["content"]["application/json"]["schema"]["properties"]
    props["gpu"] = {"type": "number", "deprecated": True, "description": "Deprecated - use `compute.gpu` instead"}
    props["compute"] = {"type": "object", "properties": {"gpu": {"type": "number"}}}
    del props["name"]
    props["kind"] = {"type": "string", "enum": ["train", "infer", "serve"]}
    props["subjectType"] = {
        "type": "string", "enum": ["user", "app", "service-account"],
        "description": "The 'app' subject type is DEPRECATED. Please use 'service-account'.",
    }
    return new


def _index(doc: dict[str, Any], name: str) -> SpecIndex:
    return load_spec_document(doc, source=name)


def test_diff_of_hand_written_specs() -> None:
    diff = diff_specs(_index(OLD, "old.json"), _index(_new_spec(), "new.json"), old_label="A", new_label="B")
    assert (diff.old, diff.new) == ("A", "B")
    assert diff.added == (OperationChange("GET", "/api/v1/modern", "Modern <listing> | new", None, False),)
    assert diff.removed == (
        OperationChange("GET", "/api/v1/legacy", "Legacy listing", "/api/v1/modern", True),
    )
    assert diff.deprecated == (
        OperationChange("GET", "/api/v1/apps/{id}", "Get an application", "Service Accounts endpoints", True),
    )
    wl = ("GET", "/api/v1/workloads")
    post = ("POST", "/api/v1/workloads")
    assert diff.members == (
        MemberChange("parameter", "added", *wl, "query orderBy"),
        MemberChange("parameter", "removed", *wl, "query oldFilter"),
        MemberChange("parameter", "deprecated", *wl, "query sortBy", "orderBy"),
        MemberChange("field", "added", *post, "compute"),
        MemberChange("field", "added", *post, "compute.gpu"),
        MemberChange("field", "removed", *post, "name"),
        MemberChange("field", "deprecated", *post, "gpu", "compute.gpu"),
        MemberChange("enum value", "added", *post, "kind=serve"),
        MemberChange("enum value", "removed", *post, "kind=legacy"),
        MemberChange("enum value", "added", *post, "subjectType=service-account"),
        MemberChange("enum value", "deprecated", *post, "subjectType=app", "service-account"),
    )


def test_identical_specs_have_no_diff() -> None:
    diff = diff_specs(_index(OLD, "a"), _index(copy.deepcopy(OLD), "b"))
    assert diff.empty
    assert "0 operations added, 0 removed, 0 newly deprecated" in render_diff(diff, "text")


def test_operations_only_skips_bodies() -> None:
    diff = diff_specs(_index(OLD, "a"), _index(_new_spec(), "b"), fields=False)
    assert {m.kind for m in diff.members} == {"parameter"}


def _write(tmp_path: Path, name: str, doc: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(doc) if name.endswith(".yaml") else json.dumps(doc))
    return path


def _cli(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), env={"RUNAI_TOKEN": "", "RUNAI_CLIENT_ID": ""})


def test_cli_diff_text_from_files(tmp_path: Path) -> None:
    old, new = _write(tmp_path, "old.yaml", OLD), _write(tmp_path, "new.json", _new_spec())
    result = _cli("spec", "diff", str(old), str(new))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"API changes from {old} to {new}"
    assert "  ! GET /api/v1/apps/{id} -> use Service Accounts endpoints" in lines
    assert "  - GET /api/v1/legacy -> use /api/v1/modern" in lines
    assert "  + GET /api/v1/modern" in lines
    assert "  ! query sortBy in GET /api/v1/workloads -> use orderBy" in lines
    assert "  ! subjectType=app in POST /api/v1/workloads -> use service-account" in lines
    assert lines[-1] == "1 operations added, 1 removed, 1 newly deprecated; 11 parameter, field and enum changes"


def test_cli_diff_json(tmp_path: Path) -> None:
    old, new = _write(tmp_path, "old.json", OLD), _write(tmp_path, "new.json", _new_spec())
    result = _cli("spec", "diff", str(old), str(new), "--format", "json")
    data = json.loads(result.stdout)
    assert data["operations"]["deprecated"] == [{
        "level": "deprecation", "method": "GET", "path": "/api/v1/apps/{id}", "summary": "Get an application",
        "deprecated": True, "replacement": "Service Accounts endpoints",
    }]
    assert data["fields"]["deprecated"] == [
        {"level": "deprecation", "method": "POST", "path": "/api/v1/workloads", "name": "gpu", "replacement": "compute.gpu"}
    ]
    assert data["enum_values"]["removed"] == [
        {"level": "breaking", "method": "POST", "path": "/api/v1/workloads", "name": "kind=legacy", "replacement": None}
    ]
    assert data["summary"]["parameters_added"] == 1
    assert data["summary"]["operations_removed"] == 1
    assert data["levels"] == {"breaking": 4, "deprecation": 4, "non-breaking": 6}


def test_cli_diff_markdown_escapes_cells(tmp_path: Path) -> None:
    old, new = _write(tmp_path, "old.json", OLD), _write(tmp_path, "new.json", _new_spec())
    result = _cli("spec", "diff", str(old), str(new), "--format", "markdown")
    assert "| `GET /api/v1/modern` |  | Modern &lt;listing&gt; \\| new |" in result.stdout.splitlines()


def test_cli_diff_html_is_escaped_and_self_contained(tmp_path: Path) -> None:
    hostile = _new_spec()
    hostile["paths"]["/api/v1/modern"]["get"]["summary"] = "<script>alert(1)</script>"
    old, new = _write(tmp_path, "old.json", OLD), _write(tmp_path, "new.json", hostile)
    out = tmp_path / "diff.html"
    result = _cli("spec", "diff", str(old), str(new), "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'content="default-src &#39;none&#39;; style-src &#39;sha256-' in page
    assert "http://" not in page and "https://" not in page  # nothing to load from anywhere
    assert "<code>GET /api/v1/apps/{id}</code>" in page
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src &#39;sha256-{digest}&#39;" in page  # the inline style is allowed, nothing else


def test_bundled_2_23_to_2_24_deprecates_applications() -> None:
    """The applications and user-applications endpoints become deprecated in 2.24, in favour of
    service accounts and access keys."""
    result = _cli("spec", "diff", "2.23", "2.24")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    start = lines.index("Operations newly deprecated (13):")
    assert lines[start + 1 : start + 14] == [
        "  ! DELETE /api/v1/administration/user-applications/{appId} -> use Access Keys endpoints",
        "  ! DELETE /api/v1/apps/{appId} -> use Service Accounts endpoints",
        "  ! DELETE /api/v1/user-applications/{appId} -> use Access Keys endpoints",
        "  ! GET /api/v1/administration/user-applications -> use Access Keys endpoints",
        "  ! GET /api/v1/apps -> use Service Accounts endpoints",
        "  ! GET /api/v1/apps/{appId} -> use Service Accounts endpoints",
        "  ! GET /api/v1/user-applications -> use Access Keys endpoints",
        "  ! GET /api/v1/user-applications/{appId} -> use Access Keys endpoints",
        "  ! PATCH /api/v1/apps/{appId} -> use Service Accounts endpoints",
        "  ! POST /api/v1/apps -> use Service Accounts endpoints",
        "  ! POST /api/v1/apps/{appId}/secret -> use Service Accounts endpoints",
        "  ! POST /api/v1/user-applications -> use Access Keys endpoints",
        "  ! POST /api/v1/user-applications/{appId}/secret -> use Access Keys endpoints",
    ]
    assert lines[start + 14] == ""
    # Removed between the two: the old per-cluster department endpoints.
    assert "  - DELETE /v1/k8s/clusters/{clusterId}/departments/{department-id}" in lines
    assert "  ! subjectType=app in POST /api/v1/authorization/access-rules -> use service-account" in lines


def test_unknown_release_is_a_clear_error() -> None:
    result = _cli("spec", "diff", "2.10", "2.24")
    assert result.exit_code == 3
    assert result.stderr == (
        "runai-audit: error: 2.10: no bundled spec for this release and no such file "
        "(bundled: 2.18, 2.19, 2.20, 2.21, 2.22, 2.23, 2.24)\n"
    )


def test_diff_against_a_url(tmp_path: Path) -> None:
    script = Script({"/api/docs/openapi.json": [Answer(200, json.dumps(_new_spec()).encode())]})
    old = _write(tmp_path, "old.json", OLD)
    with serve(script) as base:
        result = _cli("spec", "diff", str(old), f"{base}/api/docs/openapi.json?t=x", "--operations-only")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"API changes from {old} to {base}/api/docs/openapi.json"
    assert "  + GET /api/v1/modern" in result.stdout.splitlines()


# --------------------------------------------------------------------------- validate


def test_validate_valid_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "spec.yaml", _new_spec())
    result = _cli("spec", "validate", str(path))
    assert result.exit_code == 0
    assert result.stdout == f"{path}: valid OpenAPI document, 4 operations (1 deprecated)\n"


def test_validate_invalid_file_names_the_place(tmp_path: Path) -> None:
    bad = _new_spec()
    bad["paths"]["/api/v1/workloads"]["get"]["parameters"][0]["in"] = "nowhere"
    path = _write(tmp_path, "bad.json", bad)
    result = _cli("spec", "validate", str(path))
    assert result.exit_code == 3
    assert result.stderr == (
        f"runai-audit: error: {path}: 'nowhere' is not one of path, query, header, cookie "
        "(at $.paths['/api/v1/workloads'].get.parameters[0].in)\n"
    )


def test_validate_not_openapi(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"swagger": "2.0"}')
    result = _cli("spec", "validate", str(path))
    assert result.exit_code == 3
    assert result.stderr == (
        f"runai-audit: error: {path}: only OpenAPI 3.x documents are supported (found swagger 2.0) (at $.openapi)\n"
    )


def test_validate_url(tmp_path: Path) -> None:
    script = Script({"/openapi.yaml": [Answer(200, yaml.safe_dump(OLD).encode())]})
    with serve(script) as base:
        result = _cli("spec", "validate", f"{base}/openapi.yaml")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{base}/openapi.yaml: valid OpenAPI document, 4 operations (1 deprecated)\n"


@pytest.mark.parametrize("missing", ["nope.json"])
def test_validate_missing_file(tmp_path: Path, missing: str) -> None:
    result = _cli("spec", "validate", str(tmp_path / missing))
    assert result.exit_code == 3
    assert result.stderr.startswith(f"runai-audit: error: {tmp_path / missing}: cannot read the file")
