"""One fixed, hand-built Report that every reporter test uses.

It holds a bit of everything a report can carry: several rules, severities and statuses,
findings suppressed inline, by exemption and by baseline, a traffic finding with usage, a
migration snippet, coverage gaps, and hostile input (a <script> in evidence, an <img onerror>
in a file name) that every format must carry as inert text.
"""

from __future__ import annotations

import hashlib

from runai_audit import __version__
from runai_audit.models import (
    Confidence,
    Coverage,
    Finding,
    InputProblem,
    Location,
    Provenance,
    Report,
    RuleInfo,
    Severity,
    SkippedFile,
    Status,
    Suppression,
    Target,
    Usage,
)

SCRIPT_EVIDENCE = 'requests.get(base + "/v1/k8s/clusters/" + cid + "/jobs")  # <script>alert(1)</script>'
HOSTILE_PATH = "notebooks/<img src=x onerror=alert(2)>.py"
DOCS = "https://run-ai-docs.nvidia.com/self-hosted/2.24/reference/api"
NOTES_217 = "run-ai/docs docs/home/whats-new-2-17.md#deprecation-notifications"

JOBS = "GET /v1/k8s/clusters/{uuid}/jobs"
PODS = "GET /v1/k8s/clusters/{uuid}/pods"
APPS = "POST /api/v1/apps"
APPTOKEN = "POST /v1/k8s/auth/oauth/apptoken"
CRD = "run.ai/v2alpha1 TrainingWorkload"
CLI = "runai submit"
FIELD = "spec.compute.migProfile in POST /api/v1/workloads/trainings"
METRIC = "runai_gpu_utilization_per_pod_per_gpu"

TRAINING_SNIPPET = """POST /api/v1/workloads/trainings
{
  "name": "resnet-train",
  "projectId": "<project id>",
  "clusterId": "<cluster id>",
  "spec": {"image": "nvcr.io/nvidia/pytorch:24.05-py3", "compute": {"gpuDevicesRequest": 1}}
}"""

CLI_SNIPPET = "runai training submit resnet-train -p team-a -i nvcr.io/nvidia/pytorch:24.05-py3 -g 1"


def fingerprint(rule_id: str, path: str, subject: str) -> str:
    return hashlib.sha256(f"{rule_id}|{path}|{subject}".encode()).hexdigest()[:32]


def _finding(
    rule_id: str,
    severity: Severity,
    status: Status,
    subject: str,
    replacement: str,
    loc: Location,
    **kw: object,
) -> Finding:
    message = kw.pop("message", None) or f"{subject} is {status.value} at 2.24"
    return Finding(
        rule_id=rule_id,
        severity=severity,
        status=status,
        message=str(message),
        subject=subject,
        replacement=replacement,
        location=loc,
        fingerprint=fingerprint(rule_id, loc.path, subject),
        **kw,  # type: ignore[arg-type]
    )


E, W, N = Severity.ERROR, Severity.WARNING, Severity.NOTE

