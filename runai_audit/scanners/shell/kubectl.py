"""`kubectl get|describe|delete|edit|patch|label|annotate` on a Run:ai Cluster API kind.

Such a command line is a request to the cluster's API server, so it is reported as the ApiCall
kubectl makes: `kubectl delete trainingworkload ws -n runai-a` is DELETE on
`{**}/apis/run.ai/v2alpha1/namespaces/runai-a/trainingworkloads`, placed at the resource word.
The resource may be written as plural, singular, kind (`TrainingWorkload`), `<plural>.run.ai`,
`<plural>.<version>.run.ai`, `<resource>/<name>` or a comma list. `-n`/`--namespace` fills the
namespace when it is a literal; `-A`/`--all-namespaces` asks for the cluster-wide list.
"""

from __future__ import annotations

from collections.abc import Sequence

from runai_audit.models import ApiCall, Confidence
from runai_audit.scanners.shell.cli import cli_evidence, written
from runai_audit.scanners.shell.emit import Anchor, place
from runai_audit.scanners.shell.positions import Locator
from runai_audit.scanners.shell.url import BASE, WILD
from runai_audit.scanners.shell.words import SENTINEL, Word

__all__ = ["kubectl_resource_calls", "resource_requests"]

_GROUP = "run.ai"
# plural -> (singular, version kubectl is assumed to use). Plurals and versions from the Run:ai
# docs (developer/cluster-api/submit-rest.md, deprecated/k8s-api/launch-job-via-yaml.md).
_KINDS: dict[str, tuple[str, str]] = {
    "trainingworkloads": ("trainingworkload", "v2alpha1"),
    "interactiveworkloads": ("interactiveworkload", "v2alpha1"),
    "distributedworkloads": ("distributedworkload", "v2alpha1"),
    "inferenceworkloads": ("inferenceworkload", "v2alpha1"),
    "runaijobs": ("runaijob", "v1"),
    "trainingpolicies": ("trainingpolicy", "v2alpha1"),
    "interactivepolicies": ("interactivepolicy", "v2alpha1"),
    "distributedpolicies": ("distributedpolicy", "v2alpha1"),
    "inferencepolicies": ("inferencepolicy", "v2alpha1"),
}
_BY_NAME = {name: plural for plural, (singular, _) in _KINDS.items() for name in (plural, singular)}
_VERSIONS = frozenset({"v1", "v1alpha1", "v2alpha1"})
_METHODS = {"get": "GET", "describe": "GET", "delete": "DELETE", "edit": "PATCH", "patch": "PATCH",
            "label": "PATCH", "annotate": "PATCH"}
# Options (global and of these verbs) whose value is the next word when not attached with `=`.
_TAKES_VALUE = frozenset({
    "-n", "--namespace", "--context", "--cluster", "--user", "--kubeconfig", "-s", "--server", "--token",
    "--as", "--as-group", "--as-uid", "--request-timeout", "--cache-dir", "--certificate-authority",
    "--client-certificate", "--client-key", "--tls-server-name", "-v", "--v", "-o", "--output", "-l",
    "--selector", "--field-selector", "-f", "--filename", "-k", "--kustomize", "-c", "--container",
    "--sort-by", "--template", "-L", "--label-columns", "--chunk-size", "-p", "--patch", "--patch-file",
    "--type", "--grace-period", "--timeout", "--cascade", "--for", "--subresource", "--resource-version",
    "--field-manager", "--raw",
})


def _resource(name: str) -> tuple[str, str] | None:
    """(plural, version) of a resource name that means a Run:ai Cluster API kind, else None."""
    kind, _, group = name.lower().partition(".")
    plural = _BY_NAME.get(kind)
    if plural is None:
        return None
    if group in ("", _GROUP):
        return plural, _KINDS[plural][1]
    explicit, _, rest = group.partition(".")
    if rest == _GROUP and explicit in _VERSIONS:
        return plural, explicit
    return None


def _namespace(text: str) -> str:
    """A namespace value as a URL segment: unknown or partly unknown is `{*}`."""
    return WILD if not text or SENTINEL in text or "/" in text else text


def resource_requests(args: Sequence[str]) -> list[tuple[str, str, int]]:
    """(method, URL, index of the resource word) of every Run:ai resource a kubectl command
    line names. `args` are its words after `kubectl`; an unknown part of a word is SENTINEL."""
    positional: list[int] = []
    namespace = WILD
    all_namespaces = False
    i = 0
    while i < len(args):
        text = args[i]
        flag, eq, attached = text.partition("=")
        if text == "--":
            positional.extend(range(i + 1, len(args)))
            break
        if flag in ("-A", "--all-namespaces"):
            all_namespaces = attached.lower() != "false"
        elif flag in ("-n", "--namespace"):
            value = attached if eq else (args[i + 1] if i + 1 < len(args) else "")
            namespace = _namespace(value)
        elif text.startswith("-n") and not text.startswith("--"):
            namespace = _namespace(text[2:])  # -nteam-a
        elif not text.startswith("-") or text == "-":
            positional.append(i)
        i += 2 if text in _TAKES_VALUE else 1
    if len(positional) < 2 or args[positional[0]] not in _METHODS:
        return []
    method = _METHODS[args[positional[0]]]
    target = positional[1]
    where = "" if all_namespaces else f"namespaces/{namespace}/"
    out: list[tuple[str, str, int]] = []
    for name in args[target].split("/", 1)[0].split(","):  # `kind/name`, `kind1,kind2`
        found = None if SENTINEL in name else _resource(name)
        if found is not None:
            plural, version = found
            out.append((method, f"{BASE}/apis/{_GROUP}/{version}/{where}{plural}", target))
    return out


def kubectl_resource_calls(words: list[Word], anchor: Anchor | None, locate: Locator) -> list[ApiCall]:
    """The API requests of `kubectl <verb> <run.ai resource> ...` (one per Run:ai resource named)."""
    evidence = cli_evidence(words, written(words[0]))
    return [
        ApiCall(method, url, locate(place(words[1 + index], anchor)), confidence=Confidence.MEDIUM,
                evidence=evidence, runai_hint=True)
        for method, url, index in resource_requests([w.text for w in words[1:]])
    ]
