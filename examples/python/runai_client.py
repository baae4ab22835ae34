"""A thin in-house wrapper around the Run:ai control-plane API used by several notebooks."""

from __future__ import annotations

import httpx


class RunaiClient:
    def __init__(self, base_url: str, token: str) -> None:
        self.base = f"{base_url}/api/v1"
        self.legacy = f"{base_url}/v1/k8s"
        self.session = httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=30)

    def users(self) -> list[dict]:
        return self.session.get(f"{self.legacy}/users").json()

    def delete_application(self, app_id: str) -> None:
        self.session.request(
            "DELETE",
            self.base + "/apps/" + app_id,
        )

    def service_accounts(self) -> list[dict]:
        return self.session.get(f"{self.base}/service-accounts").json()

    def access_rules(self, role: str) -> list[dict]:
        params = {"scopeType": "project", "roleId": role}
        return self.session.get(f"{self.base}/authorization/access-rules", params=params).json()

    def settings(self) -> dict:
        # /v1/k8s/setting is still a live, supported operation.
        return self.session.get(f"{self.legacy}/setting").json()

    def internal_debug(self) -> dict:
        # Not in any published API reference: unsupported, may vanish without notice.
        return self.session.get(f"{self.base}/internal/scheduler-debug").json()

    def idle_gpus(self) -> int:
        workloads = self.session.get(f"{self.base}/workloads").json()["workloads"]
        # idleGpus left the workload schema; idleAllocatedGpus replaces it.
        return sum(w.get("idleGpus", 0) for w in workloads)
