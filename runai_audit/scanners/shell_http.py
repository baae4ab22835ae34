"""Read curl, wget and HTTPie command lines into HTTP requests: method, URL words, body fields.

Each parser knows which of its tool's options take a value, so a value is never mistaken for the
URL, and it renders evidence on the way with every header value, credential, cookie and body
replaced by `***` (header names are kept; they say what was sent without saying the secret).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from runai_audit.scanners.shell_json import json_fields, looks_like_json
from runai_audit.scanners.shell_words import SENTINEL, VarRef, Word, slice_word

MASK = "***"
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})

_CURL_SHORT_WITH_VALUE = frozenset("AbcCdDeEFHKmoPQrtTuUwxXyYz")
_CURL_LONG_WITH_VALUE = frozenset(
    ["abstract-unix-socket", "aws-sigv4", "cacert", "capath", "cert", "cert-type", "ciphers", "config", "connect-timeout", "connect-to", "continue-at", "cookie", "cookie-jar", "create-file-mode", "data", "data-ascii", "data-binary", "data-raw", "data-urlencode", "doh-url", "dump-header", "expand-url", "expect100-timeout", "form", "form-string", "ftp-port", "header", "hostpubmd5", "interface", "json", "keepalive-time", "key", "key-type", "limit-rate", "local-port", "login-options", "max-filesize", "max-redirs", "max-time", "netrc-file", "noproxy", "oauth2-bearer", "output", "output-dir", "pass", "preproxy", "proxy", "proxy-cacert", "proxy-header", "proxy-user", "quote", "random-file", "range", "referer", "request", "request-target", "resolve", "retry", "retry-delay", "retry-max-time", "sasl-authzid", "service-name", "socks4", "socks5", "socks5-hostname", "speed-limit", "speed-time", "stderr", "telnet-option", "time-cond", "tls-max", "trace", "trace-ascii", "unix-socket", "upload-file", "url", "user", "user-agent", "variable", "write-out"]
)
_CURL_DATA = {"-d": "auto", "--data": "auto", "--data-ascii": "auto", "--data-binary": "auto",
              "--data-raw": "raw", "--json": "json", "--data-urlencode": "urlencode"}
_CURL_SECRET = frozenset({"-u", "--user", "-U", "--proxy-user", "-b", "--cookie", "--oauth2-bearer",
                          "--pass", "-E", "--cert", "--key", "--aws-sigv4"})

_WGET_SHORT_WITH_VALUE = frozenset("oaOPtTUeiBwQlARDIX")
_WGET_LONG_WITH_VALUE = frozenset(
    ["header", "method", "body-data", "body-file", "post-data", "post-file", "user", "password", "http-user", "http-password", "proxy-user", "proxy-password", "output-document", "output-file", "append-output", "user-agent", "referer", "tries", "timeout", "wait", "directory-prefix", "input-file", "load-cookies", "save-cookies", "ca-certificate", "certificate", "private-key", "bind-address", "limit-rate", "execute", "quota", "level", "accept", "reject", "domains", "connect-timeout", "read-timeout", "dns-timeout"]
)
_WGET_SECRET = frozenset({"--user", "--password", "--http-user", "--http-password", "--proxy-user",
                          "--proxy-password", "--load-cookies", "--private-key"})

_HTTPIE_WITH_VALUE = frozenset(
    ["-a", "--auth", "-A", "--auth-type", "-p", "--print", "-P", "--history-print", "-o", "--output", "--session", "--session-read-only", "--timeout", "--max-redirects", "--verify", "--cert", "--cert-key", "--cert-key-pass", "--ssl", "--ciphers", "--proxy", "--pretty", "-s", "--style", "--format-options", "--default-scheme", "--boundary", "--raw", "--response-charset", "--response-mime", "--max-headers"]
)
_HTTPIE_SEPARATORS = (":=@", "==", ":=", "=@", "=", "@", ":")
_QUERY_VALUE = re.compile(r"([?&][^=&\s'\"#]+=)([^&\s'\"#]*)")


@dataclass
class NamedField:
    """A body field or query parameter known by name (form field, HTTPie item, -G data)."""

    path: str
    value: str | None
    offset: int  # file offset of the name
    as_query: bool = False


@dataclass
class HttpRequest:
    tool: str
    method: str
    urls: list[Word] = field(default_factory=list)
    fields: list[NamedField] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


def flat(raw: str) -> str:
    """A word as written, on one line: continuations removed, runs of blanks made one space."""
    return " ".join(raw.replace("\\\r\n", "").replace("\\\n", "").split())


def url_evidence(word: Word) -> str:
    """The URL as written, query values masked; after a substitution, rebuilt from its value."""
    if word.hints:
        names = iter(word.vars)
        shown = re.sub(SENTINEL, lambda _: "$" + _var_name(next(names, None)), word.text)
    else:
        shown = flat(word.raw)
    return _QUERY_VALUE.sub(rf"\1{MASK}", shown)


def _var_name(var: VarRef | None) -> str:
    if var is None:
        return "?"
    return f"({var.name})" if var.kind == "subst" else var.name


def _header_evidence(word: Word | None) -> str:
    if word is None:
        return ""
    name = word.text.split(":", 1)[0].replace(SENTINEL, "$")
    return f"'{name}: {MASK}'" if ":" in word.text else f"'{MASK}'"


def fields_of_body(word: Word, kind: str, as_query: bool = False, prefix: str = "") -> list[NamedField]:
    """Body fields of a data word: JSON key paths, or the names of a form body `a=1&b=2`."""
    text = word.text
    if kind == "json" or (kind in ("auto", "raw") and looks_like_json(text)):
        out = []
        for f in json_fields(text):
            path = f"{prefix}.{f.path}" if prefix else f.path
            out.append(NamedField(path, f.value, word.offs[f.offset] if f.offset < len(word.offs) else word.start, as_query))
        return out
    out = []
    index = 0
    for part in text.split("&"):
        name, eq, value = part.partition("=")
        stripped = name.strip()
        if eq and stripped and SENTINEL not in stripped and re.fullmatch(r"[\w.\-\[\]]+", stripped):
            at = index + (len(name) - len(name.lstrip()))
            short = value if value and SENTINEL not in value and len(value) <= 64 else None
            out.append(NamedField(stripped, short, word.offs[at], as_query))
        index += len(part) + 1
    return out


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
                req.evidence.append(f"{name} {_header_evidence(value)}")
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


def parse_wget(args: list[Word]) -> HttpRequest:
    req = HttpRequest("wget", "GET", evidence=["wget"])
    explicit: str | None = None
    post = False
    i = 0
    while i < len(args):
        word = args[i]
        text = word.text
        i += 1
        if not text.startswith("-") or text == "-":
            req.urls.append(word)
            req.evidence.append(url_evidence(word))
            continue
        value: Word | None = None
        name = text
        if text.startswith("--"):
            if "=" in text:
                name = text[:text.index("=")]
                value = slice_word(word, text.index("=") + 1)
            elif text[2:] in _WGET_LONG_WITH_VALUE and i < len(args):
                value = args[i]
                i += 1
        elif not text.startswith("-n"):
            for j in range(1, len(text)):  # a cluster: -qO- is -q -O -
                if text[j] in _WGET_SHORT_WITH_VALUE:
                    name = "-" + text[j]
                    if j + 1 < len(text):
                        value = slice_word(word, j + 1)
                    elif i < len(args):
                        value = args[i]
                        i += 1
                    break
        if name == "--method" and value is not None:
            explicit = value.text.upper() if value.literal else "*"
            req.evidence.append(f"--method={flat(value.raw) if value.literal is None else value.text}")
        elif name in ("--post-data", "--body-data") and value is not None:
            post = post or name == "--post-data"
            req.fields.extend(fields_of_body(value, "auto"))
            req.evidence.append(f"{name}='{MASK}'")
        elif name in ("--post-file", "--body-file"):
            post = post or name == "--post-file"
            req.evidence.append(f"{name}={MASK}")
        elif name == "--header":
            req.evidence.append(f"--header={_header_evidence(value)}")
        elif value is not None and name in _WGET_SECRET:
            req.evidence.append(f"{name}={MASK}")
        elif value is None or (value.start >= word.start and value.end <= word.end):
            req.evidence.append(flat(word.raw))  # the value, if any, is inside the word
        else:
            req.evidence.append(f"{flat(word.raw)} {flat(value.raw)}")
    req.method = explicit or ("POST" if post else "GET")
    return req


def _bracket_path(name: str) -> str:
    """HTTPie nested names: `spec[compute][gpu]` -> `spec.compute.gpu`, `items[0][name]` -> `items[].name`."""
    head, _, rest = name.partition("[")
    if not rest:
        return name
    path = head
    for key in re.findall(r"\[([^\]]*)\]", "[" + rest):
        if key == "" or key.isdigit():
            path += "[]"
        else:
            path = f"{path}.{key}" if path else key
    return path


def _httpie_item(word: Word) -> tuple[str, int, str] | None:
    """(name, separator index, separator) of an HTTPie request item, or None."""
    text = word.text
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        for sep in _HTTPIE_SEPARATORS:
            if text.startswith(sep, i):
                return (text[:i], i, sep) if i > 0 else None
        i += 1
    return None


def parse_httpie(tool: str, args: list[Word]) -> HttpRequest:
    req = HttpRequest(tool, "GET", evidence=[tool])
    explicit: str | None = None
    raw_body = False
    positional: list[Word] = []
    i = 0
    while i < len(args):
        word = args[i]
        text = word.text
        i += 1
        if text.startswith("-") and len(text) > 1 and not positional:
            name = text.split("=", 1)[0]
            if name in _HTTPIE_WITH_VALUE and "=" not in text and i < len(args):
                i += 1
            raw_body = raw_body or name == "--raw"
            req.evidence.append(name if name in ("-f", "--form", "--multipart", "-j", "--json", "-v") else f"{name} {MASK}")
            continue
        positional.append(word)
    if positional and positional[0].literal and positional[0].text.upper() in HTTP_METHODS:
        explicit = positional[0].text.upper()
        req.evidence.append(explicit)
        positional = positional[1:]
    if not positional:
        return req
    url = positional[0]
    if url.literal is not None and url.text.startswith(":"):  # HTTPie's localhost shorthand
        url = Word("localhost" + url.text, [url.offs[0]] * 9 + url.offs, url.vars, url.start, url.end,
                   url.quoted, url.raw, url.hints)
    req.urls.append(url)
    req.evidence.append(url_evidence(positional[0]))
    has_body = raw_body
    for item in positional[1:]:
        parsed = _httpie_item(item)
        if parsed is None:
            continue
        name, cut, sep = parsed
        if SENTINEL in name:
            continue
        at = item.offs[0]
        if sep == "==":
            req.fields.append(NamedField(name, None, at, as_query=True))
            req.evidence.append(f"{name}=={MASK}")
        elif sep == ":":
            req.evidence.append(f"{name}:{MASK}")
        else:
            has_body = True
            path = _bracket_path(name)
            value = item.text[cut + len(sep):]
            short = value if sep == "=" and SENTINEL not in value and len(value) <= 64 else None
            if sep == ":=":
                sub = slice_word(item, cut + 2)
                nested = fields_of_body(sub, "json", prefix=path) if looks_like_json(value) else []
                short = value if not nested and SENTINEL not in value and len(value) <= 64 else None
                req.fields.append(NamedField(path, short, at))
                req.fields.extend(nested)
            else:
                req.fields.append(NamedField(path, short, at))
            req.evidence.append(f"{name}{sep}{MASK}")
    req.method = explicit or ("POST" if has_body else "GET")
    return req
