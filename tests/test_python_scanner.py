"""The Python scanner: exact method, URL, line and column for every form it reads."""

from __future__ import annotations

import re
import textwrap
import time
from pathlib import Path

import pytest

from runai_audit.models import (
    ApiCall,
    BodyField,
    CliCall,
    Confidence,
    FieldRead,
    FieldRef,
    InputProblem,
    Location,
    ManifestObject,
    Observation,
    QueryParam,
)
from runai_audit.scanners.python.scanner import scan_python
from runai_audit.scanners.redact import is_secret_name, mask_secrets

FIXTURES = Path(__file__).parent / "fixtures" / "python"


def scan(source: str, path: str = "app.py", line_offset: int = 0) -> list[Observation]:
    """Observations other than JSON key reads (those have tests of their own in test_sdk_and_reads)."""
    result = scan_python(textwrap.dedent(source).lstrip("\n"), path, line_offset=line_offset)
    assert result.problems == []
    return [o for o in result.observations if not isinstance(o, FieldRead)]


def api_calls(source: str) -> list[ApiCall]:
    return [o for o in scan(source) if isinstance(o, ApiCall)]


def where(obs: Observation | FieldRef) -> tuple[int, int]:
    return (obs.location.line, obs.location.column)


def summary(obs: ApiCall) -> tuple[str, str, int, int]:
    return (obs.method, obs.url, obs.location.line, obs.location.column)


# --------------------------------------------------------------------------- HTTP forms

