#!/bin/sh
curl -sf -X POST "$RUNAI_HOST/v1/k8s/auth/oauth/apptoken" -H "Content-Type: application/json" -d "{\"secret\": \"$S\", \"id\": \"ci\"}"
