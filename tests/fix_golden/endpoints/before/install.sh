#!/usr/bin/env bash
curl -sf "$RUNAI_URL/api/v1/cli/installer/linux" -o install-runai.sh
curl -sf -H "Authorization: Bearer $TOKEN" "${RUNAI_URL}/api/v1/cli/dist/linux/amd64/runai" -o runai
