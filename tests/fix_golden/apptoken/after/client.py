import os

import requests

RUNAI_URL = os.environ["RUNAI_URL"]


def token() -> dict:
    resp = requests.post(
        f"{RUNAI_URL}/api/v1/token",
        json={"grantType": "client_credentials", "clientID": os.environ["APP_ID"], "clientSecret": os.environ["APP_SECRET"]},
        timeout=30,
    )
    return resp.json()