HTTP_CASES = [
    pytest.param(
        """
        import requests
        def projects(cid):
            return requests.get(f"{BASE}/v1/k8s/clusters/{cid}/projects")
        """,
        [("GET", "{**}/v1/k8s/clusters/{*}/projects", 3, 25)], id="requests_fstring_unbound_base"),
    pytest.param(
        """
        def remove(client, app_id):
            client.request(
                "DELETE",
                RUNAI_URL + "/api/v1/apps/" + app_id,
            )
        """,
        [("DELETE", "{**}/api/v1/apps/{*}", 4, 9)], id="client_request_method_on_other_line"),
    pytest.param(
        """
        import requests
        class Api:
            def __init__(self, url):
                self.base = f"{url}/v1/k8s"
                self.session = requests.Session()
            def users(self):
                return self.session.get(f"{self.base}/users")
        """,
        [("GET", "{**}/v1/k8s/users", 7, 33)], id="class_self_base"),
    pytest.param(
        """
        import httpx
        client = httpx.Client(base_url="https://acme.run.ai/api/v1")
        client.get("/users")
        """,
        [("GET", "https://acme.run.ai/api/v1/users", 3, 12)], id="httpx_client_base_url"),
    pytest.param(
        """
        import httpx
        async def main():
            async with httpx.AsyncClient(base_url=RUNAI) as http:
                await http.delete("/api/v1/workloads/trainings/" + wid)
        """,
        [("DELETE", "{**}/api/v1/workloads/trainings/{*}", 4, 27)], id="httpx_async_client_with"),
    pytest.param(
        """
        import aiohttp
        async def main():
            async with aiohttp.ClientSession("https://acme.run.ai") as session:
                async with session.post("/api/v1/token", json={}) as resp:
                    return resp
        """,
        [("POST", "https://acme.run.ai/api/v1/token", 4, 33)], id="aiohttp_base_url"),
    pytest.param(
        """
        import urllib3
        urllib3.PoolManager().request("GET", "https://acme.run.ai/v1/k8s/clusters")
        """,
        [("GET", "https://acme.run.ai/v1/k8s/clusters", 2, 38)], id="urllib3_pool_manager"),
    pytest.param(
        """
        import http.client
        conn = http.client.HTTPSConnection("acme.run.ai", 8443)
        conn.request("GET", "/v1/k8s/clusters", headers={})
        """,
        [("GET", "https://acme.run.ai:8443/v1/k8s/clusters", 3, 21)], id="http_client_host_from_constructor"),
    pytest.param(
        """
        import requests
        s = requests.Session()
        s.patch("https://acme.run.ai/api/v1/org-unit/projects/7", json={})
        """,
        [("PATCH", "https://acme.run.ai/api/v1/org-unit/projects/7", 3, 9)], id="session_variable"),
    pytest.param(
        """
        class Controller:
            def __init__(self, client):
                self.client = client
            def pools(self, cluster):
                path = f"/v1/k8s/clusters/{cluster}/node-pools"
                return self.client.put(path, data={})
        """,
        [("PUT", "{**}/v1/k8s/clusters/{*}/node-pools", 5, 16)], id="named_client_local_path"),
    pytest.param(
        """
        import requests
        resp = requests.post(
            "https://acme.run.ai/api/v1/token",
            json={},
        )
        """,
        [("POST", "https://acme.run.ai/api/v1/token", 3, 5)], id="method_line_differs_from_url"),
    pytest.param(
        """
        import requests as rq
        from httpx import post
        BASE = "https://acme.run.ai"
        rq.get(BASE + "/api/v1/projects")
        post(url=BASE + "/api/v1/token")
        """,
        [("GET", "https://acme.run.ai/api/v1/projects", 4, 8),
         ("POST", "https://acme.run.ai/api/v1/token", 5, 10)], id="import_aliases_and_module_constant"),
    pytest.param(
        """
        import requests
        def f(base, cid):
            requests.get("{}/v1/k8s/clusters/{}/nodes".format(base, cid))
            requests.get("%s/api/v1/nodepools/%s" % (base, cid))
        """,
        [("GET", "{**}/v1/k8s/clusters/{*}/nodes", 3, 18),
         ("GET", "{**}/api/v1/nodepools/{*}", 4, 18)], id="format_and_percent"),
    pytest.param(
        """
        import os, requests
        from urllib.parse import urljoin
        requests.post(urljoin(os.getenv("RUNAI_HOST"), "/api/v1/token"))
        requests.get(os.environ.get("BASE", "https://x") + "/v1/k8s/users")
        """,
        [("POST", "{**}/api/v1/token", 3, 15), ("GET", "{**}/v1/k8s/users", 4, 14)], id="urljoin_and_env"),
    pytest.param(
        """
        import requests
        class Base:
            PREFIX = "https://acme.run.ai/api/v1"
        class Projects(Base):
            def get(self, pid):
                url = self.PREFIX
                url += f"/org-unit/projects/{pid}"
                return requests.get(url)
        """,
        [("GET", "https://acme.run.ai/api/v1/org-unit/projects/{*}", 8, 29)],
        id="inherited_class_attribute_and_augassign"),
    pytest.param(
        """
        import urllib.request
        urllib.request.urlopen("https://acme.run.ai/v1/k8s/clusters")
        req = urllib.request.Request("https://acme.run.ai/v1/k8s/users", data=b"{}", method="PUT")
        """,
        [("GET", "https://acme.run.ai/v1/k8s/clusters", 2, 24),
         ("PUT", "https://acme.run.ai/v1/k8s/users", 3, 30)], id="urllib_request"),
    pytest.param(
        """
        import requests
        def call(method, url):
            return requests.request(method, url)
        """,
        [("*", "{**}", 3, 37)], id="unresolved_call_is_kept_low"),
]


@pytest.mark.parametrize(("source", "expected"), HTTP_CASES)
def test_http_call_forms(source: str, expected: list[tuple[str, str, int, int]]) -> None:
    assert [summary(c) for c in api_calls(source)] == expected


def test_confidence_and_runai_hint() -> None:
    calls = api_calls("""
        import os, requests
        RUNAI_URL = os.environ["RUNAI_URL"]
        requests.get("https://acme.run.ai/api/v1/projects")
        requests.get(RUNAI_URL + "/api/v1/projects/" + pid)
        requests.get(base + "/" + pid)
        requests.request(verb, "https://acme.run.ai/api/v1/projects")
        """)
    assert [(c.confidence, c.runai_hint) for c in calls] == [
        (Confidence.HIGH, False),
        (Confidence.MEDIUM, True),
        (Confidence.LOW, False),
        (Confidence.LOW, False),
    ]
    assert calls[3].method == "*"


