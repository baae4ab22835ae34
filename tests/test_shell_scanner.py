"""The shell scanner: curl / wget / HTTPie calls and runai command lines, with exact positions."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from runai_audit.models import ApiCall, CliCall, Confidence, Observation
from runai_audit.scanners.shell.scanner import scan_shell

FIXTURES = Path(__file__).parent / "fixtures" / "shell"


def scan(text: str, path: str = "s.sh") -> list[Observation]:
    result = scan_shell(text, path)
    assert result.problems == []
    return result.observations


def api_calls(obs: list[Observation]) -> list[ApiCall]:
    return [o for o in obs if isinstance(o, ApiCall)]


def calls(obs: list[Observation]) -> list[tuple[str, str, int, int]]:
    return [(o.method, o.url, o.location.line, o.location.column) for o in api_calls(obs)]


def clis(obs: list[Observation]) -> list[tuple[tuple[str, ...], int, int]]:
    return [(o.argv, o.location.line, o.location.column) for o in obs if isinstance(o, CliCall)]


def body(call: ApiCall) -> list[tuple[str, str | None, int, int]]:
    return [(b.path, b.value, b.location.line, b.location.column) for b in call.body if b.location]


def query(call: ApiCall) -> list[tuple[str, int, int]]:
    return [(q.name, q.location.line, q.location.column) for q in call.query if q.location]


# --------------------------------------------------------------------------- a realistic REST script


@pytest.fixture(scope="module")
def training_script() -> list[Observation]:
    return scan((FIXTURES / "submit_training.sh").read_text(), "submit_training.sh")


def test_rest_script_calls_in_order(training_script: list[Observation]) -> None:
    assert calls(training_script) == [
        ("POST", "{**}/api/v1/token", 8, 26),
        ("GET", "{**}/v1/k8s/clusters/{*}/projects", 20, 5),  # through the api() wrapper: the call site
        ("POST", "{**}/api/v1/workloads/trainings", 21, 5),
        ("GET", "https://acme.run.ai/api/v1/workloads", 24, 9),
        ("DELETE", "https://{*}/api/v1/workloads/trainings/{*}", 27, 23),
        ("POST", "{**}/api/v2/policy/trainings", 29, 33),
        ("GET", "https://api.github.com/repos/acme/infra/releases/latest", 36, 9),
    ]
    assert clis(training_script) == []


def test_multi_line_json_body_fields_sit_on_their_keys(training_script: list[Observation]) -> None:
    token = api_calls(training_script)[0]
    assert body(token) == [
        ("grantType", "client_credentials", 11, 9),
        ("clientId", None, 12, 9),  # spliced in from $CLIENT_ID: unknown
        ("clientSecret", None, 13, 9),  # a secret's value is never kept
    ]
    assert token.runai_hint is True
    assert token.confidence is Confidence.MEDIUM


def test_escaped_json_in_double_quotes_passed_to_a_wrapper(training_script: list[Observation]) -> None:
    post = api_calls(training_script)[2]
    assert body(post) == [("name", "nightly", 22, 17), ("projectId", None, 22, 40)]


def test_get_mode_turns_data_into_query_names(training_script: list[Observation]) -> None:
    listing = api_calls(training_script)[3]
    assert query(listing) == [("sortBy", 24, 47), ("filterBy", 25, 21), ("limit", 25, 49)]
    assert listing.body == ()
    assert listing.confidence is Confidence.HIGH


def test_heredoc_piped_into_data_binary_stdin(training_script: list[Observation]) -> None:
    policy = api_calls(training_script)[5]
    assert body(policy) == [
        ("meta", None, 31, 3),
        ("meta.scope", "project", 31, 12),
        ("policy", None, 32, 3),
        ("policy.defaults", None, 32, 14),
        ("policy.defaults.compute", None, 32, 27),
        ("policy.defaults.compute.gpuDevicesRequest", "1", 32, 39),
    ]


# --------------------------------------------------------------------------- URLs


@pytest.mark.parametrize(
    ("script", "expected", "hint", "confidence"),
    [
        pytest.param("curl $RUNAI_URL/api/v1/projects", ("GET", "{**}/api/v1/projects", 1, 6), True,
                     Confidence.MEDIUM, id="runai_variable_base"),
        pytest.param('curl "${Run_AI_Host}/v1/k8s/clusters"', ("GET", "{**}/v1/k8s/clusters", 1, 6), True,
                     Confidence.MEDIUM, id="braced_variable_any_case"),
        pytest.param('curl "https://$HOST/api/v1/projects"', ("GET", "https://{*}/api/v1/projects", 1, 6), False,
                     Confidence.MEDIUM, id="variable_host"),
        pytest.param("curl https://acme.run.ai/api/v1/clusters/$CID/nodes",
                     ("GET", "https://acme.run.ai/api/v1/clusters/{*}/nodes", 1, 6), False, Confidence.MEDIUM,
                     id="variable_segment"),
        pytest.param("BASE=https://acme.run.ai\ncurl -X POST \"$BASE/api/v1/token\"",
                     ("POST", "https://acme.run.ai/api/v1/token", 2, 14), False, Confidence.HIGH,
                     id="literal_assignment_resolved"),
        pytest.param("curl -XPATCH acme.run.ai/api/v1/projects/7",
                     ("PATCH", "acme.run.ai/api/v1/projects/7", 1, 14), False, Confidence.HIGH, id="attached_method"),
        pytest.param("curl -X PUT 'https://ops:hunter2@acme.run.ai/api/v1/users/3'",
                     ("PUT", "https://acme.run.ai/api/v1/users/3", 1, 13), False, Confidence.HIGH,
                     id="credentials_dropped"),
        pytest.param("curl -I https://acme.run.ai/api/v1/version", ("HEAD", "https://acme.run.ai/api/v1/version", 1, 9),
                     False, Confidence.HIGH, id="head"),
        pytest.param("curl -T logo.png https://acme.run.ai/api/v1/logo", ("PUT", "https://acme.run.ai/api/v1/logo", 1, 18),
                     False, Confidence.HIGH, id="upload_is_put"),
        pytest.param("curl --url https://acme.run.ai/api/v1/users -o out.json",
                     ("GET", "https://acme.run.ai/api/v1/users", 1, 12), False, Confidence.HIGH, id="url_option"),
        pytest.param("curl -d @body.json $RUNAI_URL/api/v1/nodepools", ("POST", "{**}/api/v1/nodepools", 1, 20), True,
                     Confidence.MEDIUM, id="body_from_file"),
        pytest.param("curl -X \"$METHOD\" https://acme.run.ai/api/v1/x", ("*", "https://acme.run.ai/api/v1/x", 1, 19),
                     False, Confidence.MEDIUM, id="unknown_method"),
        pytest.param("curl $RUNAI_URL", ("GET", "{**}", 1, 6), True, Confidence.MEDIUM, id="only_a_runai_base"),
    ],
)
def test_url_shapes(script: str, expected: tuple[str, str, int, int], hint: bool, confidence: Confidence) -> None:
    obs = scan(script)
    assert calls(obs) == [expected]
    assert api_calls(obs)[0].runai_hint is hint
    assert api_calls(obs)[0].confidence is confidence


def test_url_with_nothing_known_is_not_reported() -> None:
    assert scan('curl -s "$URL" -H "Accept: application/json"') == []


def test_other_hosts_are_reported_too() -> None:
    # Run:ai-ness is the engine's call, not the scanner's.
    assert calls(scan("curl -fsSL https://api.github.com/repos/o/r/tags")) == [
        ("GET", "https://api.github.com/repos/o/r/tags", 1, 12)
    ]


def test_json_option_and_form_fields() -> None:
    obs = scan(
        "curl --json '{\"name\": \"p\", \"resources\": [{\"gpu\": 1}]}' https://acme.run.ai/api/v1/projects\n"
        "curl -F 'file=@logo.png' -F note=x https://acme.run.ai/api/v1/logo\n"
    )
    json_call, form_call = api_calls(obs)
    assert (json_call.method, body(json_call)) == (
        "POST", [("name", "p", 1, 15), ("resources", None, 1, 28), ("resources[].gpu", "1", 1, 43)]
    )
    assert (form_call.method, body(form_call)) == ("POST", [("file", None, 2, 10), ("note", None, 2, 29)])


def test_form_encoded_body_names() -> None:
    obs = scan("curl -d 'grant_type=password&username=u1' -d scope=openid https://acme.run.ai/auth/realms/r/protocol/openid-connect/token")
    assert calls(obs) == [("POST", "https://acme.run.ai/auth/realms/r/protocol/openid-connect/token", 1, 59)]
    assert body(api_calls(obs)[0]) == [
        ("grant_type", "password", 1, 10), ("username", "u1", 1, 30), ("scope", "openid", 1, 46)
    ]


def test_kubectl_raw_request() -> None:
    obs = scan("kubectl get --raw /apis/run.ai/v2alpha1/namespaces/runai-a/trainingworkloads\n"
               "kubectl apply -f job.yaml\n")
    assert calls(obs) == [("GET", "{**}/apis/run.ai/v2alpha1/namespaces/runai-a/trainingworkloads", 1, 19)]


def test_url_variable_built_from_other_variables() -> None:
    obs = scan(
        'EP="$RUNAI_URL/v1/k8s/users"\n'  # RUNAI_URL unknown: a wildcard base, and the Run:ai hint
        'curl -s "$EP"\n'
        "RUNAI_URL=https://a.run.ai\n"
        'EP="$RUNAI_URL/v1/k8s/users"\n'  # now known: spliced in when EP is assigned
        'curl -s "$EP"\n'
        "NODES=${BASE}/api/v1/clusters/$CID/nodes\n"
        "curl -s $NODES?verbose=1\n"  # unquoted, two unknown inner variables
    )
    assert calls(obs) == [
        ("GET", "{**}/v1/k8s/users", 2, 9),
        ("GET", "https://a.run.ai/v1/k8s/users", 5, 9),
        ("GET", "{**}/api/v1/clusters/{*}/nodes", 7, 9),
    ]
    assert [(c.runai_hint, c.confidence) for c in api_calls(obs)] == [
        (True, Confidence.MEDIUM), (True, Confidence.HIGH), (False, Confidence.MEDIUM)
    ]
    # evidence shows what the URL was built from, query values masked
    assert api_calls(obs)[2].evidence == "curl -s $BASE/api/v1/clusters/$CID/nodes?verbose=***"


def test_self_doubling_assignments_stay_small() -> None:
    script = "A=https://a.run.ai/x\n" + 'A="$A$A"\n' * 40 + 'curl "$A/v1/k8s/users"\n'
    (call,) = api_calls(scan(script))
    assert (call.location.line, call.location.column) == (42, 6)
    assert len(call.url) < 10_000


def test_crlf_line_continuations() -> None:
    obs = scan(
        "#!/bin/bash\r\n"
        "curl -s \\\r\n"
        "  https://a.run.ai/v1/k8s/users\r\n"
        "runai submit x \\\r\n"
        "  -i img\r\n"
        'curl -s "https://a.run.ai/v1/k8s/\\\r\n'
        'projects" -d "{\\"name\\": \\\r\n'
        '\\"p\\"}"\r\n'
    )
    assert calls(obs) == [
        ("GET", "https://a.run.ai/v1/k8s/users", 3, 3),
        ("POST", "https://a.run.ai/v1/k8s/projects", 6, 9),  # continued inside double quotes
    ]
    assert clis(obs) == [(("runai", "submit", "x", "-i", "img"), 4, 1)]
    assert body(api_calls(obs)[1]) == [("name", "p", 7, 17)]


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        pytest.param("kubectl get trainingworkloads -n $NS",
                     ("GET", "{**}/apis/run.ai/v2alpha1/namespaces/{*}/trainingworkloads", 1, 13), id="plural"),
        pytest.param("kubectl delete interactiveworkload ws -n runai-a",
                     ("DELETE", "{**}/apis/run.ai/v2alpha1/namespaces/runai-a/interactiveworkloads", 1, 16),
                     id="singular_and_namespace"),
        pytest.param("kubectl get runaijobs.run.ai -A",
                     ("GET", "{**}/apis/run.ai/v1/runaijobs", 1, 13), id="group_qualified_all_namespaces"),
        pytest.param("oc --namespace=runai-b describe DistributedWorkload/ddp",
                     ("GET", "{**}/apis/run.ai/v2alpha1/namespaces/runai-b/distributedworkloads", 1, 33),
                     id="kind_slash_name"),
        pytest.param("kubectl -o yaml edit inferenceworkloads.v2alpha1.run.ai srv",
                     ("PATCH", "{**}/apis/run.ai/v2alpha1/namespaces/{*}/inferenceworkloads", 1, 22),
                     id="versioned_group_after_a_valued_flag"),
        pytest.param("kubectl -n\"$NS\" label trainingpolicy default tier=gold",
                     ("PATCH", "{**}/apis/run.ai/v2alpha1/namespaces/{*}/trainingpolicies", 1, 23),
                     id="attached_unresolved_namespace"),
        pytest.param("NS=runai-team\nkubectl annotate --all-namespaces=false -n $NS interactivepolicies p a=b",
                     ("PATCH", "{**}/apis/run.ai/v2alpha1/namespaces/runai-team/interactivepolicies", 2, 48),
                     id="namespace_from_a_known_variable"),
    ],
)
def test_kubectl_verbs_on_cluster_api_kinds(script: str, expected: tuple[str, str, int, int]) -> None:
    obs = scan(script)
    assert calls(obs) == [expected]
    assert api_calls(obs)[0].runai_hint is True


@pytest.mark.parametrize("script", [
    "kubectl get pods -n runai-a",
    "kubectl apply -f https://example.com/train.yaml",
    "kubectl logs trainingworkloads",  # not one of the verbs read
    "kubectl get trainingworkloads.acme.io",  # another group
    "kubectl get $KIND -n runai-a",
    "kubectl explain trainingworkload.spec",
])
def test_kubectl_commands_that_are_not_cluster_api_requests(script: str) -> None:
    assert api_calls(scan(script)) == []


def test_kubectl_in_a_function_is_reported_at_the_call_site() -> None:
    obs = scan("jobs() {\n  kubectl get \"$1\" -A\n}\njobs runaijobs\n")
    assert calls(obs) == [("GET", "{**}/apis/run.ai/v1/runaijobs", 4, 6)]


def test_offsets_for_embedded_text() -> None:
    result = scan_shell("echo start\ncurl https://acme.run.ai/api/v1/x", "ci.yml", line_offset=10, col_offset=8)
    assert calls(result.observations) == [("GET", "https://acme.run.ai/api/v1/x", 12, 14)]
    assert result.observations[0].location.path == "ci.yml"


# --------------------------------------------------------------------------- wget and HTTPie


def test_wget_methods_and_bodies() -> None:
    obs = scan(
        "wget -qO- https://acme.run.ai/api/v1/projects\n"
        "wget -O /tmp/token.json --post-data 'grantType=app_token&AppId=a1' https://acme.run.ai/v1/k8s/auth/oauth/apptoken\n"
        "wget --method=PUT --body-data='{\"name\": \"n\"}' --header='Authorization: Bearer t' \"$RUNAI_URL/api/v1/projects/4\"\n"
    )
    assert calls(obs) == [
        ("GET", "https://acme.run.ai/api/v1/projects", 1, 11),
        ("POST", "https://acme.run.ai/v1/k8s/auth/oauth/apptoken", 2, 68),
        ("PUT", "{**}/api/v1/projects/4", 3, 82),
    ]
    post, put = api_calls(obs)[1:]
    assert body(post) == [("grantType", "app_token", 2, 38), ("AppId", "a1", 2, 58)]
    assert body(put) == [("name", "n", 3, 33)]


def test_httpie_items() -> None:
    script = ("http POST https://acme.run.ai/api/v1/projects name=p1 'resources[gpu]:=2' "
              "spec:='{\"a\": {\"b\": true}}' limit==5 Authorization:\"Bearer s3cr3t-value\"")
    obs = scan(script)
    assert calls(obs) == [("POST", "https://acme.run.ai/api/v1/projects", 1, 11)]
    call = api_calls(obs)[0]
    assert body(call) == [
        ("name", "p1", 1, 47), ("resources.gpu", "2", 1, 56), ("spec", None, 1, 75),
        ("spec.a", None, 1, 83), ("spec.a.b", "true", 1, 89),
    ]
    assert query(call) == [("limit", 1, 102)]
    assert "s3cr3t-value" not in call.evidence


def test_httpie_defaults_and_shorthand() -> None:
    obs = scan("https --form :8443/api/v1/logo file@logo.png\nhttp $RUNAI_URL/api/v1/clusters\n")
    assert calls(obs) == [("POST", "localhost:8443/api/v1/logo", 1, 14), ("GET", "{**}/api/v1/clusters", 2, 6)]


# --------------------------------------------------------------------------- the runai CLI


def test_cli_forms_in_a_helpers_file() -> None:
    obs = scan((FIXTURES / "cli_wrappers.sh").read_text(), "cli_wrappers.sh")
    assert clis(obs) == [
        # An alias or function body that writes the command is where it is reported (its call
        # sites are related places); the env value is masked.
        (("runai", "submit", "--project", "vision", "exp-1", "-i", "registry.acme/train:3", "-e", "***",
          "--gpu", "0.5"), 6, 11),
        (("runai", "list", "jobs"), 7, 11),
        (("runai", "describe", "job", "exp-1"), 18, 1),  # rj() { runai "$@"; }: the call site writes the verb
        (("$RUNAI_BIN", "submit", "exp-2", "--gpu", "1", "-i", "registry.acme/train:4"), 13, 3),  # called at 19
        (("./runai-2.13.49", "version"), 20, 1),
        (("/opt/runai/bin/runai", "logs", "exp-1", "--follow"), 21, 1),
        (("runai-adm", "collect-logs"), 22, 12),
        (("runai", "list", "projects"), 23, 36),
        (("runai", "training", "submit", "exp-3", "-i", "img"), 24, 22),
        (("runai", "workspace", "list"), 25, 13),
        (("${RUNAI_CLI:-runai}", "whoami"), 26, 1),
    ]
    # whatever argv[0] looks like, the scanner says which CLI runs
    assert [o.binary for o in obs if isinstance(o, CliCall)] == ["runai"] * 6 + ["runai-adm"] + ["runai"] * 4
    assert calls(obs) == []


@pytest.mark.parametrize(
    ("script", "expected", "confidence"),
    [
        pytest.param("timeout 60 runai list jobs", (("runai", "list", "jobs"), 1, 12), Confidence.HIGH, id="timeout"),
        pytest.param("bash -c 'runai list jobs'", (("runai", "list", "jobs"), 1, 10), Confidence.HIGH, id="bash_c"),
        pytest.param("ls | xargs -n1 runai delete job", (("runai", "delete", "job"), 1, 16), Confidence.HIGH,
                     id="xargs"),
        pytest.param("RUNAI=$(command -v runai)\n\"$RUNAI\" list", (("$RUNAI", "list"), 2, 1), Confidence.MEDIUM,
                     id="located_binary"),
        pytest.param("$RUNAI_BIN submit j1", (("$RUNAI_BIN", "submit", "j1"), 1, 1), Confidence.MEDIUM,
                     id="variable_named_after_the_cli"),
        pytest.param("${BIN_DIR}/runai-2.10 submit j1", (("${BIN_DIR}/runai-2.10", "submit", "j1"), 1, 1),
                     Confidence.HIGH, id="binary_under_a_variable_directory"),
        pytest.param("runai-rcp-prod submit j1", (("runai-rcp-prod", "submit", "j1"), 1, 1), Confidence.MEDIUM,
                     id="site_wrapper"),
        pytest.param("function w { runai \"$@\"; }", (("runai", "{*}"), 1, 14), Confidence.HIGH,
                     id="wrapper_never_called_reported_at_definition"),
        pytest.param("runai login --password 'p@ss' --token=t0k", (("runai", "login", "--password", "***", "--token=***"),
                                                                   1, 1), Confidence.HIGH, id="secret_flags_masked"),
        pytest.param("for j in $(runai list jobs -q); do :; done", (("runai", "list", "jobs", "-q"), 1, 12),
                     Confidence.HIGH, id="inside_command_substitution"),
        pytest.param("runai() { command runai --verbose \"$@\"; }\nrunai list", (("runai", "--verbose", "list"), 2, 1),
                     Confidence.HIGH, id="function_shadowing_the_binary"),
    ],
)
def test_cli_forms(script: str, expected: tuple[tuple[str, ...], int, int], confidence: Confidence) -> None:
    obs = scan(script)
    assert clis(obs) == [expected]
    assert [o.confidence for o in obs if isinstance(o, CliCall)] == [confidence]


@pytest.mark.parametrize(
    "script",
    [
        pytest.param("# runai submit job", id="comment"),
        pytest.param("echo 'runai submit job'", id="echo_string"),
        pytest.param('printf "%s\\n" "use runai training submit"', id="printf_string"),
        pytest.param("which runai && command -v runai && type runai", id="lookups"),
        pytest.param("cat <<EOF >job.sh\nrunai submit job\nEOF", id="heredoc_data"),
        pytest.param("pip install runai runapy", id="argument"),
        pytest.param("runai-audit scan --fail-on error .", id="this_tool"),
        pytest.param("grep -r runai . | wc -l", id="grep"),
        pytest.param("RUNAI_PROJECT=vision", id="assignment"),
        pytest.param("case $x in runai) echo hit ;; esac", id="case_pattern"),
    ],
)
def test_not_a_cli_call(script: str) -> None:
    assert clis(scan(script)) == []


def test_container_command_after_runai_is_not_scanned_as_a_request() -> None:
    obs = scan("runai submit j -i img -- bash -c 'curl https://acme.run.ai/api/v1/inner'")
    assert calls(obs) == []
    assert clis(obs)[0][0][:3] == ("runai", "submit", "j")


# --------------------------------------------------------------------------- secrets


def test_no_secret_reaches_an_observation() -> None:
    script = """
