import os

import requests

RUNAI_URL = os.environ["RUNAI_URL"]


def token() -> str:
    body = {
        "grantType": "client_credentials",
        "clientID": os.environ["RUNAI_APP_ID"],
        "clientSecret": os.environ["RUNAI_APP_SECRET"],
    }
    resp = requests.post(f"{RUNAI_URL}/api/v1/token", json=body, timeout=30)
    return resp.json()["accessToken"]


def token_inline() -> str:
    resp = requests.post(f"{RUNAI_URL}/api/v1/token", json={'grantType': 'client_credentials', 'clientID': 'ci', 'clientSecret': os.environ["S"]}, timeout=30)
    return resp.json()["accessToken"]
