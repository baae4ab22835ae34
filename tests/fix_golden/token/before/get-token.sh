#!/usr/bin/env bash
curl -sf -X POST "$RUNAI_URL/api/v1/token" \
  -H 'Content-Type: application/json' \
  -d '{"grantType": "app_token", "appId": "ci-bot", "appSecret": "'"$SECRET"'"}'
curl -sf -X POST "$RUNAI_URL/api/v1/token" -H 'Content-Type: application/json' -d "{\"grantType\":\"app_token\",\"AppID\":\"$ID\",\"AppSecret\":\"$SECRET\"}"