curl -u admin:pw-sekrit-1 -H "Authorization: Bearer tok-sekrit-2" -H 'X-Team-Key: sekrit-3' \\
  --cookie "session=sekrit-4" "https://acme.run.ai/api/v1/users?token=sekrit-5&limit=2" \\
  -d '{"password": "sekrit-6", "name": "ok"}'
runai login application --secret sekrit-7 -e API_KEY=sekrit-8
http POST https://acme.run.ai/api/v1/token clientSecret=sekrit-9 X-Api-Key:sekrit-10
"""
    obs = scan(script)
    assert len(obs) == 3
    dumped = repr(obs)
    for n in range(1, 11):
        assert f"sekrit-{n}" not in dumped, n
    user_call = api_calls(obs)[0]
    assert [q.name for q in user_call.query] == ["token", "limit"]
    assert [(b.path, b.value) for b in user_call.body] == [("password", None), ("name", "ok")]
    assert "X-Team-Key: ***" in user_call.evidence


# --------------------------------------------------------------------------- robustness and scale


@pytest.mark.parametrize(
    "script",
    [
        "curl \"https://acme.run.ai/api/v1/x",  # unterminated quote
        "echo $(",
        "$(" * 300 + "runai list",
        "curl -d '" + "{" * 500 + "' https://acme.run.ai/api/v1/x",
        "f() {\n  f\n}\nf",
        "alias a='b'\nalias b='a'\na",
        "cat <<EOF",
        "\x00\x01 runai \\",
    ],
)
def test_malformed_input_never_raises(script: str) -> None:
    scan_shell(script, "bad.sh")


def test_random_input_never_raises() -> None:
    rng = random.Random(1234)
    alphabet = "curl runai -X POST -d '\"{}[]$()`\\|;&<>#\n=:/.?"
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 120)))
        scan_shell(text, "fuzz.sh")


def _big_script(lines: int) -> str:
    block = [
        'curl -sf -X POST "$RUNAI_URL/api/v1/workloads/trainings" \\',
        '  -H "Authorization: Bearer $TOKEN" \\',
        """  -d '{"name": "n", "spec": {"compute": {"gpuDevicesRequest": 1}}}' | jq -r .id""",
        "runai submit job -i img --gpu 1 -- python train.py",
        "for j in $(runai list jobs -q); do runai delete job \"$j\"; done",
        "cat <<EOF > /tmp/x.yaml",
        "kind: TrainingWorkload",
        "EOF",
        "# a comment mentioning runai submit",
        "",
    ]
    return "\n".join((block * (lines // len(block) + 1))[:lines])


def test_five_thousand_lines_scan_quickly() -> None:
    text = _big_script(5000)
    started = time.perf_counter()
    obs = scan(text, "big.sh")
    elapsed = time.perf_counter() - started
    assert len(api_calls(obs)) == 500
    assert len([o for o in obs if isinstance(o, CliCall)]) == 1500
    assert elapsed < 5.0  # about 0.3 s here; the bound catches quadratic regressions, not jitter
