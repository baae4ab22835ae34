"""Whose API is it? The file signals of runai_judgement: another vendor named in the file, and
Keycloak realms (shared by everyone who runs Keycloak)."""

from __future__ import annotations

import textwrap

from runai_audit.api import scan_text
from runai_audit.judge.runai_judgement import judge_call, keycloak_realm, names_other_vendor
from runai_audit.knowledge.paths import parse_url
from runai_audit.models import ApiCall, Location

AS_OF = "2026-11-28"


def findings(code: str, name: str) -> list[tuple[str, int, int]]:
    found = scan_text(textwrap.dedent(code).lstrip("\n"), name, target="2.24", as_of=AS_OF)
    return sorted((f.rule_id, f.location.line, f.location.column) for f in found)


# --------------------------------------------------------------------------- another vendor

VENDOR_GO = """
// Package edge drives the Karbon service of a Nutanix Prism Central.
package edge

func (s *Service) Create(ctx context.Context) error {
	path := "/v1/k8s/clusters"
	return s.do(ctx, "POST", path)
}

func (s *Service) Get(ctx context.Context, name string) error {
	path := fmt.Sprintf("/v1/k8s/clusters/%s/kubeconfig", name)
	return s.do(ctx, "GET", path)
}
"""


def test_vendor_file_that_never_names_runai_stays_silent() -> None:
    assert findings(VENDOR_GO, "edge/service.go") == []


def test_same_path_in_a_runai_client_is_reported() -> None:
    runai_go = VENDOR_GO.replace("the Karbon service of a Nutanix Prism Central", "a Run:ai control plane (runai)")
    # Not a path Run:ai publishes: unsupported, at both literals.
    assert findings(runai_go, "edge/service.go") == [("RA100", 5, 11), ("RA100", 10, 23)]


def test_file_naming_both_vendors_keeps_the_runai_reading() -> None:
    both = VENDOR_GO.replace("package edge", "package edge // also mirrors clusters to runai")
    assert findings(both, "edge/service.go") == [("RA100", 5, 11), ("RA100", 10, 23)]


def test_runai_named_base_wins_over_a_vendor_mention() -> None:
    code = """
    import requests

    # Karbon clusters are listed elsewhere; this module only deletes Run:ai projects.
    def drop(RUNAI_URL, cid, pid):
        return requests.delete(f"{RUNAI_URL}/v1/k8s/clusters/{cid}/projects/{pid}")
    """
    assert findings(code, "drop.py") == [("RA102", 5, 28)]


def test_vendor_table_and_pure_judgement() -> None:
    assert names_other_vendor("client for NKE (formerly Karbon)")
    assert names_other_vendor("import nutanix.prism")
    assert not names_other_vendor("carbon footprint of a runai cluster")
    call = ApiCall("GET", "{**}/v1/k8s/clusters", Location("a.go", 1, 1))
    url = parse_url(call.url)
    assert judge_call(call, url, (), file_mentions_runai=False, file_names_other_vendor=True) is None
    assert judge_call(call, url, (), file_mentions_runai=True, file_names_other_vendor=True) is not None
    literal = ApiCall("GET", "https://acme.run.ai/v1/k8s/clusters", Location("a.go", 1, 1))
    assert judge_call(literal, parse_url(literal.url), (), False, file_names_other_vendor=True) is not None


# --------------------------------------------------------------------------- Keycloak realms

def test_keycloak_admin_realm_is_never_runai_even_in_a_runai_file() -> None:
    code = """
    import requests

    class Admin:
        def login(self):
            url = f"{self.base}/realms/master/protocol/openid-connect/token"
            requests.post(url, data={"grant_type": "password", "client_id": "admin-cli"})
            # redirect for the runai realm is configured below
    """
    assert findings(code, "admin.py") == []


def test_runai_realm_on_an_unknown_base_is_reported_where_the_url_is_written() -> None:
    code = """
    import requests

    REALM = "runai"
    def token(base, cid, secret):
        token_url = f"{base}/auth/realms/{REALM}/protocol/openid-connect/token"
        form = {"grant_type": "client_credentials", "client_id": cid, "client_secret": secret}
        return requests.post(token_url, data=form).json()["access_token"]
    """
    assert findings(code, "auth.py") == [("RA501", 5, 17)]


def test_runai_realm_on_a_stand_in_host_and_a_placeholder_base() -> None:
    host = """
    import requests
    CONTROL_PLANE = "https://dummy.com"
    r = requests.post(CONTROL_PLANE + "/auth/realms/runai/protocol/openid-connect/token", data={})
    """
    assert findings(host, "host.py") == [("RA501", 3, 19)]
    base = """
    import requests
    base_url = "YOUR base_url"
    r = requests.post(f"{base_url}/auth/realms/runai/protocol/openid-connect/token", data={})
    """
    assert findings(base, "base.py") == [("RA501", 3, 19)]


def test_other_realm_needs_more_than_a_mention() -> None:
    mention_only = """
    import requests
    # sign in to the company Keycloak before talking to runai
    def login(kc, realm):
        return requests.post(f"{kc}/auth/realms/{realm}/protocol/openid-connect/token", data={})
    """
    assert findings(mention_only, "login.py") == []
    with_runai_call = mention_only + """
    def projects(runai_url):
        return requests.get(f"{runai_url}/v1/k8s/clusters/c1/projects")
    """
    assert findings(with_runai_call, "login.py") == [("RA101", 7, 25), ("RA501", 4, 26)]


def test_keycloak_realm_reader() -> None:
    assert keycloak_realm("{**}/auth/realms/runai/protocol/openid-connect/token") == "runai"
    assert keycloak_realm("/realms/master/protocol/openid-connect/token") == "master"
    assert keycloak_realm("{**}/api/v1/token") is None
