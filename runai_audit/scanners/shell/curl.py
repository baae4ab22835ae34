"""curl command lines: method, URLs, JSON / form / query fields from -d, --json, -F, -G."""

from __future__ import annotations

from runai_audit.scanners.shell.http import (
    MASK,
    HttpRequest,
    NamedField,
    fields_of_body,
    flat,
    header_evidence,
    url_evidence,
)
from runai_audit.scanners.shell.words import SENTINEL, Word, slice_word

_CURL_SHORT_WITH_VALUE = frozenset("AbcCdDeEFHKmoPQrtTuUwxXyYz")
_CURL_LONG_WITH_VALUE = frozenset({
    "abstract-unix-socket", "aws-sigv4", "cacert", "capath", "cert", "cert-type", "ciphers",
    "config", "connect-timeout", "connect-to", "continue-at", "cookie", "cookie-jar",
    "create-file-mode", "data", "data-ascii", "data-binary", "data-raw", "data-urlencode",
    "doh-url", "dump-header", "expand-url", "expect100-timeout", "form", "form-string", "ftp-port",
    "header", "hostpubmd5", "interface", "json", "keepalive-time", "key", "key-type", "limit-rate",
    "local-port", "login-options", "max-filesize", "max-redirs", "max-time", "netrc-file",
    "noproxy", "oauth2-bearer", "output", "output-dir", "pass", "preproxy", "proxy", "proxy-cacert",
    "proxy-header", "proxy-user", "quote", "random-file", "range", "referer", "request",
    "request-target", "resolve", "retry", "retry-delay", "retry-max-time", "sasl-authzid",
    "service-name", "socks4", "socks5", "socks5-hostname", "speed-limit", "speed-time", "stderr",
    "telnet-option", "time-cond", "tls-max", "trace", "trace-ascii", "unix-socket", "upload-file",
    "url", "user", "user-agent", "variable", "write-out",
})
_CURL_DATA = {"-d": "auto", "--data": "auto", "--data-ascii": "auto", "--data-binary": "auto",
              "--data-raw": "raw", "--json": "json", "--data-urlencode": "urlencode"}
_CURL_SECRET = frozenset({"-u", "--user", "-U", "--proxy-user", "-b", "--cookie", "--oauth2-bearer",
                          "--pass", "-E", "--cert", "--key", "--aws-sigv4"})


def _urlencode_fields(word: Word, as_query: bool) -> list[NamedField]:
    """--data-urlencode `name=value` / `name@file`: the name only; `=value` and `value` have none."""
    text = word.text
    cut = min((i for i in (text.find("="), text.find("@")) if i >= 0), default=-1)
    if cut <= 0 or SENTINEL in text[:cut]:
        return []
    return [NamedField(text[:cut], None, word.offs[0], as_query)]


def parse_curl(args: list[Word], stdin: Word | None) -> HttpRequest:
    req = HttpRequest("curl", "GET", evidence=["curl"])
    explicit: str | None = None
    get = head = upload = has_data = False
    data: list[tuple[Word, str]] = []
    positional_only = False
    i = 0
    while i < len(args):
        word = args[i]
        text = word.text
        i += 1
        if positional_only or not text.startswith("-") or text == "-":
            req.urls.append(word)
            req.evidence.append(url_evidence(word))
            continue
        if text == "--":
            positional_only = True
            continue
        options: list[tuple[str, Word | None]] = []
        if text.startswith("--"):
            value = None
            if text[2:] in _CURL_LONG_WITH_VALUE and i < len(args):
                value = args[i]
                i += 1
            options.append((text, value))
        else:
            for j in range(1, len(text)):
                letter = text[j]
                if letter in _CURL_SHORT_WITH_VALUE:
                    if j + 1 < len(text):
                        options.append(("-" + letter, slice_word(word, j + 1)))
                    elif i < len(args):
                        options.append(("-" + letter, args[i]))
                        i += 1
                    else:
                        options.append(("-" + letter, None))
                    break
                options.append(("-" + letter, None))
        for name, value in options:
            if name in ("-X", "--request") and value is not None:
                explicit = value.text.upper() if value.literal else "*"
                req.evidence.append(f"{name} {flat(value.raw)}")
                continue
            if name in ("-H", "--header", "--proxy-header"):
                req.evidence.append(f"{name} {header_evidence(value)}")
                continue
            if value is not None and (name in _CURL_DATA or name in ("-F", "--form", "--form-string")):
                has_data = True
                req.evidence.append(f"{name} '{MASK}'")
                if name in ("-F", "--form", "--form-string"):
                    cut = value.text.find("=")
                    if cut > 0 and SENTINEL not in value.text[:cut]:
                        req.fields.append(NamedField(value.text[:cut], None, value.offs[0]))
                elif name == "--data-urlencode":
                    data.append((value, "urlencode"))
                elif value.text.startswith("@") and name != "--data-raw":
                    if value.text == "@-" and stdin is not None:
                        data.append((stdin, _CURL_DATA[name]))
                else:
                    data.append((value, _CURL_DATA[name]))
                continue
            if name in ("--url",) and value is not None:
                req.urls.append(value)
                req.evidence.append(f"--url {url_evidence(value)}")
                continue
            get = get or name in ("-G", "--get")
            head = head or name in ("-I", "--head")
            upload = upload or name in ("-T", "--upload-file")
            if value is None:
                req.evidence.append(name)
            elif name in _CURL_SECRET:
                req.evidence.append(f"{name} {MASK}")
            else:
                req.evidence.append(f"{name} {flat(value.raw)}")
    for word, kind in data:
        if kind == "urlencode":
            req.fields.extend(_urlencode_fields(word, as_query=get))
        else:
            req.fields.extend(fields_of_body(word, "form" if get else kind, as_query=get))
    if explicit:
        req.method = explicit
    elif head:
        req.method = "HEAD"
    elif get:
        req.method = "GET"
    elif upload:
        req.method = "PUT"
    elif has_data:
        req.method = "POST"
    return req
