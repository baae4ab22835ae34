import os

import httpx

RUNAI_URL = os.environ["RUNAI_URL"]


def docs(name: str) -> bytes:
    return httpx.get(f"{RUNAI_URL}/api/v1/cli-exposer/docs/{name}", timeout=30).content


def mac() -> str:
    return httpx.get(RUNAI_URL + "/api/v1/cli-exposer/installer/mac/commands", timeout=30).text
