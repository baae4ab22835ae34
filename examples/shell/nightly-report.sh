#!/usr/bin/env bash
# Pull yesterday's jobs and node metrics for the capacity dashboard.
set -euo pipefail

: "${RUNAI_URL:?set RUNAI_URL}"
CLUSTER_UUID="$(cat /etc/runai/cluster-uuid)"

TOKEN=$(curl -s -X POST "$RUNAI_URL/api/v1/token" \
  -H 'Content-Type: application/json' \
  -d '{
        "grantType": "client_credentials",
        "clientID": "'"$CLIENT_ID"'",
        "clientSecret": "'"$CLIENT_SECRET"'"
      }' | jq -r .accessToken)

# Legacy jobs listing, still used by the finance export.
curl -s "$RUNAI_URL/v1/k8s/clusters/$CLUSTER_UUID/jobs" \
  -H "Authorization: Bearer $TOKEN" > jobs.json

curl -s -G "$RUNAI_URL/api/v1/clusters/$CLUSTER_UUID/nodes" \
  -H "Authorization: Bearer $TOKEN" \
  --data-urlencode "nodeName=dgx-01" > nodes.json

# Supported replacements, already in use elsewhere.
curl -s "$RUNAI_URL/api/v1/workloads" -H "Authorization: Bearer $TOKEN" > workloads.json
curl -s "$RUNAI_URL/api/v1/nodes" -H "Authorization: Bearer $TOKEN" > all-nodes.json
