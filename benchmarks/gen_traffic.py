"""Synthetic recorded traffic for the traffic benchmark: a browser-style HAR and an audit log.

The HAR looks like a browser export (two-space indent, one key per line): a mix of Run:ai API
calls and third-party requests, JSON request bodies, bearer tokens and cookies in headers, and
response bodies of a few KB. The audit log is JSON lines of audit.k8s.io/v1 Events, two stages
per request, mostly for core resources with some run.ai workloads.

Usage: python benchmarks/gen_traffic.py har OUT.har --size-mb 100
       python benchmarks/gen_traffic.py audit OUT.jsonl --events 1000000
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

RUNAI_HOST = "https://acme.run.ai"
OTHER_HOSTS = ("https://cdn.example.com", "https://www.googletagmanager.com", "https://api.example.org")

RUNAI_CALLS = (
    ("GET", "/api/v1/workloads?filterBy=projectName%3D%3Dteam-a&limit=50&offset=0", None),
    ("POST", "/api/v1/workloads/trainings", {
        "name": "train-{i}", "projectId": "4", "clusterId": "d1f0c0de-0000-4000-8000-000000000001",
        "spec": {"image": "nvcr.io/nvidia/pytorch:24.01-py3", "compute": {"gpuDevicesRequest": 1,
                 "gpuRequestType": "portion", "migProfile": "1g.5gb"}, "nodePools": ["default"]}}),
    ("GET", "/v1/k8s/clusters/d1f0c0de-0000-4000-8000-000000000001/projects", None),
    ("POST", "/api/v1/token", {"grantType": "app_token", "appID": "ci-bot", "appSecret": "s3cr3t-{i}"}),
    ("GET", "/api/v1/org-unit/projects?sortBy=name", None),
    ("DELETE", "/api/v1/workloads/trainings/0f9d-{i}", None),
)
OTHER_PATHS = ("/static/app.{i}.js", "/gtm.js?id=GTM-XXXX", "/v2/items/{i}?token=abc{i}")


def _headers(host: str, i: int) -> list[dict[str, str]]:
    return [
        {"name": "Host", "value": host.split("//", 1)[1]},
        {"name": "Authorization", "value": f"Bearer eyJhbGciOiJSUzI1NiJ9.payload{i}.signature"},
        {"name": "Cookie", "value": f"session=sess{i}; _ga=GA1.2.{i}"},
        {"name": "User-Agent", "value": "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0"},
        {"name": "Accept", "value": "application/json, text/plain, */*"},
        {"name": "Accept-Language", "value": "en-GB,en;q=0.9"},
    ]


def _entry(rng: random.Random, i: int) -> dict[str, object]:
    runai = rng.random() < 0.6
    if runai:
        method, path, body = rng.choice(RUNAI_CALLS)
        host = RUNAI_HOST
    else:
        method, path, body = "GET", rng.choice(OTHER_PATHS), None
        host = rng.choice(OTHER_HOSTS)
    path = path.replace("{i}", str(i))
    url = host + path
    query = [{"name": k, "value": v} for k, _, v in
             (p.partition("=") for p in url.partition("?")[2].split("&") if p)]
    request: dict[str, object] = {
        "method": method, "url": url, "httpVersion": "HTTP/2.0", "headers": _headers(host, i),
        "queryString": query, "cookies": [{"name": "session", "value": f"sess{i}"}],
        "headersSize": -1, "bodySize": 0,
    }
    if body is not None:
        text = json.dumps(body).replace("{i}", str(i))
        request["postData"] = {"mimeType": "application/json", "text": text}
        request["bodySize"] = len(text)
    response_text = json.dumps({"items": [{"id": f"{i}-{k}", "name": f"item-{k}", "phase": "Running",
                                           "gpu": k % 4, "labels": {"team": "a"}} for k in range(24)]})
    resp_headers = [{"name": "content-type", "value": "application/json"},
                    {"name": "date", "value": "Mon, 02 Jun 2025 10:00:00 GMT"}]
    if runai and "/v1/k8s/" in path:
        resp_headers.append({"name": "deprecation", "value": "@1688169599"})
        resp_headers.append({"name": "sunset", "value": "Sun, 30 Jun 2024 23:59:59 GMT"})
    return {
        "startedDateTime": f"2025-06-02T10:{(i // 60) % 60:02d}:{i % 60:02d}.{i % 1000:03d}Z",
        "time": rng.random() * 300,
        "request": request,
        "response": {
            "status": 200, "statusText": "OK", "httpVersion": "HTTP/2.0", "headers": resp_headers,
            "cookies": [], "content": {"size": len(response_text), "mimeType": "application/json",
                                       "text": response_text},
            "redirectURL": "", "headersSize": -1, "bodySize": len(response_text),
        },
        "cache": {}, "timings": {"blocked": 1.2, "dns": -1, "connect": -1, "send": 0.1, "wait": 80.5,
                                 "receive": 2.3, "ssl": -1},
        "serverIPAddress": "203.0.113.7", "connection": "443",
    }


def write_har(out: Path, size_mb: float, seed: int = 7) -> int:
    """Write a HAR of about size_mb megabytes; returns the number of entries."""
    rng = random.Random(seed)
    limit = int(size_mb * 1024 * 1024)
    written = 0
    count = 0
    with out.open("w", encoding="utf-8") as fh:
        head = ('{\n  "log": {\n    "version": "1.2",\n    "creator": {"name": "WebInspector", "version": "537.36"},\n'
                '    "pages": [],\n    "entries": [\n')
        fh.write(head)
        written += len(head)
        while written < limit:
            text = json.dumps(_entry(rng, count), indent=2)
            text = "      " + text.replace("\n", "\n      ")
            if count:
                fh.write(",\n")
            fh.write(text)
            written += len(text) + 2
            count += 1
        fh.write("\n    ]\n  }\n}\n")
    return count


def _event(rng: random.Random, i: int, stage: str) -> dict[str, object]:
    kind = rng.random()
    if kind < 0.15:
        ref = {"resource": "trainingworkloads", "namespace": "runai-team-a", "name": f"train-{i}",
               "apiGroup": "run.ai", "apiVersion": "v2alpha1"}
        uri = f"/apis/run.ai/v2alpha1/namespaces/runai-team-a/trainingworkloads/train-{i}"
    elif kind < 0.25:
        ref = {"resource": "jobs", "namespace": "team-b", "name": f"job-{i}", "apiGroup": "batch",
               "apiVersion": "v1"}
        uri = f"/apis/batch/v1/namespaces/team-b/jobs/job-{i}"
    else:
        ref = {"resource": "pods", "namespace": "team-b", "name": f"pod-{i}", "apiVersion": "v1"}
        uri = f"/api/v1/namespaces/team-b/pods/pod-{i}"
    user = "alice@example.com" if rng.random() < 0.7 else "system:serviceaccount:runai:runai-operator"
    verb = rng.choice(("get", "list", "create", "update", "patch", "delete", "watch"))
    return {
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
        "auditID": f"6b1c2a7e-0000-4000-8000-{i:012d}", "stage": stage, "requestURI": uri, "verb": verb,
        "user": {"username": user, "groups": ["system:authenticated"],
                 "extra": {"authentication.kubernetes.io/credential-id": [f"JTI={i:08x}"]}},
        "sourceIPs": ["10.0.0.12"], "userAgent": "kubectl/v1.30.1 (linux/amd64) kubernetes/7c48c2b",
        "objectRef": ref, "responseStatus": {"metadata": {}, "code": 200},
        "requestReceivedTimestamp": f"2025-06-02T10:{(i // 60) % 60:02d}:{i % 60:02d}.000000Z",
        "stageTimestamp": f"2025-06-02T10:{(i // 60) % 60:02d}:{i % 60:02d}.004000Z",
        "annotations": {"authorization.k8s.io/decision": "allow",
                        "authorization.k8s.io/reason": "RBAC: allowed by ClusterRoleBinding"},
    }


def write_audit_log(out: Path, events: int, seed: int = 11) -> int:
    """Write `events` audit events (two stages per request, adjacent); returns the count."""
    with out.open("w", encoding="utf-8") as fh:
        for n in range(events):
            stage = "RequestReceived" if n % 2 == 0 else "ResponseComplete"
            # both stages of a request are drawn from the same seed, so they differ only in stage
            fh.write(json.dumps(_event(random.Random(n // 2 + seed), n // 2, stage)))
            fh.write("\n")
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("har", "audit"))
    parser.add_argument("out", type=Path)
    parser.add_argument("--size-mb", type=float, default=100.0)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.kind == "har":
        print(write_har(args.out, args.size_mb), "entries")
    else:
        print(write_audit_log(args.out, args.events), "events")


if __name__ == "__main__":
    main()
