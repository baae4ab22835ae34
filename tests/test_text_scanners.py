"""Scanners that read shell (and other code) embedded in other files: Markdown, Dockerfile,
Makefile, Jupyter notebooks, and string literals of any other language."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from runai_audit.models import ApiCall, CliCall, Confidence, ManifestObject, Observation
from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.dockerfile import scan_dockerfile
from runai_audit.scanners.makefile import scan_makefile
from runai_audit.scanners.markdown.scanner import scan_markdown
from runai_audit.scanners.notebook import scan_notebook
from runai_audit.scanners.text import scan_text_literals

FIXTURES = Path(__file__).parent / "fixtures" / "shell"

Row = tuple[str, object, int, int]


def rows(obs: list[Observation]) -> list[Row]:
    """("GET /url" | argv, ..., line, column) for every ApiCall and CliCall, in order."""
    out: list[Row] = []
    for o in obs:
        if isinstance(o, ApiCall):
            out.append((o.method, o.url, o.location.line, o.location.column))
        elif isinstance(o, CliCall):
            out.append(("cli", o.argv, o.location.line, o.location.column))
    return out


def body(call: Observation) -> list[tuple[str, str | None, int, int]]:
    assert isinstance(call, ApiCall)
    return [(b.path, b.value, b.location.line, b.location.column) for b in call.body if b.location]


def clean(result: ScanResult) -> list[Observation]:
    assert result.problems == []
    return result.observations


def apis(obs: list[Observation]) -> list[ApiCall]:
    return [o for o in obs if isinstance(o, ApiCall)]


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- Markdown


def test_markdown_fences() -> None:
    obs = clean(scan_markdown(fixture("README.md"), "README.md"))
    assert rows(obs) == [
        ("cli", ("runai", "login"), 6, 3),  # `$ ` prompt blanked, output lines dropped
        ("cli", ("runai", "whoami"), 8, 3),
        ("POST", "https://{*}.run.ai/api/v1/token", 15, 14),  # <tenant> is a placeholder
        ("cli", ("runai", "submit-dist", "pytorch", "--workers", "2", "-i", "registry.acme/ddp:1"), 23, 3),
        ("GET", "{**}/v1/k8s/clusters/{*}/projects", 29, 46),  # ~~~ fence inside a list item
        ("GET", "https://acme.run.ai/api/v1/projects", 37, 14),  # python fence, via the Python scanner
        ("POST", "{**}/api/v1/workloads/trainings", 43, 6),  # http fence
        ("cli", ("runai", "submit", "indented-code"), 49, 5),  # indented code holding a runai command
    ]
    assert body(obs[2]) == [("grantType", "client_credentials", 17, 17), ("clientId", "<CLIENT ID>", 17, 52)]
    assert body(obs[6]) == [
        ("name", "t1", 46, 2), ("spec", None, 46, 16), ("spec.compute", None, 46, 25),
        ("spec.compute.gpuDevicesRequest", "1", 46, 37),
    ]


def test_markdown_prompt_continuations_and_output() -> None:
    text = (
        "```console\n"
        "$ curl -X POST https://acme.run.ai/api/v1/token \\\n"
        ">   -d '{\"grantType\": \"app_token\",\n"
        "   \"AppId\": \"a\"}'\n"
        "{\"accessToken\": \"eyJhbGciOiJIUzI1NiJ9.e30.sig\"}\n"
        "$ runai version\n"
        "runai submit printed as output\n"
        "```\n"
    )
    obs = clean(scan_markdown(text, "doc.md"))
    assert rows(obs) == [
        ("POST", "https://acme.run.ai/api/v1/token", 2, 16),
        ("cli", ("runai", "version"), 6, 3),
    ]
    assert body(obs[0]) == [("grantType", "app_token", 3, 10), ("AppId", "a", 4, 4)]


def test_markdown_indented_python_fence_keeps_columns() -> None:
    text = "- item\n\n    ```python\n    import requests\n    requests.delete('https://acme.run.ai/api/v1/projects/1')\n    ```\n"
    assert rows(clean(scan_markdown(text, "doc.md"))) == [("DELETE", "https://acme.run.ai/api/v1/projects/1", 5, 21)]


def test_markdown_other_languages_are_not_shell() -> None:
    text = "```yaml\nrunai: submit\n```\n\n```text\nrunai list jobs\n```\n"
    assert scan_markdown(text, "doc.md").observations == []


def test_markdown_indented_code_with_commands_is_shell() -> None:
    text = (
        "Run it:\n\n"
        "    runai submit indented -i img\n"
        "    curl -s https://acme.run.ai/v1/k8s/users \\\n"
        "      -H 'Accept: application/json'\n\n"
        "Or:\n\n"
        "    $ runai logs x\n"
        "    runai output is not a command\n\n"
        "Output only:\n\n"
        "    runai-free output: 3 jobs\n\n"
        "- a list item\n\n"
        "    runai list jobs is prose inside the item\n\n"
        "!!! note\n"
        "    curl is mentioned inside an admonition\n\n"
        "A paragraph\n"
        "    runai submit lazy-continuation\n"
    )
    assert rows(clean(scan_markdown(text, "doc.md"))) == [
        ("cli", ("runai", "submit", "indented", "-i", "img"), 3, 5),
        ("GET", "https://acme.run.ai/v1/k8s/users", 4, 13),
        ("cli", ("runai", "logs", "x"), 9, 7),  # a `$ ` prompt: lines without one are output
    ]


def test_markdown_yaml_fences_go_through_the_manifest_scanner() -> None:
    text = (
        "# Workloads\n\n"
        "```yaml\n"
        "apiVersion: run.ai/v2alpha1\n"
        "kind: TrainingWorkload\n"
        "spec:\n"
        "  nodePool:\n"
        "    value: a100\n"
        "```\n\n"
        "> ```yml\n"
        "> ---\n"
        "> apiVersion: run.ai/v2alpha1\n"
        "> kind: InteractiveWorkload\n"
        "> ```\n\n"
        "1. In a list:\n\n"
        "   ```json\n"
        '   {"apiVersion": "run.ai/v1", "kind": "RunaiJob"}\n'
        "   ```\n\n"
        "```\n"
        "# unlabelled\n"
        "apiVersion: run.ai/v2alpha1\n"
        "kind: InferenceWorkload\n"
        "```\n\n"
        "```yaml\n"
        "kind: Config  # no apiVersion: not an object\n"
        "```\n"
    )
    obs = clean(scan_markdown(text, "doc.md"))
    objects = [o for o in obs if isinstance(o, ManifestObject)]
    assert [(o.api_version, o.kind, o.location.line, o.location.column) for o in objects] == [
        ("run.ai/v2alpha1", "TrainingWorkload", 4, 1),
        ("run.ai/v2alpha1", "InteractiveWorkload", 13, 3),  # in a block quote
        ("run.ai/v1", "RunaiJob", 20, 6),  # indented JSON in a list item: the key inside its quotes
        ("run.ai/v2alpha1", "InferenceWorkload", 25, 1),  # unlabelled, opening with apiVersion
    ]
    assert [(f.path, f.location.line, f.location.column) for f in objects[0].fields if f.path == "spec.nodePool"] == [
        ("spec.nodePool", 7, 3)
    ]


def test_markdown_shell_fence_here_document_manifest() -> None:
    text = (
        "Submit:\n\n"
        "```bash\n"
        "kubectl apply -f - <<EOF\n"
        "apiVersion: run.ai/v2alpha1\n"
        "kind: TrainingWorkload\n"
        "EOF\n"
        "```\n"
    )
    obs = clean(scan_markdown(text, "doc.md"))
    assert [(o.kind, o.location.line, o.location.column) for o in obs if isinstance(o, ManifestObject)] == [
        ("TrainingWorkload", 5, 1)
    ]


def test_markdown_typescript_fence_uses_the_literal_scanner() -> None:
    text = "Call it:\n\n```ts\nawait fetch(`${base}/api/v1/projects`);\n```\n"
    obs = clean(scan_markdown(text, "doc.md"))
    assert rows(obs) == [("GET", "{**}/api/v1/projects", 4, 14)]
    assert apis(obs)[0].confidence is Confidence.LOW


def test_restructuredtext_code_blocks() -> None:
    text = (
        "Submit\n======\n\n"
        ".. code-block:: bash\n"
        "   :caption: submit\n\n"
        "   runai submit job -i img\n"
        "   curl $RUNAI_URL/api/v1/nodes\n\n"
        "Back to prose: runai list.\n"
    )
    assert rows(clean(scan_markdown(text, "guide.rst"))) == [
        ("cli", ("runai", "submit", "job", "-i", "img"), 7, 4),
        ("GET", "{**}/api/v1/nodes", 8, 9),
    ]


# --------------------------------------------------------------------------- Dockerfile


def test_dockerfile_run_instructions() -> None:
    obs = clean(scan_dockerfile(fixture("Dockerfile"), "Dockerfile"))
    assert rows(obs) == [
        ("POST", "{**}/api/v1/token", 6, 22),  # continued RUN with a comment and an empty line inside
        ("cli", ("runai-2.13.49", "version"), 12, 5),
        ("cli", ("runai", "config", "project", "vision"), 16, 1),  # RUN <<EOF
        ("DELETE", "https://acme.run.ai/api/v1/projects/7", 13, 30),  # exec form
        ("cli", ("runai", "list", "jobs"), 14, 24),  # exec form through /bin/sh -c
        ("cli", ("runai", "workspace", "list"), 18, 6),  # CMD, exec form
    ]
    # the JSON body spans continued lines, joined the way the builder joins them
    assert body(obs[0]) == [("grantType", "client_credentials", 8, 12), ("clientId", "builder", 10, 12)]


def test_dockerfile_cmd_and_entrypoint_are_commands() -> None:
    text = (
        "FROM runai/cli:2.13\n"
        'CMD ["runai","submit","x","-i","busybox"]\n'
        "ENTRYPOINT runai list jobs\n"
        "CMD curl -s https://acme.run.ai/v1/k8s/users \\\n"
        "    -H 'Accept: application/json'\n"
        'ENTRYPOINT ["/bin/sh", "-c", "runai delete job x"]\n'
        "ONBUILD CMD runai describe node\n"
        "LABEL cmd=\"runai list\"\n"
    )
    assert rows(clean(scan_dockerfile(text, "Dockerfile"))) == [
        ("cli", ("runai", "list", "jobs"), 3, 12),
        ("GET", "https://acme.run.ai/v1/k8s/users", 4, 13),
        ("cli", ("runai", "describe", "node"), 7, 13),
        ("cli", ("runai", "submit", "x", "-i", "busybox"), 2, 6),
        ("cli", ("runai", "delete", "job", "x"), 6, 31),
    ]


def test_dockerfile_each_run_is_its_own_shell() -> None:
    text = "FROM x\nRUN echo 'unclosed\nRUN runai list jobs\n"
    assert rows(clean(scan_dockerfile(text, "Dockerfile"))) == [("cli", ("runai", "list", "jobs"), 3, 5)]


def test_dockerfile_backtick_escape_and_powershell() -> None:
    text = (
        "# escape=`\n"
        "FROM mcr.microsoft.com/windows/servercore\n"
        "RUN curl -X POST https://acme.run.ai/api/v1/token `\n"
        "    -d grantType=app_token\n"
        "SHELL [\"powershell\", \"-Command\"]\n"
        "RUN runai list jobs\n"
    )
    obs = clean(scan_dockerfile(text, "Dockerfile"))
    assert rows(obs) == [("POST", "https://acme.run.ai/api/v1/token", 3, 18)]
    assert body(obs[0]) == [("grantType", "app_token", 4, 8)]


# --------------------------------------------------------------------------- Makefile


def test_makefile_recipes() -> None:
    obs = clean(scan_makefile(fixture("Makefile"), "Makefile"))
    assert rows(obs) == [
        ("cli", ("$(RUNAI)", "submit", "{*}", "-i", "registry.acme/train:{*}", "--gpu", "1", "--project", "vision"), 8, 3),
        ("POST", "https://acme.run.ai/api/v1/token", 11, 20),  # $(API) from `API := https://acme.run.ai`
        ("GET", "{**}/v1/k8s/clusters", 12, 64),  # $${RUNAI_URL} is the shell's variable
        ("cli", ("runai", "list", "jobs"), 13, 9),  # `list: ; recipe`
    ]
    cli = obs[0]
    assert isinstance(cli, CliCall) and cli.confidence is Confidence.HIGH  # RUNAI ?= runai-2.13.49
    assert body(obs[1]) == [("grantType", "app_token", 11, 47), ("name", "nightly", 11, 73)]
    assert apis(obs)[1].runai_hint is True


# --------------------------------------------------------------------------- notebooks


def test_notebook_cells() -> None:
    obs = clean(scan_notebook(fixture("notebook.ipynb"), "notebook.ipynb"))
    assert rows(obs) == [
        ("cli", ("runai", "submit", "{*}", "-i", "registry.acme/train:7", "--gpu", "0.5"), 27, 7),
        ("GET", "{**}/api/v1/projects", 29, 19),  # `!` line indented in a for loop
        ("cli", ("runai", "list", "jobs"), 30, 14),  # jobs = !runai list jobs
        ("POST", "https://acme.run.ai/api/v1/token", 31, 20),  # the Python scanner, placed in the file
        ("cli", ("runai", "describe", "job", "exp-7"), 39, 23),  # %%bash cell, one JSON string
        ("DELETE", "https://acme.run.ai/api/v1/projects/café", 39, 68),  # after a \\n and before a \\u escape
    ]
    assert body(obs[3]) == [("grantType", "app_token", 31, 64)]


def _notebook(cells: list[dict[str, Any]], language: str = "python") -> str:
    return json.dumps({"cells": cells, "metadata": {"kernelspec": {"language": language}}, "nbformat": 4,
                       "nbformat_minor": 5}, indent=1)


def test_notebook_with_a_bash_kernel_and_a_shell_file_cell() -> None:
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": ["runai list jobs\n"]}]
    assert rows(clean(scan_notebook(_notebook(cells, "bash"), "nb.ipynb"))) == [("cli", ("runai", "list", "jobs"), 8, 6)]
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [],
              "source": ["%%writefile submit.sh\n", "runai submit j\n"]}]
    assert rows(clean(scan_notebook(_notebook(cells), "nb.ipynb"))) == [("cli", ("runai", "submit", "j"), 9, 6)]


@pytest.mark.parametrize("magic", ["%%bash", "%%sh", "%%script bash", "%%script --bg sh"])
def test_notebook_shell_cell_magics(magic: str) -> None:
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": [f"{magic}\n", "runai list jobs\n"]}]
    assert rows(clean(scan_notebook(_notebook(cells), "nb.ipynb"))) == [("cli", ("runai", "list", "jobs"), 9, 6)]


def test_notebook_location_falls_back_to_a_pointer() -> None:
    # A key written with an escape cannot be found in the raw text: the cell is placed by pointer.
    raw = '{"cells": [{"cell_type": "code", "sourc\\u0065": ["x = 1\\n", "!runai list jobs\\n"]}], "nbformat": 4}'
    obs = clean(scan_notebook(raw, "nb.ipynb"))
    assert [(o.location.line, o.location.pointer) for o in obs] == [(0, "/cells/0/source/1")]


def test_invalid_notebook_is_an_input_problem() -> None:
    result = scan_notebook('{"cells": [\n  {"cell_type": "code",\n', "broken.ipynb")
    assert result.observations == []
    assert [(p.path, p.line) for p in result.problems] == [("broken.ipynb", 3)]
    assert "not valid notebook JSON" in result.problems[0].reason


# --------------------------------------------------------------------------- string literals


def test_typescript_client() -> None:
    obs = clean(scan_text_literals(fixture("client.ts"), "web/client.ts"))
    assert rows(obs) == [
        ("POST", "{**}/api/v1/workloads/trainings", 6, 28),  # fetch(..., { method: "POST" }) on the next line
        ("GET", "https://acme.run.ai/api/v1/projects", 15, 14),  # axios.get
        ("GET", "{**}/v1/k8s/clusters/{*}/projects", 18, 28),  # fetch without options; joined with +
    ]
    assert [o.confidence for o in apis(obs)] == [Confidence.LOW, Confidence.HIGH, Confidence.LOW]
    assert [o.runai_hint for o in apis(obs)] == [False, False, True]  # runaiUrl names Run:ai
    listing = obs[1]
    assert isinstance(listing, ApiCall)
    assert [(q.name, q.location.line, q.location.column) for q in listing.query if q.location] == [
        ("filterBy", 15, 50), ("limit", 15, 72)
    ]
    assert "vision" not in listing.evidence  # query values are masked


def test_go_client() -> None:
    assert rows(clean(scan_text_literals(fixture("client.go"), "pkg/client.go"))) == [
        ("POST", "{**}/api/v1/workloads/trainings", 11, 47),  # http.NewRequest("POST", baseURL+"...")
        ("GET", "{**}/api/v1/clusters/{*}/nodes", 19, 22),  # Sprintf %s, then http.Get on the next line
        ("DELETE", "https://acme.run.ai/api/v1/projects/{*}", 24, 61),  # http.MethodDelete, "..."+id
    ]


@pytest.mark.parametrize(
    ("text", "path", "expected"),
    [
        pytest.param("url: \"{{ .Values.runai.url }}/api/v1/projects\"\n", "values.tpl",
                     [("*", "{**}/api/v1/projects", 1, 7)], id="helm_template"),
        pytest.param("GET https://acme.run.ai/api/v2/policy/trainings?scope=project\n", "notes.txt",
                     [("*", "https://acme.run.ai/api/v2/policy/trainings", 1, 5)], id="plain_text"),
        pytest.param('String u = String.format("%s/api/v1/nodepools/%d", base, id);\n'
                     'HttpRequest r = HttpRequest.newBuilder(URI.create(u)).DELETE().build();\n',
                     "Client.java", [("DELETE", "{**}/api/v1/nodepools/{*}", 1, 27)], id="java_builder"),
        pytest.param("const p = '/api/v1/projects/:projectId/nodepools';\n", "routes.js",
                     [("*", "{**}/api/v1/projects/{*}/nodepools", 1, 12)], id="route_parameter"),
        pytest.param('// fetch("/api/v1/projects")\n/* "/v1/k8s/clusters" */\nimport x from "./api/v1/x";\n',
                     "a.ts", [], id="comments_and_relative_paths"),
        pytest.param("see src/api/v1/handlers for details\n", "README.txt", [], id="not_a_url"),
    ],
)
def test_literal_forms(text: str, path: str, expected: list[Row]) -> None:
    assert rows(clean(scan_text_literals(text, path))) == expected


def test_literal_evidence_hides_other_strings() -> None:
    text = 'client.post("https://acme.run.ai/api/v1/token", {clientSecret: "sekrit-1", grantType: "x"}, "sekrit-2")\n'
    obs = clean(scan_text_literals(text, "a.ts"))
    assert rows(obs) == [("POST", "https://acme.run.ai/api/v1/token", 1, 14)]
    assert isinstance(obs[0], ApiCall)
    assert "sekrit" not in obs[0].evidence
    assert obs[0].confidence is Confidence.HIGH


def test_minified_line_evidence_is_cut_without_leaking() -> None:
    chunk = 'var k="sekrit-tok{n}";fetch("/api/v1/projects/{n}",{{method:"POST"}})' + "x" * 900 + ';q="sekrit-{n}abc"'
    text = ";".join(chunk.format(n=n) for n in range(40))
    obs = clean(scan_text_literals(text, "bundle.min.js"))
    assert len(obs) == 40
    assert [o.method for o in apis(obs)] == ["POST"] * 40
    assert not any("sekrit" in o.evidence for o in apis(obs))
    assert max(len(o.evidence) for o in apis(obs)) <= 240


SCANNERS = [(scan_markdown, "a.md"), (scan_markdown, "a.rst"), (scan_dockerfile, "Dockerfile"),
            (scan_makefile, "Makefile"), (scan_text_literals, "a.ts"), (scan_text_literals, "a.txt")]


def test_random_input_never_raises() -> None:
    rng = random.Random(4321)
    pieces = [
        *"curl runai -X POST -d '\"{}[]$()`\\|;&<>#\n\t=:/.?é\r", "```sh\n", "```\n", "~~~\n", "RUN ", "\t", "target:\n", "$(X)", "$$", "!", "%%bash\n", "<<EOF\n",
        "EOF\n", ".. code-block:: bash\n", "/api/v1/", "https://", "${", "{{", "# escape=`\n",
    ]
    for _ in range(200):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 150)))
        for scanner, path in SCANNERS:
            scanner(text, path)
        scan_notebook(json.dumps({"cells": [{"cell_type": "code", "source": [text]}]}), "n.ipynb")