def test_runai_hint_from_attribute_and_env_name() -> None:
    calls = api_calls("""
        import os, requests
        class C:
            def __init__(self):
                self.runai_base = os.environ["SOME_HOST"]
            def f(self):
                requests.get(self.runai_base + "/v1/k8s/users")
                requests.get(os.environ["RUNAI_HOST"] + "/v1/k8s/users")
                requests.get(os.environ["OTHER_HOST"] + "/v1/k8s/users")
                requests.get(settings.get("runai_url") + "/v1/k8s/users")
                requests.get(config["Run_AI"]["host"] + "/v1/k8s/users")
        """)
    assert [c.runai_hint for c in calls] == [True, True, False, True, True]


def test_query_names_from_url_and_params() -> None:
    (call,) = api_calls("""
        import requests
        requests.get("https://acme.run.ai/api/v1/workloads?limit=10&offset=0", params={"sortBy": "name"})
        """)
    assert call.url == "https://acme.run.ai/api/v1/workloads"
    assert call.query == (
        QueryParam("limit", Location("app.py", 2, 52)),
        QueryParam("offset", Location("app.py", 2, 61)),
        QueryParam("sortBy", Location("app.py", 2, 80)),
    )


def test_dict_get_and_web_session_are_not_http() -> None:
    assert scan("""
        import os
        def view(session, cache_client, db_session, obj):
            session.get("user_id")
            cache_client.get(key)
            db_session.delete(obj)
            os.environ.get("RUNAI_URL")
            {"a": 1}.get("a")
        """) == []


# --------------------------------------------------------------------------- bodies


def test_token_body_fields_with_key_locations() -> None:
    (call,) = api_calls("""
        import requests
        payload = {
            "grantType": "app_token",
            "appID": "quota-bot",
            "appSecret": "Zq8vJ2kLm4Np6Rs9Tu1Wx3Yz",
        }
        requests.post("https://acme.run.ai/api/v1/token", json=payload)
        """)
    assert call.body == (
        BodyField("grantType", "app_token", Location("app.py", 3, 5)),
        BodyField("appID", "quota-bot", Location("app.py", 4, 5)),
        BodyField("appSecret", None, Location("app.py", 5, 5)),
    )


def test_body_built_over_statements_and_nested_paths() -> None:
    (call,) = api_calls("""
        import json, requests
        def submit(name):
            body = {}
            body["grantType"] = "app_token"
            spec = {"compute": {"migProfile": "1g.5gb"}, "nodePools": [{"name": "a"}]}
            body["spec"] = spec
            body.update(enabled=True)
            requests.post(URL, data=json.dumps(body))
        """)
    assert [(f.path, f.value, where_of(f)) for f in call.body] == [
        ("grantType", "app_token", (4, 10)),
        ("spec", None, (6, 10)),
        ("spec.compute", None, (5, 13)),
        ("spec.compute.migProfile", "1g.5gb", (5, 25)),
        ("spec.nodePools", None, (5, 50)),
        ("spec.nodePools[].name", "a", (5, 65)),
        ("enabled", "true", (7, 17)),
    ]


def where_of(item: BodyField) -> tuple[int, int]:
    assert item.location is not None
    return (item.location.line, item.location.column)


def test_dict_call_body_and_form_data() -> None:
    (call,) = api_calls("""
        import requests
        requests.post("https://acme.run.ai/auth/realms/acme/protocol/openid-connect/token",
                      data=dict(grant_type="client_credentials", client_id="bot", client_secret=SECRET))
        """)
    assert [(f.path, f.value, where_of(f)) for f in call.body] == [
        ("grant_type", "client_credentials", (3, 25)),
        ("client_id", "bot", (3, 58)),
        ("client_secret", None, (3, 75)),
    ]


# --------------------------------------------------------------------------- wrappers


