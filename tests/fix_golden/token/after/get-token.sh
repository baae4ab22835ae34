#!/usr/bin/env bash
curl -sf -X POST "$RUNAI_URL/api/v1/token" \
  -H 'Content-Type: application/json' \
  -d '{"grantType": "client_credentials", "clientID": "ci-bot", "clientSecret": "'"$SECRET"'"}'
curl -sf -X POST "$RUNAI_URL/api/v1/token" -H 'Content-Type: application/json' -d "{\"grantType\":\"client_credentials\",\"clientID\":\"$ID\",\"clientSecret\":\"$SECRET\"}"
