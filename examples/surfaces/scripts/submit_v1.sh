#!/usr/bin/env bash
# Submission helpers written for CLI v1.
set -euo pipefail

runai config project vision
runai submit "train-${RUN_ID}" -i registry.example.com/vision/train:3.2 -g 1
runai submit notebook -i jupyter/scipy-notebook --interactive --gpu 0.5
runai list jobs
runai logs "train-${RUN_ID}" --follow

# Straight to the Kubernetes API, bypassing the CLI.
curl -sf -X POST -H "Authorization: Bearer ${K8S_TOKEN}" -H "Content-Type: application/json" \
  "${K8S_API}/apis/run.ai/v2alpha1/namespaces/runai-vision/trainingworkloads" -d @job.json

cat <<EOF | kubectl apply -f -
apiVersion: run.ai/v1alpha1
kind: TrainingWorkload
metadata:
  name: smoke-test
  namespace: runai-vision
spec:
  gpu:
    value: "1"
EOF

# The administrator CLI (deprecated from 2.25).
runai-adm collect-logs
