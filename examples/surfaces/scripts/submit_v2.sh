#!/usr/bin/env bash
# The same jobs with CLI v2: nothing here is deprecated.
set -euo pipefail

runai login
runai project set vision
runai training submit "train-${RUN_ID}" -i registry.example.com/vision/train:3.2 -g 1
runai workspace submit notebook -i jupyter/scipy-notebook --gpu-portion-request 0.5
runai workload list
runai training logs "train-${RUN_ID}" --follow
runai whoami
