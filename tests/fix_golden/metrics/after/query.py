import requests

QUERY = "sum(rate(runai_run_time_seconds_per_workload[5m]))"


def run(prom: str) -> dict:
    return requests.get(f"{prom}/api/v1/query", params={"query": QUERY}, timeout=30).json()