def test_wrapper_methods_are_rebuilt_at_each_call_site() -> None:
    calls = api_calls("""
        import requests
        class Rest:
            def __init__(self, url):
                self.session = requests.Session()
                self.base = f"{url}/v1/k8s"
            def _send(self, method, path, body=None):
                return self.session.request(method, self.base + path, json=body)
            def users(self):
                return self._send("GET", "/users")
            def create(self, cid):
                return self._send("POST", f"/clusters/{cid}/projects", {"name": "p1"})
        """)
    assert [summary(c) for c in calls] == [
        ("GET", "{**}/v1/k8s/users", 9, 34),
        ("POST", "{**}/v1/k8s/clusters/{*}/projects", 11, 35),
    ]
    assert calls[1].body == (BodyField("name", "p1", Location("app.py", 11, 65)),)


def test_fallback_literals_take_the_method_from_the_helper_name() -> None:
    calls = api_calls("""
        def run(self, body):
            self._get("/v1/k8s/users")
            post_json(f"{RUNAI}/api/v1/token", body)
            api_call("/api/v1/projects?limit=5")
            prefix = "/v1/k8s/"
            log.info("calling /api/v1/token")
        """)
    assert [(c.method, c.url, where(c), c.confidence, c.runai_hint) for c in calls] == [
        ("GET", "{**}/v1/k8s/users", (2, 15), Confidence.LOW, False),
        ("POST", "{**}/api/v1/token", (3, 15), Confidence.LOW, True),
        ("*", "{**}/api/v1/projects", (4, 14), Confidence.LOW, False),
    ]


def test_literal_used_by_a_detected_call_is_not_reported_twice() -> None:
    calls = api_calls("""
        import requests
        PROJECTS = "/api/v1/org-unit/projects"
        requests.get(HOST + PROJECTS)
        """)
    assert [summary(c) for c in calls] == [("GET", "{**}/api/v1/org-unit/projects", 3, 14)]


# --------------------------------------------------------------------------- Kubernetes client


def test_custom_objects_api_calls() -> None:
    calls = api_calls("""
        from kubernetes import client
        api = client.CustomObjectsApi()
        api.create_namespaced_custom_object(group="run.ai", version="v2alpha1", namespace=ns,
                                            plural="trainingworkloads", body={"spec": {"gpu": {"value": "1"}}})
        api.get_namespaced_custom_object("run.ai", "v2alpha1", "runai-a", "interactiveworkloads", name)
        api.patch_namespaced_custom_object_status("run.ai", "v1", ns, "runaijobs", name, {})
        api.list_cluster_custom_object(group="run.ai", version="v2alpha1", plural="trainingworkloads")
        api.replace_cluster_custom_object("run.ai", version, "projects", "p1", {})
        api.list_namespaced_custom_object("scheduling.run.ai", "v2", ns, "queues")
        """)
    assert [summary(c) for c in calls] == [
        ("POST", "{**}/apis/run.ai/v2alpha1/namespaces/{*}/trainingworkloads", 3, 5),
        ("GET", "{**}/apis/run.ai/v2alpha1/namespaces/runai-a/interactiveworkloads/{*}", 5, 5),
        ("PATCH", "{**}/apis/run.ai/v1/namespaces/{*}/runaijobs/{*}/status", 6, 5),
        ("GET", "{**}/apis/run.ai/v2alpha1/trainingworkloads", 7, 5),
        ("PUT", "{**}/apis/run.ai/{*}/projects/p1", 8, 5),
    ]
    assert all(c.runai_hint for c in calls)
    assert [f.path for f in calls[0].body] == ["spec", "spec.gpu", "spec.gpu.value"]
    assert calls[4].confidence is Confidence.MEDIUM


# --------------------------------------------------------------------------- manifests


def test_dict_manifest_with_field_locations() -> None:
    found = scan("""
        manifest = {
            "apiVersion": "run.ai/v2alpha1",
            "kind": "TrainingWorkload",
            "metadata": {"name": "job-1", "ownerReferences": [{"apiVersion": "v1", "kind": "Pod"}]},
            "spec": {"nodePool": {"value": "a100"}},
        }
        manifest["spec"]["gpu"] = {"value": "1"}
        """)
    (obj,) = found
    assert isinstance(obj, ManifestObject)
    assert (obj.api_version, obj.kind, obj.name, where(obj)) == ("run.ai/v2alpha1", "TrainingWorkload", "job-1", (1, 12))
    assert [(f.path, f.location.line, f.location.column, f.value) for f in obj.fields] == [
        ("apiVersion", 2, 5, "run.ai/v2alpha1"),
        ("kind", 3, 5, "TrainingWorkload"),
        ("metadata", 4, 5, None),
        ("metadata.name", 4, 18, "job-1"),
        ("metadata.ownerReferences", 4, 35, None),
        ("metadata.ownerReferences[].apiVersion", 4, 56, "v1"),
        ("metadata.ownerReferences[].kind", 4, 76, "Pod"),
        ("spec", 5, 5, None),
        ("spec.nodePool", 5, 14, None),
        ("spec.nodePool.value", 5, 27, "a100"),
        ("spec.gpu", 7, 18, None),
        ("spec.gpu.value", 7, 28, "1"),
    ]


