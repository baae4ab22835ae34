"""Nightly GPU report: reads Run:ai metrics the old way (PromQL through Grafana) and the new way."""

import os

import requests

RUNAI_URL = os.environ["RUNAI_URL"]
HEADERS = {"Authorization": f"Bearer {os.environ['GRAFANA_API_KEY']}"}


def old_cpu_usage() -> dict:
    query = "sum(runai_job_cpu_usage) by (job_name)"
    resp = requests.get(f"{RUNAI_URL}/grafana/api/datasources/proxy/1/api/v1/query", params={"query": query}, headers=HEADERS, timeout=30)
    resp.raise_for_status()
    return resp.json()


def new_gpu_utilization(workload_id: str, token: str) -> dict:
    resp = requests.get(
        f"{RUNAI_URL}/api/v1/workloads/{workload_id}/metrics",
        params={"metricType": "GPU_UTILIZATION", "start": "2026-01-01T00:00:00Z", "end": "2026-01-02T00:00:00Z"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    resp.raise_for_status()
    return resp.json()
