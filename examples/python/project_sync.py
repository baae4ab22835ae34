"""Nightly job: mirror project quotas from our CMDB into Run:ai.

Written against the old cluster-scoped project API; see the migration report for what to change.
"""

import os

import requests

RUNAI_URL = os.environ.get("RUNAI_URL", "https://acme.run.ai")
CLUSTER_ID = os.environ["RUNAI_CLUSTER_ID"]


def get_token() -> str:
    # Application credentials from the Vault mount.
    body = {
        "grantType": "app_token",
        "AppId": os.environ["RUNAI_APP_ID"],
        "appSecret": os.environ["RUNAI_APP_SECRET"],
    }
    resp = requests.post(f"{RUNAI_URL}/api/v1/token", json=body, timeout=30)
    resp.raise_for_status()
    return resp.json()["accessToken"]


def list_projects(token: str) -> list[dict]:
    headers = {"Authorization": f"Bearer {token}"}
    resp = requests.get(f"{RUNAI_URL}/v1/k8s/clusters/{CLUSTER_ID}/projects", headers=headers, timeout=30)
    resp.raise_for_status()
    return resp.json()


def set_quota(token: str, project_id: int, gpus: float) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    payload = {"name": "placeholder", "deservedGpus": gpus}
    requests.put(
        f"{RUNAI_URL}/v1/k8s/clusters/{CLUSTER_ID}/projects/{project_id}",
        json=payload,
        headers=headers,
        timeout=30,
    )


def current_projects(token: str) -> list[dict]:
    # Already migrated: the org-unit API is the supported one.
    headers = {"Authorization": f"Bearer {token}"}
    resp = requests.get(f"{RUNAI_URL}/api/v1/org-unit/projects", headers=headers, timeout=30)
    return resp.json()["projects"]


if __name__ == "__main__":
    tok = get_token()
    for project in list_projects(tok):
        set_quota(tok, project["id"], 2)
