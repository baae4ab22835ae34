"""The runai CLI in a command line: which words name the binary, which commands only wrap
another command (sudo, env, ssh, timeout, ...), and how a runai command line is recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from runai_audit.models import Confidence
from runai_audit.scanners.redact import MASK, is_secret_name, mask_secrets
from runai_audit.scanners.shell.http import flat
from runai_audit.scanners.shell.words import SENTINEL, Word

# runai, runai-adm, runai.exe, runai-2.13.49, runai_v2, /usr/local/bin/runai
_RUNAI_BINARY = re.compile(r"runai(?:-adm)?(?:[-_]?v?\d[\w.\-]*)?(?:\.exe)?", re.IGNORECASE)
# Site builds and wrappers named after the CLI (runai-rcp-prod); not this tool itself.
_RUNAI_LIKE = re.compile(r"runai-[a-z][a-z0-9-]*", re.IGNORECASE)
_NOT_THE_CLI = frozenset({"runai-audit"})
# Variables that by their name hold the CLI: RUNAI, RUNAI_BIN, runai_cli, RUNAI_CMD
_RUNAI_VAR = re.compile(r"runai(?:[-_]?(?:bin|binary|cli|cmd|command|exe|path|cli_path|bin_path))?", re.IGNORECASE)

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh"})
EVIDENCE_LIMIT = 240
_LONG_RUN = re.compile(r"[A-Za-z0-9+/=_.-]{64,}")

# wrapper -> (options that take a value, whether `NAME=value` words may follow, leading value count)
_WRAPPERS: dict[str, tuple[frozenset[str], bool, int]] = {
    "sudo": (frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T", "-R"}), True, 0),
    "env": (frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}), True, 0),
    "nohup": (frozenset(), False, 0),
    "exec": (frozenset({"-a"}), False, 0),
    "command": (frozenset(), False, 0),
    "builtin": (frozenset(), False, 0),
    "time": (frozenset({"-f", "-o"}), False, 0),
    "nice": (frozenset({"-n", "--adjustment"}), False, 0),
    "ionice": (frozenset({"-c", "-n", "-p"}), False, 0),
    "timeout": (frozenset({"-s", "-k", "--signal", "--kill-after"}), False, 1),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), False, 0),
    "xargs": (frozenset({"-I", "-n", "-P", "-L", "-d", "-a", "-E", "-s", "-i"}), False, 0),
    "watch": (frozenset({"-n", "-d", "--interval"}), False, 0),
    "unbuffer": (frozenset(), False, 0),
    "chronic": (frozenset(), False, 0),
}
_SSH_WITH_VALUE = frozenset("BbcDEeFIiJLlmOoPpQRSWw")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def basename(text: str) -> str:
    return re.split(r"[/\\]", text)[-1]


def runai_binary(text: str) -> Confidence | None:
    """HIGH for the runai / runai-adm binaries (any path, any version), MEDIUM for site wrappers
    named after them, None otherwise."""
    name = basename(text)
    if _RUNAI_BINARY.fullmatch(name):
        return Confidence.HIGH
    if _RUNAI_LIKE.fullmatch(name) and name.lower() not in _NOT_THE_CLI:
        return Confidence.MEDIUM
    return None


def cli_binary(text: str) -> str:
    """The CLI a binary word (or a variable named after it) runs: "runai-adm" or "runai"."""
    return "runai-adm" if basename(text).lower().startswith("runai-adm") else "runai"


def runai_variable(name: str) -> bool:
    return bool(_RUNAI_VAR.fullmatch(name))


def is_assignment(word: Word) -> bool:
    """`NAME=value` written unquoted up to the `=`."""
    m = _ASSIGNMENT.match(word.raw)
    return m is not None and word.text.startswith(m.group())


def unwrap(name: str, words: list[Word]) -> list[Word] | None:
    """The command a wrapper runs (`sudo -u x runai ...` -> `runai ...`); None if it runs none."""
    takes_value, assignments, leading = _WRAPPERS[name]
    if name == "command" and any(w.text in ("-v", "-V") for w in words[1:2]):
        return None  # `command -v runai` looks the binary up, it does not run it
    i = 1
    while i < len(words):
        text = words[i].text
        if text == "--":
            i += 1
            break
        if text.startswith("-") and len(text) > 1:
            i += 2 if text.split("=", 1)[0] in takes_value and "=" not in text else 1
            continue
        if assignments and is_assignment(words[i]):
            i += 1
            continue
        break
    i += leading
    return words[i:] if i < len(words) else None


def is_wrapper(name: str) -> bool:
    return name in _WRAPPERS


def ssh_remote(words: list[Word]) -> list[Word]:
    """The remote command words of `ssh [options] host command...` (empty when there is none)."""
    i = 1
    while i < len(words):
        text = words[i].text
        if text == "--":
            i += 1
            break
        if text.startswith("-") and len(text) > 1:
            i += 2 if text[-1] in _SSH_WITH_VALUE and len(text) == 2 else 1
            continue
        break
    return words[i + 1:]  # words[i] is the host


def script_argument(words: list[Word]) -> Word | None:
    """The script of `bash -c '...'` / `su user -c '...'`, if any."""
    for i, word in enumerate(words[1:], start=1):
        if word.text == "-c" or (word.text.startswith("-") and not word.text.startswith("--") and word.text.endswith("c")):
            return words[i + 1] if i + 1 < len(words) else None
    return None


def argv_token(word: Word) -> str:
    """A word for CliCall.argv: unresolved parts as `{*}`."""
    return re.sub("\x00+", "{*}", word.text)


def _secret_flag(text: str) -> bool:
    return text.startswith("-") and is_secret_name(text.lstrip("-").split("=", 1)[0])


def masked_argv(words: list[Word], argv0: str, render: Callable[[Word], str] = argv_token) -> tuple[str, ...]:
    """argv with the values of secret-looking flags and of `-e NAME=value` replaced by ***.
    `render` turns a word into text: `argv_token` for argv, `written` for evidence."""
    out = [argv0]
    hide_next = False
    for word in words[1:]:
        token = render(word)
        if hide_next:
            name, eq, _ = token.partition("=")
            out.append(f"{name}={MASK}" if eq and not is_secret_name(name) else MASK)
            hide_next = False
            continue
        if token in ("-e", "--environment", "--env", "--env-var") or _secret_flag(token):
            if "=" in token:
                out.append(token.split("=", 1)[0] + "=" + MASK)
            else:
                out.append(token)
                hide_next = True
            continue
        out.append(token)
    return tuple(out)


def written(word: Word) -> str:
    """The word as written, without its outer quotes: `"$RUNAI_BIN"` -> `$RUNAI_BIN`."""
    raw = flat(word.raw)
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        raw = raw[1:-1]
    return raw


def cli_evidence(words: list[Word], argv0: str) -> str:
    return evidence(" ".join(masked_argv(words, argv0, written)))


def evidence(text: str) -> str:
    """Evidence text: blobs and secrets masked, one line, at most EVIDENCE_LIMIT characters.

    A run of 64 or more word characters is never useful evidence (a key, a base64 blob, a
    minified identifier soup) and is masked first, which also keeps masking fast.
    """
    text = _LONG_RUN.sub(MASK, " ".join(text.replace(SENTINEL, "$").split()))
    text = mask_secrets(text)
    return text if len(text) <= EVIDENCE_LIMIT else text[:EVIDENCE_LIMIT - 1] + "…"
