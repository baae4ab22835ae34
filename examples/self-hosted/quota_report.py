"""Weekly GPU quota report for the platform team's self-hosted control plane."""

import os

import requests

TOKEN = os.environ["PLATFORM_TOKEN"]
HEADERS = {"Authorization": f"Bearer {TOKEN}"}


def projects(cluster_id: str) -> list[dict]:
    url = f"https://gpu-platform.corp.internal/v1/k8s/clusters/{cluster_id}/projects"
    return requests.get(url, headers=HEADERS, timeout=30).json()


def running_workloads() -> list[dict]:
    resp = requests.get("https://gpu-platform.corp.internal/api/v1/workloads?filterBy=phase==Running",
                        headers=HEADERS, timeout=30)
    return resp.json()["workloads"]


def departments(cluster_id: str) -> list[dict]:
    url = f"https://gpu-platform.corp.internal/v1/k8s/clusters/{cluster_id}/departments"
    return requests.get(url, headers=HEADERS, timeout=30).json()
