#!/usr/bin/env bash
curl -sf "$RUNAI_URL/api/v1/cli-exposer/installer/windows/commands" -o install.ps1
curl -sf "$RUNAI_URL/api/v1/cli-exposer/installer/unix"
