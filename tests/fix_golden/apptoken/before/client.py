import os

import requests

RUNAI_URL = os.environ["RUNAI_URL"]


def token() -> dict:
    resp = requests.post(
        f"{RUNAI_URL}/v1/k8s/auth/oauth/apptoken",
        json={"name": "ci", "id": os.environ["APP_ID"], "secret": os.environ["APP_SECRET"]},
        timeout=30,
    )
    return resp.json()
