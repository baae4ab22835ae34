"""Generate a synthetic repository for the scan benchmark.

10,000 files by default in a realistic mix (Python, shell, YAML, Markdown, JSON, JS, Go), sizes
drawn around typical source files (1-40 KB, a few larger), and about 1% of them calling Run:ai
(deprecated, current and unsupported endpoints, manifests, CLI lines). Deterministic for a seed.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

FILLER_PY = '''def helper_{n}(values):
    """Sum the positive values, skipping None."""
    total = 0
    for value in values:
        if value is not None and value > 0:
            total += value
    return total

'''
FILLER_SH = 'echo "step {n}"\nfor f in build/*.log; do grep -c ERROR "$f" || true; done\n'
FILLER_YAML = "  key_{n}:\n    enabled: true\n    replicas: {n}\n    image: registry.example.com/app:{n}\n"
FILLER_MD = "Paragraph {n} of the design notes: nothing about GPUs here, only prose that goes on.\n\n"
FILLER_JS = "export function f{n}(a, b) {{ return a.map((x) => x * b).filter(Boolean); }}\n"
FILLER_GO = "func f{n}(a []int) int {{ s := 0; for _, v := range a {{ s += v }}; return s }}\n"

RUNAI_PY = '''import os
import requests

RUNAI_URL = os.environ["RUNAI_URL"]


def projects(cluster_id, token):
    return requests.get(f"{{RUNAI_URL}}/v1/k8s/clusters/{{cluster_id}}/projects",
                        headers={{"Authorization": f"Bearer {{token}}"}}).json()


def workloads(token):
    return requests.get(f"{{RUNAI_URL}}/api/v1/workloads", headers={{"Authorization": token}}).json()


def token():
    return requests.post(f"{{RUNAI_URL}}/api/v1/token",
                         json={{"grantType": "app_token", "appID": "x{n}", "appSecret": "y"}}).json()
'''
RUNAI_SH = '''#!/bin/bash
curl -s "$RUNAI_URL/v1/k8s/clusters/$CID/jobs" -H "Authorization: Bearer $TOKEN"
curl -s -X DELETE "$RUNAI_URL/api/v1/apps/{n}" -H "Authorization: Bearer $TOKEN"
runai submit job-{n} -i pytorch:latest -g 1
'''
RUNAI_YAML = '''apiVersion: run.ai/v2alpha1
kind: TrainingWorkload
metadata:
  name: train-{n}
  namespace: runai-team
spec:
  image:
    value: pytorch:latest
  gpu:
    value: "1"
  nodePool:
    value: a100
'''
KINDS = [("py", FILLER_PY, RUNAI_PY, 0.40), ("sh", FILLER_SH, RUNAI_SH, 0.10),
         ("yaml", FILLER_YAML, RUNAI_YAML, 0.15), ("md", FILLER_MD, None, 0.15),
         ("js", FILLER_JS, None, 0.12), ("go", FILLER_GO, None, 0.08)]


def generate(root: Path, files: int, runai_share: float, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    total_bytes = runai_files = 0
    weights = [k[3] for k in KINDS]
    for i in range(files):
        ext, filler, runai, _ = rng.choices(KINDS, weights)[0]
        folder = root / f"pkg{i % 97:02d}" / f"mod{i % 13}"
        folder.mkdir(parents=True, exist_ok=True)
        size = int(rng.lognormvariate(8.6, 0.9))  # median ~5 KB, long tail
        size = max(300, min(size, 400_000))
        parts = []
        if runai is not None and rng.random() < runai_share / 0.65:
            parts.append(runai.format(n=i))
            runai_files += 1
        while sum(map(len, parts)) < size:
            parts.append(filler.format(n=len(parts)))
        text = "".join(parts)
        (folder / f"file{i}.{ext}").write_text(text, encoding="utf-8")
        total_bytes += len(text)
    return total_bytes, runai_files


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--runai-share", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    total, runai = generate(args.root, args.files, args.runai_share, args.seed)
    print(f"wrote {args.files} files, {total / 1e6:.1f} MB, {runai} touching Run:ai, under {args.root}")


if __name__ == "__main__":
    main()