FINDINGS: tuple[Finding, ...] = (
    _finding(
        "RA101",
        E,
        Status.REMOVED,
        JOBS,
        "GET /api/v1/workloads",
        Location("scripts/sync_jobs.py", 14, 12),
        evidence='resp = client.get(f"{base}/v1/k8s/clusters/{cid}/jobs")',
        deprecated_in="2.17",
        removed_in="2.22",
        breaks_in="2.22",
        sunset="2025-07-16",
        sources=(NOTES_217, "spec 2.22"),
        docs_url=DOCS,
        message=f"{JOBS} was removed in 2.22; the target 2.24 no longer serves it",
    ),
    _finding(
        "RA101",
        E,
        Status.REMOVED,
        JOBS,
        "GET /api/v1/workloads",
        Location("scripts/report.py", 30, 5),
        evidence=SCRIPT_EVIDENCE,
        deprecated_in="2.17",
        removed_in="2.22",
        breaks_in="2.22",
        sunset="2025-07-16",
        sources=(NOTES_217, "spec 2.22"),
        docs_url=DOCS,
        confidence=Confidence.MEDIUM,
        message=f"{JOBS} was removed in 2.22; the target 2.24 no longer serves it",
    ),
    _finding(
        "RA101",
        E,
        Status.REMOVED,
        JOBS,
        "GET /api/v1/workloads",
        Location(HOSTILE_PATH, 3, 1),
        evidence="jobs = get(JOBS_URL)",
        deprecated_in="2.17",
        removed_in="2.22",
        breaks_in="2.22",
        sunset="2025-07-16",
        sources=(NOTES_217,),
        docs_url=DOCS,
        message=f"{JOBS} was removed in 2.22; the target 2.24 no longer serves it",
    ),
    _finding(
        "RA101",
        W,
        Status.DEPRECATED,
        APPS,
        "POST /api/v1/service-accounts",
        Location("traffic/prod.har", 0, 0, "/log/entries/17"),
        evidence="POST https://runai.example.com/api/v1/apps",
        deprecated_in="2.24",
        breaks_in="3.0",
        sources=("spec 2.24",),
        usage=Usage(
            1234,
            "2026-01-03T08:15:00Z",
            "2026-01-30T17:42:10Z",
            ("ci-bot/1.4", "python-httpx/0.27.0", "runai-cli/2.20"),
        ),
        message=f"{APPS} is deprecated since 2.24 and may be gone from 3.0",
    ),
    _finding(
        "RA301",
        W,
        Status.DEPRECATED,
        CRD,
        "POST /api/v1/workloads/trainings",
        Location("deploy/train.yaml", 1, 1),
        evidence="apiVersion: run.ai/v2alpha1",
        deprecated_in="2.22",
        breaks_in="2.25",
        sunset="2026-04-28",
        sources=("run-ai/docs docs/home/whats-new-2-22.md",),
        snippet=TRAINING_SNIPPET,
        message="The Cluster API kind TrainingWorkload is deprecated and stops working in 2.25 (2026-04-28)",
    ),
    _finding(
        "RA601",
        E,
        Status.REMOVED,
        CLI,
        "runai training submit",
        Location("ci/train.sh", 22, 3),
        evidence="runai submit resnet-train -p team-a -i $IMAGE -g 1",
        deprecated_in="2.20",
        breaks_in="2.23",
        sources=("run-ai/docs docs/home/whats-new-2-20.md#deprecation-notifications",),
        snippet=CLI_SNIPPET,
        message="CLI v1 command `runai submit` is gone from 2.23; use CLI v2",
    ),
    _finding(
        "RA201",
        N,
        Status.DEPRECATED,
        FIELD,
        "none",
        Location("scripts/sync_jobs.py", 40, 9),
        evidence='body["spec"]["compute"]["migProfile"] = "=1g.5gb"',
        deprecated_in="2.24",
        breaks_in="3.0",
        sources=("spec 2.24",),
        message="Body field spec.compute.migProfile is deprecated since 2.24",
    ),
    _finding(
        "RA401",
        W,
        Status.DEPRECATED,
        METRIC,
        "GET /api/v1/clusters/{clusterId}/metrics",
        Location("dashboards/gpu.json", 12, 20),
        evidence='"expr": "avg(runai_gpu_utilization_per_pod_per_gpu)"',
        deprecated_in="2.22",
        breaks_in="2.25",
        sunset="2026-04-28",
        sources=("run-ai/docs docs/developer/metrics/metrics.md",),
        suppression=Suppression("inline", reason="dashboard retired in Q2, see PLAT-88"),
        message=f"Metric {METRIC} comes from the deprecated Metrics API",
    ),
    _finding(
        "RA101",
        E,
        Status.REMOVED,
        PODS,
        "GET /api/v1/workloads/pods",
        Location("legacy/exporter.py", 8, 16),
        evidence='url = f"{RUNAI}/v1/k8s/clusters/{uuid}/pods"',
        deprecated_in="2.17",
        removed_in="2.22",
        breaks_in="2.22",
        sources=(NOTES_217,),
        suppression=Suppression("baseline"),
        message=f"{PODS} was removed in 2.22; the target 2.24 no longer serves it",
    ),
    _finding(
        "RA501",
        W,
        Status.DEPRECATED,
        APPTOKEN,
        "POST /api/v1/token",
        Location("auth/login.py", 5, 11),
        evidence='requests.post(f"{RUNAI}/v1/k8s/auth/oauth/apptoken", json=creds)',
        deprecated_in="2.17",
        sources=(NOTES_217,),
        suppression=Suppression("exemption", "vendor tool, replaced in June", "platform-team", "2026-06-30"),
        message=f"{APPTOKEN} is deprecated; use POST /api/v1/token",
    ),
    _finding(
        "RA901",
        N,
        Status.TOOL,
        "unparsed input",
        "none",
        Location("deploy/broken.yaml", 7, 1),
        message="deploy/broken.yaml could not be parsed: mapping values are not allowed here",
    ),
)

