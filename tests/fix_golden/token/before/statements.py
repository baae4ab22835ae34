import os

import requests

URL = os.environ["RUNAI_URL"]
body = {}
body["grantType"] = "app_token"
body["appId"] = os.environ["ID"]
body.update(appSecret=os.environ["S"])
requests.post(f"{URL}/api/v1/token", json=body, timeout=5)
r = requests.post(f"{URL}/api/v1/token", json=dict(grantType="app_token", appID="x", appSecret="y"), timeout=5)
