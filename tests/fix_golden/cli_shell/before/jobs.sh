#!/usr/bin/env bash
# CLI v1 helpers, one form per line.
set -euo pipefail

runai config project vision
runai config cluster lab-a
runai submit train1 -i registry.example.com/ml/train:1.0 -g 1
runai --loglevel info submit train2 -i img -g 1
runai submit nb1 -i jupyter/scipy-notebook --interactive --gpu 0.5
runai submit-dist pytorch ddp1 --workers 2 -i img
runai submit-dist tf tf1 --workers 2 -i img
runai submit-dist xgboost xgb1 --workers 2 -i img
runai list jobs && runai list projects
runai list
runai describe job train1
runai submit train3 \
    -i img \
    --interactive
  runai update
runai logs train1 --follow