def test_list_items_are_manifests_of_their_own() -> None:
    found = scan("""
        doc = {"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "run.ai/v2alpha1", "kind": "InferenceWorkload", "spec": {}},
        ]}
        """)
    assert [(o.api_version, o.kind, where(o)) for o in found if isinstance(o, ManifestObject)] == [
        ("v1", "List", (1, 7)),
        ("run.ai/v2alpha1", "InferenceWorkload", (2, 5)),
    ]


def test_yaml_fstring_manifest_fields_map_to_file_lines() -> None:
    found = scan('''
        def build(name, gpus):
            return f"""
        apiVersion: run.ai/v2alpha1
        kind: TrainingWorkload
        metadata:
          name: {name}
        spec:
          gpu:
            value: "{gpus}"
          migProfile:
            value: 1g.5gb
        """
        ''')
    (obj,) = found
    assert isinstance(obj, ManifestObject)
    assert (obj.api_version, obj.kind, obj.name, where(obj)) == ("run.ai/v2alpha1", "TrainingWorkload", None, (3, 1))
    assert [(f.path, f.location.line, f.location.column, f.value) for f in obj.fields] == [
        ("apiVersion", 3, 1, "run.ai/v2alpha1"),
        ("kind", 4, 1, "TrainingWorkload"),
        ("metadata", 5, 1, None),
        ("metadata.name", 6, 3, None),
        ("spec", 7, 1, None),
        ("spec.gpu", 8, 3, None),
        ("spec.gpu.value", 9, 5, None),
        ("spec.migProfile", 10, 3, None),
        ("spec.migProfile.value", 11, 5, "1g.5gb"),
    ]


def test_yaml_format_template_and_one_line_literal() -> None:
    found = scan("""
        TEMPLATE = '''apiVersion: run.ai/{version}
        kind: InteractiveWorkload
        spec:
          gpu: {gpu}
        '''
        ONE_LINE = "apiVersion: run.ai/v1\\nkind: RunaiJob\\nspec:\\n  schedulerName: runai-scheduler\\n"
        """)
    assert [(o.api_version, o.kind, where(o), o.confidence) for o in found if isinstance(o, ManifestObject)] == [
        ("run.ai/{*}", "InteractiveWorkload", (1, 15), Confidence.MEDIUM),
        ("run.ai/v1", "RunaiJob", (6, 12), Confidence.HIGH),
    ]
    one_line = found[1]
    assert isinstance(one_line, ManifestObject)
    assert [(f.path, f.location) for f in one_line.fields][-1] == ("spec.schedulerName", Location("app.py", 6, 12))


def test_yaml_placeholders_versus_flow_mappings() -> None:
    (obj,) = scan("""
        DOC = '''apiVersion: run.ai/v2alpha1
        kind: TrainingWorkload
        spec:
          gpu: {gpus}
          labels: {team: ml}
        '''
        """)
    assert isinstance(obj, ManifestObject)
    assert [(f.path, f.value) for f in obj.fields] == [
        ("apiVersion", "run.ai/v2alpha1"),
        ("kind", "TrainingWorkload"),
        ("spec", None),
        ("spec.gpu", None),
        ("spec.labels", None),
        ("spec.labels.team", "ml"),
    ]


# --------------------------------------------------------------------------- CLI


