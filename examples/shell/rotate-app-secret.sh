#!/bin/sh
# Rotate the CI application's secret. Old flow, kept for the 2.18 cluster in the lab.
RUNAI_HOST=https://lab.run.ai

curl -sf -X POST "$RUNAI_HOST/v1/k8s/auth/oauth/apptoken" \
  -H 'Content-Type: application/json' \
  --data-raw '{"id": "ci-bot", "name": "ci-bot", "secret": "'"$OLD_SECRET"'"}'

curl -sf -X POST "$RUNAI_HOST/api/v1/apps/$APP_ID/secret" -H "Authorization: Bearer $TOKEN"
