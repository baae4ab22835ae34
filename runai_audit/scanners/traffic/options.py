"""The knobs of the recorded-traffic scanners, as one frozen object built by the caller."""

from __future__ import annotations

from dataclasses import dataclass

# Kubernetes users whose calls to run.ai resources are Run:ai's (or Kubernetes') own machinery,
# not the organisation's use of the Cluster API. Shell-style globs on `user.username`.
CONTROLLER_USERS: tuple[str, ...] = (
    "system:serviceaccount:runai:*",  # Run:ai cluster components
    "system:serviceaccount:runai-backend:*",  # self-hosted control plane
    "system:serviceaccount:runai-reservation:*",  # GPU reservation pods
    "system:serviceaccount:runai-scale-adjust:*",
    "system:serviceaccount:*:runai-*",  # any service account named runai-*
    "system:serviceaccount:kube-system:*",  # garbage collector, namespace controller, ...
    "system:apiserver",
    "system:kube-controller-manager",
    "system:kube-scheduler",
)


@dataclass(frozen=True)
class TrafficOptions:
    """How recorded traffic is read and judged.

    hosts: extra Run:ai hosts, exact names or shell globs ("runai.acme.internal", "*.gpu.acme.io").
    log_format: an nginx `log_format` string with $variables for access logs; None tries the
        nginx `combined` and ingress-nginx `upstreaminfo` formats.
    include_service_accounts: keep calls made by the service accounts of Run:ai's and
        Kubernetes' own controllers (CONTROLLER_USERS) in audit logs; left out by default.
        Other service accounts (a CI pipeline's, say) always count.
    exclude_users: more usernames (globs) to leave out of audit logs.
    max_inflated_mb: stop reading a compressed file once it has inflated to this size.
    max_line_kb: longest access-log line read; longer lines are skipped and reported.
    max_body_kb: request bodies larger than this are not parsed for field paths.
    """

    hosts: tuple[str, ...] = ()
    log_format: str | None = None
    include_service_accounts: bool = False
    exclude_users: tuple[str, ...] = ()
    max_inflated_mb: int = 8192
    max_line_kb: int = 1024
    max_body_kb: int = 2048

    @property
    def excluded_users(self) -> tuple[str, ...]:
        base = () if self.include_service_accounts else CONTROLLER_USERS
        return base + self.exclude_users

    @property
    def max_inflated_bytes(self) -> int:
        return self.max_inflated_mb * 1024 * 1024