def test_cli_calls() -> None:
    found = scan("""
        import os, shlex, subprocess
        from subprocess import run
        RUNAI = "/opt/bin/runai"
        def go(name):
            cmd = ["runai"]
            cmd += ["submit", name]
            cmd.append("--gpu")
            cmd.extend(["1", f"--name={name}"])
            subprocess.run(cmd)
            run([RUNAI, "list", "jobs"])
            subprocess.check_output(shlex.split(f"runai-2.13.49 delete job {name}"))
            subprocess.call("runai-adm set node-role --gpu-worker " + name, shell=True)
            os.system(f"cd /tmp && runai logs {name} | tail")
            subprocess.Popen(["bash", "-c", "sudo runai login --password hunter2"])
            subprocess.run(["kubectl", "get", "pods"])
            subprocess.run(["runaix", "submit"])
        """)
    assert [(c.argv, where(c), c.confidence) for c in found if isinstance(c, CliCall)] == [
        (("runai", "submit", "{*}", "--gpu", "1", "--name={*}"), (9, 20), Confidence.MEDIUM),
        (("/opt/bin/runai", "list", "jobs"), (10, 9), Confidence.HIGH),
        (("runai-2.13.49", "delete", "job", "{*}"), (11, 29), Confidence.MEDIUM),
        (("runai-adm", "set", "node-role", "--gpu-worker", "{*}"), (12, 21), Confidence.MEDIUM),
        (("runai", "logs", "{*}"), (13, 15), Confidence.MEDIUM),
        (("runai", "login", "--password", "***"), (14, 22), Confidence.HIGH),
    ]
    assert "hunter2" not in repr(found)


# --------------------------------------------------------------------------- secrets and evidence


def test_evidence_is_the_masked_source_line() -> None:
    found = scan("""
        import requests
        requests.post("https://acme.run.ai/api/v1/token", json={"grantType": "app_token", "appSecret": "Zq8vJ2kLm4Np6Rs9Tu1Wx3Yz"})
        requests.get("https://acme.run.ai/api/v1/users?token=abc123def", headers={"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"})
        """)
    first, second = found
    assert isinstance(first, ApiCall) and isinstance(second, ApiCall)
    assert first.evidence == (
        'requests.post("https://acme.run.ai/api/v1/token", json={"grantType": "app_token", "appSecret": "***"})'
    )
    assert second.evidence == (
        'requests.get("https://acme.run.ai/api/v1/users?token=***", headers={"Authorization": "***"})'
    )
    text = repr(found)
    for secret in ("Zq8vJ2kLm4Np6Rs9Tu1Wx3Yz", "abc123def", "eyJhbGciOiJIUzI1NiJ9"):
        assert secret not in text


# --------------------------------------------------------------------------- robustness


def test_syntax_error_is_an_input_problem_with_its_line() -> None:
    result = scan_python("import requests\nprint 'old style'\n", "legacy.py")
    assert result.observations == []
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert isinstance(problem, InputProblem)
    assert (problem.path, problem.line) == ("legacy.py", 2)
    assert problem.reason.startswith("Python syntax error: ")


def test_line_offset_moves_every_location_and_problem() -> None:
    found = scan("""
        import requests
        requests.post("https://acme.run.ai/api/v1/token", json={"grantType": "app_token"})
        """, path="nb.ipynb", line_offset=40)
    (call,) = found
    assert isinstance(call, ApiCall)
    assert call.location == Location("nb.ipynb", 42, 15)
    assert call.body[0].location == Location("nb.ipynb", 42, 57)
    result = scan_python("import os\nx = (\n", "nb.ipynb", line_offset=40)
    assert [p.line for p in result.problems] == [42]


def test_code_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    source = textwrap.dedent(f"""
        import pathlib
        pathlib.Path({str(marker)!r}).write_text("executed")
        raise SystemExit("never run this")
        import requests
        requests.get("https://acme.run.ai/v1/k8s/clusters")
        """)
    result = scan_python(source, "danger.py")
    assert [summary(c) for c in result.observations if isinstance(c, ApiCall)] == [
        ("GET", "https://acme.run.ai/v1/k8s/clusters", 6, 14),
    ]
    assert not marker.exists()


