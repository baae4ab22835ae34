"""A request is reported where its URL is written: a path kept in an attribute or a local, a
URL built on one line and sent on another, and a suffix a helper joins onto its base."""

from __future__ import annotations

import textwrap

from runai_audit.models import ApiCall
from runai_audit.scanners.python.scanner import scan_python


def calls(source: str) -> list[tuple[str, str, int, int]]:
    result = scan_python(textwrap.dedent(source).lstrip("\n"), "m.py")
    return [(o.method, o.url, o.location.line, o.location.column)
            for o in result.observations if isinstance(o, ApiCall)]


def test_path_set_in_init_is_reported_at_the_attribute() -> None:
    assert calls("""
        class Assets:
            def __init__(self, client):
                self.client = client
                self.route = "/api/v1/asset/compute"

            def list(self):
                return self.client.get(self.route)

            def update(self, asset_id, body):
                route = f"{self.route}/{asset_id}"
                return self.client.put(route, body)
        """) == [
        ("GET", "{**}/api/v1/asset/compute", 4, 22),
        ("PUT", "{**}/api/v1/asset/compute/{*}", 10, 17),
    ]


def test_local_path_handed_to_a_client_and_url_sent_lines_later() -> None:
    assert calls("""
        import requests

        class Pools:
            def add(self, name):
                target = (
                    f"/v1/k8s/clusters/{self.client.cluster_id}/node-pools"
                )
                payload = {"name": name}
                return self.client.post(target, payload)

        def suspend(base, job):
            url = f"{base}/api/v1/workloads/trainings/{job}/suspend"
            headers = {"Accept": "application/json"}

            return requests.post(url, headers=headers)
        """) == [
        ("POST", "{**}/v1/k8s/clusters/{*}/node-pools", 6, 13),
        ("POST", "{**}/api/v1/workloads/trainings/{*}/suspend", 12, 11),
    ]


def test_url_from_the_environment_stays_at_the_request() -> None:
    assert calls("""
        import os, requests
        endpoint = os.environ["RUNAI_TOKEN_URL"]
        requests.post(endpoint, json={})
        """) == [("POST", "{**}", 3, 15)]


def test_suffix_joined_onto_a_helper_base_is_reported_at_each_caller() -> None:
    assert calls("""
        import requests

        class Legacy:
            def __init__(self, host):
                self.root = f"{host}/v1/k8s"
                self.http = requests.Session()

            def _get(self, rest):
                return self.http.get(f"{self.root}/{rest}")

            def _delete(self, rest):
                return self.http.delete(self.root + "/" + rest)

            def people(self):
                return self._get("users")

            def forget(self, cid, pid):
                return self._delete(f"clusters/{cid}/projects/{pid}")
        """) == [
        ("GET", "{**}/v1/k8s/users", 15, 26),
        ("DELETE", "{**}/v1/k8s/clusters/{*}/projects/{*}", 18, 29),
    ]


def test_helper_that_writes_its_own_path_takes_only_an_id() -> None:
    assert calls("""
        import requests

        def project(base, pid):
            return requests.get(f"{base}/api/v1/org-unit/projects/{pid}")

        project(BASE, "p1")
        """) == [("GET", "{**}/api/v1/org-unit/projects/{*}", 4, 25)]


def test_placeholder_base_and_prose_before_a_path() -> None:
    assert calls("""
        import logging, requests
        base = "<control-plane>"
        requests.get(base + "/api/v1/org-unit/projects")
        logging.info("then calling /api/v1/token with the secret")
        """) == [("GET", "{**}/api/v1/org-unit/projects", 3, 14)]
