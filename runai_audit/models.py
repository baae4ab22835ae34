"""The records that flow through the pipeline: observations in, findings and a report out.

Scanners produce observations (what the input *does*: an HTTP call, a manifest object, a CLI
command line). They know nothing of rules. The engine turns observations into findings. Reporters
turn a finished Report into text. Everything here is frozen so a stage can never mutate what an
earlier stage produced.

Secrets rule: observations may carry literal values (an enum value in a request body, say) so
the engine can compare them with the catalog, but no reporter ever prints an observation value.
Findings carry names, paths and catalog facts only; `evidence` is masked at scan time.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from runai_audit.limits import MAX_TEXT_BYTES

# Text files larger than this are skipped, not read (recorded traffic is streamed and exempt).
# The default of discovery, the config file and ScanOptions alike.
DEFAULT_MAX_FILE_SIZE = MAX_TEXT_BYTES  # see runai_audit.limits


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        """Higher is worse; used by --fail-on and for sorting summaries."""
        return {"note": 1, "warning": 2, "error": 3}[self.value]


class Status(str, enum.Enum):
    REMOVED = "removed"  # absent from the target's spec, or past its sunset for the target
    DEPRECATED = "deprecated"  # flagged or documented as deprecated, still supported at the target
    UNSUPPORTED = "unsupported"  # in no known spec and not in the catalog
    SIGNAL = "signal"  # the server itself said so (Deprecation / Sunset / Warning headers)
    TOOL = "tool"  # about the audit itself: unparsed input, stale baseline, expired exemption


class Confidence(str, enum.Enum):
    HIGH = "high"  # every part of the URL / object was a literal
    MEDIUM = "medium"  # some parts were unresolved and matched as wildcards
    LOW = "low"  # Run:ai-ness or the operation was inferred from context only


@dataclass(frozen=True, order=True)
class Location:
    """Where an observation or finding sits.

    `path` is relative to the scan root, POSIX separators ("-" for stdin). `line` and `column`
    are 1-based; 0 means unknown (a traffic entry whose line was not cheaply found). `pointer` is
    a JSON pointer into a traffic or JSON file ("/log/entries/17"), empty otherwise.
    """

    path: str
    line: int = 0
    column: int = 0
    pointer: str = ""

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}:{self.column or 1}"
        if self.pointer:
            return f"{self.path}#{self.pointer}"
        return self.path


@dataclass(frozen=True)
class RelatedLocation:
    """Another place of the same use: where a request written elsewhere is sent (`sent`),
    where a shell function holding a command is called (`called`), where a value the use is
    built from is written (`written`)."""

    location: Location
    role: str


@dataclass(frozen=True)
class Usage:
    """How often something was seen in recorded traffic; None on script findings."""

    count: int = 1
    first_seen: str | None = None  # ISO 8601 timestamp
    last_seen: str | None = None
    callers: tuple[str, ...] = ()  # distinct user agents / users, sorted, capped

    def merged(self, other: Usage, cap: int = 25) -> Usage:
        firsts = [t for t in (self.first_seen, other.first_seen) if t]
        lasts = [t for t in (self.last_seen, other.last_seen) if t]
        callers = tuple(sorted(set(self.callers) | set(other.callers))[:cap])
        return Usage(
            count=self.count + other.count,
            first_seen=min(firsts) if firsts else None,
            last_seen=max(lasts) if lasts else None,
            callers=callers,
        )


# --------------------------------------------------------------------------- observations


@dataclass(frozen=True)
class BodyField:
    """One field of a JSON request body, by dotted path (`spec.compute.migProfile`, list items
    as `items[].name`). `value` holds a short scalar literal when the scanner saw one, only so
    that enum values can be compared; it is never printed."""

    path: str
    value: str | None = None
    location: Location | None = None


@dataclass(frozen=True)
class QueryParam:
    """A query parameter by name. Its value is never kept."""

    name: str
    location: Location | None = None


@dataclass(frozen=True)
class ApiCall:
    """An HTTP request, seen in code or recorded in traffic.

    `url` is what the scanner could rebuild: scheme and host when known, then the path. Parts it
    could not resolve are the wildcard segment `{*}`; an unresolved base (host and prefix
    unknown) is written as a leading `{**}`. `method` is upper case, `*` when unknown.
    `runai_hint` is true when the expression that built the URL names Run:ai (a variable such as
    RUNAI_URL, a runapy client) - one of the ways a URL is judged to be Run:ai's.
    """

    method: str
    url: str
    location: Location
    query: tuple[QueryParam, ...] = ()
    body: tuple[BodyField, ...] = ()
    confidence: Confidence = Confidence.HIGH
    evidence: str = ""
    runai_hint: bool = False
    usage: Usage | None = None
    related: tuple[RelatedLocation, ...] = ()


@dataclass(frozen=True)
class FieldRef:
    """A field inside a manifest object, by dotted path, with its own location."""

    path: str
    location: Location
    value: str | None = None  # short scalar, for matching only; never printed


@dataclass(frozen=True)
class ManifestObject:
    """A Kubernetes-style object (apiVersion + kind) from YAML, JSON, a template or code."""

    api_version: str
    kind: str
    location: Location
    fields: tuple[FieldRef, ...] = ()
    name: str | None = None
    evidence: str = ""
    confidence: Confidence = Confidence.HIGH
    usage: Usage | None = None
    raw: str | None = None  # the document text, for migration snippets; only for manifests from files


@dataclass(frozen=True)
class CliCall:
    """A `runai` (or `runai-adm`) command line: argv[0] is the binary as written."""

    argv: tuple[str, ...]
    location: Location
    evidence: str = ""
    confidence: Confidence = Confidence.HIGH
    # The CLI the line runs, as the scanner resolved it ("runai" or "runai-adm"); argv[0] may be
    # `$RUNAI_BIN`, `./runai-2.13.49` or a site wrapper. "" when the scanner did not say.
    binary: str = ""
    related: tuple[RelatedLocation, ...] = ()


@dataclass(frozen=True)
class MetricUse:
    """A metric name referenced in PromQL, a dashboard or a rule file."""

    name: str
    location: Location
    evidence: str = ""
    via_grafana_proxy: bool = False
    in_promql: bool = False  # written as PromQL (a selector, a range, a function's argument)


@dataclass(frozen=True)
class ServerSignal:
    """A deprecation signal the server sent in a recorded response.

    kind: "deprecation" (RFC 9745), "sunset" (RFC 8594) or "warning" (Warning: 299). `value` is
    the header's date or `true`; header values other than these are never kept.
    """

    kind: str
    method: str
    url: str
    location: Location
    value: str = ""
    usage: Usage | None = None
    # The server-authored message of a Warning (or the removal release of a Kubernetes
    # deprecation annotation), capped at 200 characters with token-like runs masked.
    text: str = ""


@dataclass(frozen=True)
class SdkCall:
    """A method call through the runapy SDK (`client.organizations.projects.get_projects()`).
    The engine maps `method` to an operation through the spec's operationIds."""

    method: str
    location: Location
    receiver: str = ""  # the attribute chain before the method, e.g. "client.organizations.projects"
    evidence: str = ""