def test_invalid_escapes_and_non_ascii_columns() -> None:
    (call,) = api_calls("""
        pattern = "\\d+"
        ésprit = "é"; requests.get("https://acme.run.ai/v1/k8s/users")
        """)
    assert where(call) == (2, 28)


def test_null_bytes_are_a_problem_not_a_crash() -> None:
    result = scan_python("x = 1\0", "bad.py")
    assert result.observations == []
    assert [p.path for p in result.problems] == ["bad.py"]


def test_scans_two_thousand_lines_quickly() -> None:
    block = textwrap.dedent("""
        class Client{n}:
            def __init__(self, url):
                self.session = requests.Session()
                self.base = f"{{url}}/v1/k8s"

            def _get(self, path):
                return self.session.get(self.base + path)

            def projects(self, cid):
                return self._get(f"/clusters/{{cid}}/projects")

            def token(self):
                body = {{"grantType": "app_token"}}
                body["appID"] = APP_ID
                return requests.post(RUNAI_URL + "/api/v1/token", json=body)

        def submit{n}(name):
            cmd = ["runai", "submit", name]
            subprocess.run(cmd)
        """)
    source = "import requests, subprocess\n" + "".join(block.format(n=n) for n in range(100))
    assert source.count("\n") >= 2000
    started = time.perf_counter()
    result = scan_python(source, "big.py")
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, f"scanning 2,000 lines took {elapsed:.2f}s"
    calls = [o for o in result.observations if isinstance(o, ApiCall)]
    assert [summary(c) for c in calls[:2]] == [
        ("GET", "{**}/v1/k8s/clusters/{*}/projects", 12, 26),
        ("POST", "{**}/api/v1/token", 17, 30),
    ]
    last_cli = [o for o in result.observations if isinstance(o, CliCall)][-1]
    last_run = max(i for i, line in enumerate(source.splitlines(), 1) if "subprocess.run(cmd)" in line)
    assert (last_cli.argv, where(last_cli)) == (("runai", "submit", "{*}"), (last_run, 20))


# --------------------------------------------------------------------------- annotated fixtures

_EXPECT = re.compile(r"#\s*expect:\s*(\w+)\s+(.*?)\s+@(\d+)\s*$")


def _expected(lines: list[str]) -> list[tuple[str, str, int, int]]:
    out: list[tuple[str, str, int, int]] = []
    pending: list[tuple[str, str, int]] = []
    for number, line in enumerate(lines, start=1):
        match = _EXPECT.search(line)
        if match:
            pending.append((match.group(1), match.group(2), int(match.group(3))))
        elif pending and line.strip() and not line.strip().startswith("#"):
            out += [(kind, what, number, col) for kind, what, col in pending]
            pending = []
    assert not pending, "an expect comment with no code line after it"
    return out


def _describe(obs: Observation) -> tuple[str, str, int, int]:
    line, col = obs.location.line, obs.location.column
    if isinstance(obs, ApiCall):
        return ("api", f"{obs.method} {obs.url}", line, col)
    if isinstance(obs, CliCall):
        return ("cli", " ".join(obs.argv), line, col)
    if isinstance(obs, ManifestObject):
        return ("manifest", f"{obs.api_version} {obs.kind}", line, col)
    return (type(obs).__name__, "", line, col)


