import requests

QUERY = "sum(rate(runai_job_total_runtime[5m]))"


def run(prom: str) -> dict:
    return requests.get(f"{prom}/api/v1/query", params={"query": QUERY}, timeout=30).json()
