import os

import requests

URL = os.environ["RUNAI_URL"]
body = {}
body["grantType"] = "client_credentials"
body["clientID"] = os.environ["ID"]
body.update(clientSecret=os.environ["S"])
requests.post(f"{URL}/api/v1/token", json=body, timeout=5)
r = requests.post(f"{URL}/api/v1/token", json=dict(grantType="client_credentials", clientID="x", clientSecret="y"), timeout=5)
