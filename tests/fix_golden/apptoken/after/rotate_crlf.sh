#!/bin/sh
curl -sf -X POST "$RUNAI_HOST/api/v1/token" -H "Content-Type: application/json" -d "{\"grantType\": \"client_credentials\", \"clientSecret\": \"$S\", \"clientID\": \"ci\"}"