RULES: tuple[RuleInfo, ...] = (
    RuleInfo(
        "RA101",
        "Deprecated or removed endpoint",
        "A Run:ai REST endpoint that is deprecated or gone at the target release.",
        "endpoint",
        DOCS,
        (NOTES_217,),
    ),
    RuleInfo("RA102", "Unsupported endpoint", "An endpoint in no published Run:ai API spec.", "endpoint"),
    RuleInfo("RA201", "Deprecated body field", "A request body field the spec marks deprecated.", "field"),
    RuleInfo(
        "RA301", "Cluster API kind", "A run.ai Cluster API CRD (v2alpha1) used directly.", "cluster-api"
    ),
    RuleInfo("RA401", "Metrics API metric", "A metric served only by the deprecated Metrics API.", "metrics"),
    RuleInfo(
        "RA501", "Legacy token endpoint", "An authentication endpoint replaced by /api/v1/token.", "auth"
    ),
    RuleInfo("RA601", "CLI v1 command", "A command of the deprecated v1 runai CLI.", "cli"),
    RuleInfo("RA901", "Unreadable input", "A file the audit could not read or parse.", "tool"),
)

RELEASES: tuple[tuple[str, str], ...] = (
    ("2.17", "2024-04-14"),
    ("2.18", "2024-06-30"),
    ("2.19", "2024-10-08"),
    ("2.20", "2025-01-12"),
    ("2.21", "2025-04-15"),
    ("2.22", "2025-07-16"),
    ("2.23", "2025-10-22"),
    ("2.24", "2025-12-15"),
    ("2.25", "2026-04-28"),
    ("2.26", ""),
    ("3.0", ""),
)


def build_report() -> Report:
    """The fixed report. Findings are deliberately not in sorted order."""
    return Report(
        target=Target("self-hosted", "2.24", "2026-02-01"),
        provenance=Provenance(
            "runai-audit",
            __version__,
            "2026.02.0",
            ("2.18", "2.19", "2.20", "2.21", "2.22", "2.23", "2.24"),
            "bundled",
        ),
        findings=FINDINGS,
        coverage=Coverage(
            files_scanned=42,
            files_skipped=(
                SkippedFile("assets/model.bin", "binary file"),
                SkippedFile("traffic/huge.har", "larger than the 200 MB limit"),
            ),
            errors=(
                InputProblem("deploy/broken.yaml", "mapping values are not allowed here", 7),
                InputProblem("scripts/latin1.py", "not valid UTF-8"),
            ),
            traffic_entries=5210,
            traffic_unmatched=312,
            notes=("3 templated Helm values were read as wildcards",),
        ),
        rules=RULES,
        fail_on="warning",
        releases=RELEASES,
    )