@pytest.mark.parametrize("name", ["quota_sync.py", "cluster_jobs.py", "quiet_webapp.py"])
def test_annotated_fixture(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    result = scan_python(text, name)
    assert result.problems == []
    observed = [o for o in result.observations if not isinstance(o, FieldRead)]
    assert sorted(_describe(o) for o in observed) == sorted(_expected(text.splitlines()))


# --------------------------------------------------------------------------- mask_secrets

MASK_CASES = [
    ('requests.get(u, auth=("admin", "PyAuthPw88"))', "requests.get(u, auth=***))"),
    ('s.auth = HTTPBasicAuth(user, "pw2")', "s.auth = HTTPBasicAuth(***)"),
    ('aiohttp.ClientSession(auth=aiohttp.BasicAuth(login="a", password="b"))', "aiohttp.ClientSession(auth=***))"),
    ('headers = {"Authorization": "Bearer abc.def.ghi"}', 'headers = {"Authorization": "***"}'),
    ("curl -H 'Authorization: Bearer xyz123' https://acme.run.ai/api/v1/projects",
     "curl -H 'Authorization: ***' https://acme.run.ai/api/v1/projects"),
    ("GET /api/v1/users?token=abc123&limit=5", "GET /api/v1/users?token=***&limit=5"),
    ('{"grantType": "app_token", "appID": "bot", "appSecret": "s3cr3t"}',
     '{"grantType": "app_token", "appID": "bot", "appSecret": "***"}'),
    ('"password": "hunter2"', '"password": "***"'),
    ("password: hunter two", "password: ***"),
    ("client_secret=hunter2 runai login", "client_secret=*** runai login"),
    ('Client(clientSecret="hunter2", client_id="bot")', 'Client(clientSecret="***", client_id="bot")'),
    ('x = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"', 'x = "***"'),
    ('key = "2I84hkD7HLxL1cPYD5nkBRl6p1EEmCUA"', 'key = "***"'),
    ('cmd = ["runai", "login", "--password", "hunter2"]', 'cmd = ["runai", "login", "--password", "***"]'),
    ("runai login --token=abc --user me", "runai login --token=*** --user me"),
    ("Cookie: session=abc; theme=dark", "Cookie: ***"),
    ('url = "https://bot:pa55word@acme.run.ai/api"', 'url = "https://bot:***@acme.run.ai/api"'),
    ("curl -u bot:pa55word https://acme.run.ai", "curl -u bot:*** https://acme.run.ai"),
    ('if token == "abc":', 'if token == "***":'),
    ('tok = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"', 'tok = "***"'),
    ("export RUNAI_APP_SECRET=abc", "export RUNAI_APP_SECRET=***"),
    ("-----BEGIN RSA PRIVATE KEY-----MIIEow", "-----BEGIN PRIVATE KEY-----***"),
    # left alone: paths, identifiers, enum values, placeholders
    ('requests.get(f"{BASE}/api/v1/org-unit/projects")', 'requests.get(f"{BASE}/api/v1/org-unit/projects")'),
    ('api.create_namespaced_custom_object_with_http_info(group="run.ai")',
     'api.create_namespaced_custom_object_with_http_info(group="run.ai")'),
    ('{"grantType": "client_credentials"}', '{"grantType": "client_credentials"}'),
    ('headers = {"Authorization": f"Bearer {token}"}', 'headers = {"Authorization": f"***"}'),
]


@pytest.mark.parametrize(("line", "expected"), MASK_CASES)
def test_mask_secrets(line: str, expected: str) -> None:
    assert mask_secrets(line) == expected


@pytest.mark.parametrize(("name", "secret"), [
    ("appSecret", True), ("client_secret", True), ("X-Api-Key", True), ("refreshToken", True),
    ("Authorization", True), ("grantType", False), ("clientID", False), ("migProfile", False),
])
def test_is_secret_name(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_second_positional_argument_is_params_or_data() -> None:
    calls = api_calls("""
        class Projects:
            def __init__(self, client):
                self.client = client
            def all(self):
                path = "/api/v1/org-unit/projects"
                return self.client.get(path, {"filterBy": "name==a"})
            def create(self, name):
                path = "/api/v1/org-unit/projects"
                payload = json.dumps({"name": name, "clusterId": CID})
                return self.client.post(path, payload)
        """)
    assert [(c.method, c.url, [q.name for q in c.query], [b.path for b in c.body]) for c in calls] == [
        ("GET", "{**}/api/v1/org-unit/projects", ["filterBy"], []),
        ("POST", "{**}/api/v1/org-unit/projects", [], ["name", "clusterId"]),
    ]
    assert calls[0].query[0].location == Location("app.py", 6, 39)


def test_byte_order_mark_is_ignored() -> None:
    result = scan_python('\ufeffimport requests\nrequests.get("https://acme.run.ai/v1/k8s/users")\n', "bom.py")
    assert result.problems == []
    assert [summary(c) for c in result.observations if isinstance(c, ApiCall)] == [
        ("GET", "https://acme.run.ai/v1/k8s/users", 2, 14),
    ]
