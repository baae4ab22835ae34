#!/usr/bin/env bash
# CLI v1 helpers, one form per line.
set -euo pipefail

runai project set vision
runai cluster set lab-a
runai training submit train1 -i registry.example.com/ml/train:1.0 -g 1
runai --loglevel info training submit train2 -i img -g 1
runai workspace submit nb1 -i jupyter/scipy-notebook --gpu 0.5
runai training pytorch submit ddp1 --workers 2 -i img
runai tensorflow submit tf1 --workers 2 -i img
runai training xgboost submit xgb1 --workers 2 -i img
runai workload list && runai project list
runai workload list
runai workload describe train1
runai workspace submit train3 \
    -i img
  runai upgrade
runai logs train1 --follow