@dataclass(frozen=True)
class FieldRead:
    """A key read from a decoded JSON response: `workload["urls"]`, `workload.get("urls")`.
    The engine ties it to the Run:ai operations the same file calls."""

    name: str
    location: Location
    evidence: str = ""


@dataclass(frozen=True)
class InputProblem:
    """A file (or part of one) that could not be read or parsed. Becomes coverage, never a crash."""

    path: str
    reason: str
    line: int = 0


Observation = ApiCall | ManifestObject | CliCall | MetricUse | ServerSignal | SdkCall | FieldRead


# --------------------------------------------------------------------------- findings


@dataclass(frozen=True)
class Suppression:
    """Why a finding does not count against the gate. kind: inline | exemption | baseline."""

    kind: str
    reason: str = ""
    owner: str = ""
    expires: str = ""


@dataclass(frozen=True)
class TextEdit:
    """One replacement in a file: 1-based line and column where it starts, and where it ends
    (exclusive), in characters of the decoded text; `text` is what goes there."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int
    text: str


@dataclass(frozen=True)
class FixSuggestion:
    """What `runai-audit fix` would change for a finding. safety: safe | unsafe | manual; a
    manual one has no edits, only a note saying why. `replacement_text` is the fixed source of
    the edited span (command words, a key, a metric name: never a value from the input)."""

    safety: str
    replacement_text: str = ""
    edits: tuple[TextEdit, ...] = ()
    note: str = ""
    # fixed | unsafe (needs --unsafe) | migration (a REST request file) | manual | failed
    status: str = "manual"


# A use in documentation or in a comment is debt to list, not a build to break: by default its
# severity stays below the default --fail-on (error).
DEFAULT_CONTEXT_LEVELS: dict[str, str] = {"docs": "warning", "comment": "warning"}


@dataclass(frozen=True)
class Finding:
    rule_id: str
    severity: Severity
    status: Status
    message: str
    subject: str  # what was used, e.g. "GET /v1/k8s/clusters/{clusterId}/projects"
    replacement: str  # what to use instead, or "none"
    location: Location
    evidence: str = ""
    deprecated_in: str | None = None
    removed_in: str | None = None
    sunset: str | None = None  # ISO date, when known
    sources: tuple[str, ...] = ()
    docs_url: str | None = None
    confidence: Confidence = Confidence.HIGH
    fingerprint: str = ""
    usage: Usage | None = None
    snippet: str | None = None  # migration help: REST body for a CRD, CLI v2 command for v1
    suppression: Suppression | None = None
    breaks_in: str | None = None  # release in which this use stops working, when known
    # Where the use is written: "code" (it runs), "docs" (prose, inline code, transcripts) or
    # "comment" (a comment or docstring in code). Config `contexts:` caps the severity of the last two.
    context: str = "code"
    # Other places of the same use (where it is sent, called or built); never part of the fingerprint.
    related: tuple[RelatedLocation, ...] = ()
    fix: FixSuggestion | None = None  # set by `runai-audit fix` only

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    @property
    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, loc.pointer, self.rule_id, self.subject)


@dataclass(frozen=True)
class RuleInfo:
    """What reporters need to know about a rule (SARIF driver rules, docs links, HTML)."""

    id: str
    title: str
    description: str
    family: str  # endpoint | field | cluster-api | metrics | auth | cli | signal | tool
    docs_url: str | None = None
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Target:
    deployment: str  # "self-hosted" | "saas"
    version: str  # e.g. "2.24"
    as_of: str  # ISO date


@dataclass(frozen=True)
class Provenance:
    tool_name: str
    tool_version: str
    catalog_version: str
    spec_versions: tuple[str, ...]
    spec_source: str  # "bundled" or the file / URL given with --spec


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(frozen=True)
class UnknownHost:
    """Calls to a host nobody said is Run:ai's, on paths only Run:ai serves: not judged (the
    host may be anyone's), but never dropped silently. `locations` are the first few, sorted."""

    host: str
    calls: int
    locations: tuple[str, ...] = ()


@dataclass(frozen=True)
class Coverage:
    files_scanned: int = 0
    files_skipped: tuple[SkippedFile, ...] = ()
    errors: tuple[InputProblem, ...] = ()
    traffic_entries: int = 0  # requests / events read from traffic files
    traffic_unmatched: int = 0  # of those, not to a Run:ai host
    notes: tuple[str, ...] = ()
    unknown_hosts: tuple[UnknownHost, ...] = ()  # by host name


@dataclass(frozen=True)
class Report:
    target: Target
    provenance: Provenance
    findings: tuple[Finding, ...]
    coverage: Coverage
    rules: tuple[RuleInfo, ...] = ()  # every rule in the catalog, for SARIF and the HTML
    fail_on: str = "error"
    # Known releases in order with their ISO dates ("" when unknown), for timelines.
    releases: tuple[tuple[str, str], ...] = ()
    extras: dict[str, object] = field(default_factory=dict, compare=False, hash=False)

    def counts(self, include_suppressed: bool = False) -> dict[str, int]:
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            if include_suppressed or not f.suppressed:
                out[f.severity.value] += 1
        return out
