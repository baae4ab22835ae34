"""Generate a dense repository for the scan benchmark: every file is Python that calls Run:ai.

Each module talks to a Run:ai host in the ways real client code does: the cluster-scoped v1
API (`/v1/k8s/...`), the control-plane API (`/api/v1/...`), a token request with a JSON body,
and the CLI through `subprocess.run(["runai", "submit", ...])`, wrapped in a few helpers and
some plain code around them. Names, paths and sizes vary per file; deterministic for a seed.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

HEADER = '''"""Lab automation module {n}: project quotas, jobs and nightly submissions."""

import os
import subprocess

import requests

RUNAI_HOST = "https://{tenant}.run.ai"
CLUSTER_ID = os.environ.get("CLUSTER_ID", "{cluster}")
SESSION = requests.Session()


def login(app_id, secret):
    reply = SESSION.post(f"{{RUNAI_HOST}}/api/v1/token",
                         json={{"grantType": "app_token", "AppId": app_id, "AppSecret": secret}})
    SESSION.headers["Authorization"] = "Bearer " + reply.json()["accessToken"]

'''
# Each block is one Run:ai use; a file draws several, so calls sit at different lines.
BLOCKS = [
    '''
def list_projects_{i}():
    return SESSION.get(f"{{RUNAI_HOST}}/v1/k8s/clusters/{{CLUSTER_ID}}/projects").json()
''',
    '''
def project_quota_{i}(project_id):
    url = f"{{RUNAI_HOST}}/v1/k8s/clusters/{{CLUSTER_ID}}/projects/{{project_id}}"
    return SESSION.get(url, timeout=30).json().get("deservedGpus", 0)
''',
    '''
def jobs_{i}():
    return SESSION.get(RUNAI_HOST + "/v1/k8s/clusters/" + CLUSTER_ID + "/jobs").json()
''',
    '''
def workloads_{i}(phase="Running"):
    reply = SESSION.get(f"{{RUNAI_HOST}}/api/v1/workloads", params={{"filterBy": f"phase=={{phase}}"}})
    return reply.json()["workloads"]
''',
    '''
def delete_app_{i}(app_id):
    SESSION.delete(f"{{RUNAI_HOST}}/api/v1/apps/{{app_id}}").raise_for_status()
''',
    '''
def departments_{i}():
    return requests.get(f"{{RUNAI_HOST}}/api/v1/org-unit/departments", headers=SESSION.headers).json()
''',
    '''
def submit_{i}(name, image="{image}", gpus={gpus}):
    subprocess.run(["runai", "submit", name, "-i", image, "-g", str(gpus), "-p", "{project}"], check=True)
''',
    '''
def submit_interactive_{i}(name):
    subprocess.run(["runai", "submit", name, "--interactive", "-i", "{image}", "-g", "1"], check=True)
''',
    '''
def running_jobs_{i}():
    out = subprocess.run(["runai", "list", "jobs", "-p", "{project}"], capture_output=True, text=True)
    return out.stdout.splitlines()[1:]
''',
]
FILLER = '''
def summarise_{i}(rows):
    """Group rows by their first field and count them (plain code, no Run:ai)."""
    counts = {{}}
    for row in rows:
        key = str(row[0]) if row else ""
        counts[key] = counts.get(key, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
'''
TENANTS = ("acme", "lab", "research", "vision", "speech", "robotics")
IMAGES = ("pytorch/pytorch:2.3.0", "nvcr.io/nvidia/pytorch:24.05-py3", "registry.local/train:7")


def module_text(n: int, rng: random.Random) -> str:
    """One module: the header (token request), four to eight Run:ai blocks, some filler."""
    parts = [HEADER.format(n=n, tenant=rng.choice(TENANTS), cluster=f"c-{n:05d}")]
    blocks = rng.sample(BLOCKS, rng.randint(4, 8))
    if BLOCKS[6] not in blocks:  # every file submits through the CLI
        blocks.append(BLOCKS[6])
    fill = {"image": rng.choice(IMAGES), "gpus": rng.randint(1, 8), "project": f"team-{n % 17}"}
    for i, block in enumerate(blocks):
        parts.append(block.format(i=i, **fill))
        parts.extend(FILLER.format(i=f"{i}_{k}") for k in range(rng.randint(0, 3)))
    return "".join(parts)


def generate_dense(root: Path, files: int, seed: int) -> int:
    """Write `files` modules under `root`; the total bytes written."""
    rng = random.Random(seed)
    total = 0
    for n in range(files):
        folder = root / f"svc{n % 41:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        text = module_text(n, rng)
        (folder / f"runai_ops_{n}.py").write_text(text, encoding="utf-8")
        total += len(text)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--files", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    total = generate_dense(args.root, args.files, args.seed)
    print(f"wrote {args.files} Python files, {total / 1e6:.1f} MB, every one calling Run:ai, under {args.root}")


if __name__ == "__main__":
    main()
