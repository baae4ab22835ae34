import os

import requests

RUNAI_URL = os.environ["RUNAI_URL"]


def token() -> str:
    body = {
        "grantType": "app_token",
        "AppId": os.environ["RUNAI_APP_ID"],
        "appSecret": os.environ["RUNAI_APP_SECRET"],
    }
    resp = requests.post(f"{RUNAI_URL}/api/v1/token", json=body, timeout=30)
    return resp.json()["accessToken"]


def token_inline() -> str:
    resp = requests.post(f"{RUNAI_URL}/api/v1/token", json={'grantType': 'APP_TOKEN', 'appID': 'ci', 'APPSECRET': os.environ["S"]}, timeout=30)
    return resp.json()["accessToken"]
