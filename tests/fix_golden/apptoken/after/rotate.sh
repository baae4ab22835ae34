#!/bin/sh
curl -sf -X POST "$RUNAI_HOST/api/v1/token" \
  -H 'Content-Type: application/json' \
  --data-raw '{"grantType": "client_credentials", "clientID": "ci-bot", "clientSecret": "'"$OLD_SECRET"'"}'
