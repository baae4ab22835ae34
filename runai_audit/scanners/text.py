"""The generic scanner: Run:ai API paths in string literals of any other language.

JavaScript/TypeScript, Go, Java and friends are read lexically: string literals (comments are
skipped) whose URL path starts with a Run:ai API prefix become ApiCalls. Template placeholders
(`${x}`, `{{ x }}`, `%s`, `{x}`) are unknown parts; a literal joined to an expression with `+`
gets an unknown base or tail. The method comes from a nearby call (`fetch(..., {method: "POST"})`,
`axios.post(`, `http.NewRequest("POST", ...)`) on the same or the next two lines, else `*`.
Files of other kinds (templates, config) are searched as plain text for the same paths.

Without a literal host, nothing says the URL is Run:ai's: such calls have LOW confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from runai_audit.models import ApiCall, Confidence, Location, QueryParam
from runai_audit.scanners.base import ScanResult
from runai_audit.scanners.shell.cli import evidence
from runai_audit.scanners.shell.positions import LineIndex
from runai_audit.scanners.shell.url import names_runai, shape_url
from runai_audit.scanners.shell.words import SENTINEL

__all__ = ["scan_text_literals"]

C_LIKE = frozenset(
    ["js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts", "go", "java", "kt", "kts", "scala", "groovy", "gradle", "cs", "c", "cc", "cpp", "h", "hpp", "rs", "swift", "php", "dart", "vue", "svelte"]
)
_PREFIX = re.compile(
    r"/api/v[12]/|/v1/k8s/|/apis/run\.ai/|/auth/realms/[^/\s\"'`]+/protocol/openid-connect/token|/api/datasources/proxy/"
)
_C_TOKENS = re.compile(r"//[^\n]*|/\*.*?(?:\*/|\Z)|\"(?:\\.|[^\"\\\n])*\"?|'(?:\\.|[^'\\\n])*'?|`(?:\\.|[^`\\])*`?", re.S)
_PROTECT = re.compile(r"\$\{[^}\n]*\}|\{\{.*?\}\}|\{[^{}/\s]*\}|<[A-Za-z][\w.\-]*>|%[sdvq]")
_STOP = frozenset(" \t\r\n\"'`(),;|\\<>[]")
_SCHEME_PRE = re.compile(r"[A-Za-z][\w+.-]*://[^\s]*")
_BASE_PRE = re.compile(r"[\x01\x00]+(?::(?:\d+|[\x01]+))?")
_HOST_PRE = re.compile(r"(?:localhost|[\w-]+(?:\.[\w-]+)+)(?::\d+)?")
_JOIN_BEFORE = re.compile(r"([\w\])]+)\s*\+\s*$")
_JOIN_AFTER = re.compile(r"\s*\+\s*([\w.\[\]()]+)(\s*\+\s*([\"'`]))?")
_METHOD_WORDS = "GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS"
_METHOD_HINTS = (
    re.compile(rf"\bmethod['\"]?\s*[:=]\s*['\"`]({_METHOD_WORDS})['\"`]", re.I),
    re.compile(rf"NewRequest(?:WithContext)?\s*\(\s*(?:\w+\s*,\s*)?(?:\"({_METHOD_WORDS})\"|http\.Method(\w+))", re.I),
    re.compile(r"\bhttp\.Method(Get|Post|Put|Patch|Delete|Head|Options)\b"),
    re.compile(r"\bhttp\.(Get|Post|Head|PostForm)\s*\("),
    re.compile(rf"\b(?:HttpMethod|RequestMethod|Method)\.({_METHOD_WORDS})\b", re.I),
    re.compile(rf"(?:setRequestMethod|\.method)\s*\(\s*\"({_METHOD_WORDS})\"", re.I),
    re.compile(r"\.(get|post|put|patch|delete|head)\s*(?:<[^>()]*>)?\s*\(", re.I),
    re.compile(r"\.(GET|POST|PUT|DELETE)\s*\("),
)
_FETCH = re.compile(r"\bfetch\s*\([^;()\n]*$")
_LITERAL_ON_LINE = re.compile(r"\"[^\"\n]*\"|'[^'\n]*'|`[^`\n]*`")
_QUERY_VALUE = re.compile(r"([?&][^=&\s'\"`#]+=)([^&\s'\"`#]*)")
_REACH = 300  # characters around a literal searched for its method and shown as evidence


@dataclass
class _Candidate:
    url: str  # the URL text, unknown joins as SENTINEL
    names: list[str]  # expressions joined in
    start: int  # text offset of the URL's first character
    end: int  # text offset just past the literal that holds it


def _language(path: str) -> str:
    return path.rsplit(".", 1)[-1].lower() if "." in path.rsplit("/", 1)[-1] else ""


def _protected(content: str) -> str:
    """`content` with placeholder spans filled with \\x01, so spaces inside `{{ x }}` do not split."""
    return _PROTECT.sub(lambda m: "\x01" * len(m.group()), content)


def _pre_ok(pre: str) -> bool:
    return not pre or bool(_SCHEME_PRE.fullmatch(pre) or _BASE_PRE.fullmatch(pre) or _HOST_PRE.fullmatch(pre))


def _candidates(text: str, lo: int, hi: int, joins: bool) -> list[_Candidate]:
    """URL tokens in text[lo:hi] (a literal's content, or a whole file) starting at an API prefix."""
    content = text[lo:hi]
    flat = _protected(content)
    out: list[_Candidate] = []
    taken_until = -1
    for m in _PREFIX.finditer(flat):
        if m.start() < taken_until:
            continue
        j = m.start()
        while j > 0 and flat[j - 1] not in _STOP:
            j -= 1
        e = m.start()
        while e < len(flat) and flat[e] not in _STOP:
            e += 1
        taken_until = e
        if not _pre_ok(flat[j:m.start()]):
            continue
        url, names = content[j:e], []
        if joins and j == 0:
            before = _JOIN_BEFORE.search(text, max(0, lo - 81), lo - 1)
            if before and before.end() == lo - 1 and not url.startswith(("http://", "https://")):
                url, names = SENTINEL + url, [before.group(1)]
        end = hi + 1
        if joins and e == len(flat):
            url, names, end = _join_tail(text, hi + 1, url, names)
        out.append(_Candidate(url, names, lo + j, end))
    return out


def _join_tail(text: str, after: int, url: str, names: list[str]) -> tuple[str, list[str], int]:
    """`"/api/v1/clusters/" + id + "/projects"`: the expression and one more literal join the URL."""
    m = _JOIN_AFTER.match(text, after)
    if not m or "\n" in m.group(0):
        return url, names, after
    url, names = url + SENTINEL, [*names, m.group(1)]
    if not m.group(2):
        return url, names, m.end(1)
    quote, start = m.group(3), m.end()
    close = text.find(quote, start)
    if close < 0 or "\n" in text[start:close]:
        return url, names, m.end(1)
    tail = _protected(text[start:close])
    n = 0
    while n < len(tail) and tail[n] not in _STOP:
        n += 1
    return url + text[start:start + n], names, close + 1


def _nearest(text: str, lo: int, hi: int, start: int, patterns: tuple[re.Pattern[str], ...]) -> str | None:
    best: tuple[int, str] | None = None
    for pattern in patterns:
        for m in pattern.finditer(text, lo, hi):
            word = next(g for g in m.groups() if g)
            word = "POST" if word.lower() == "postform" else word.upper()
            distance = abs(m.start() - start)
            if best is None or distance < best[0]:
                best = (distance, word)
    return None if best is None else best[1]


def _method(text: str, index: LineIndex, start: int, end: int) -> str:
    """The HTTP method a nearby call names: a hint on the literal's own line first (the closest
    one), then fetch's default, then a hint on the next two lines."""
    line, _ = index.position(start)
    lo = max(index.offset(line, 1) or 0, start - _REACH)  # minified code: one line, megabytes long
    eol = index.offset(line + 1, 1)
    eol = min(len(text) if eol is None else eol, end + _REACH)
    hi = index.offset(line + 3, 1)
    hi = min(len(text) if hi is None else hi, end + 4 * _REACH)
    same_line = _nearest(text, lo, eol, start, _METHOD_HINTS)
    if same_line:
        return same_line
    if _FETCH.search(text, lo, start):
        rest = text[end:end + 40]
        if re.match(r"\s*\)", rest):
            return "GET"  # fetch without options
        if re.match(r"\s*,\s*\{", rest):
            return _nearest(text, lo, hi, start, _METHOD_HINTS[:1]) or "GET"
    return _nearest(text, eol, hi, start, _METHOD_HINTS) or "*"


def _evidence(text: str, index: LineIndex, start: int, end: int) -> str:
    line, _ = index.position(start)
    line_start = index.offset(line, 1) or 0
    nl = text.find("\n", start)
    line_end = len(text) if nl < 0 else nl
    # A long (minified) line is cut: from the literal's quote, to a boundary where no string or
    # word is left half shown.
    lo = line_start if start - line_start <= _REACH else max(line_start, start - 1)
    raw = text[lo:line_end] if line_end - end <= _REACH else _cut_tail(text[lo:end + _REACH])
    keep_from, keep_to = start - lo - 1, end - lo

    def hide(m: re.Match[str]) -> str:
        part_of_url = m.start() < keep_to and m.end() > keep_from
        if part_of_url or m.group()[1:-1].strip().upper() in _METHOD_WORDS.split("|"):
            return m.group()
        return m.group()[0] + "***" + m.group()[-1]

    shown = _QUERY_VALUE.sub(r"\1***", _LITERAL_ON_LINE.sub(hide, raw))
    return evidence(shown)


def _cut_tail(raw: str) -> str:
    """Drop a trailing partial word, then anything from a quote left open."""
    raw = re.sub(r"[\w+/=.%-]+$", "", raw)
    for quote in "\"'`":
        if raw.count(quote) % 2:
            raw = raw[:raw.rindex(quote)]
    return raw


def scan_text_literals(text: str, path: str, *, line_offset: int = 0, col_offset: int = 0,
                       language: str | None = None) -> ScanResult:
    """ApiCalls for Run:ai API paths in `text`. `language` (a file extension: "ts", "go") picks
    the lexer when the path does not tell, as for a fenced block in Markdown."""
    lang = (language or _language(path)).lower()
    index = LineIndex(text)
    candidates: list[_Candidate] = []
    if lang in C_LIKE:
        for m in _C_TOKENS.finditer(text):
            token = m.group()
            if token[0] in "\"'`" and _PREFIX.search(token):
                closed = len(token) > 1 and token[-1] == token[0]
                candidates.extend(_candidates(text, m.start() + 1, m.end() - (1 if closed else 0), joins=True))
    else:
        candidates = _candidates(text, 0, len(text), joins=False)
    result = ScanResult()
    for cand in candidates:
        shape = shape_url(cand.url, cand.names)
        if shape is None:
            continue
        if shape.host_literal:
            confidence = Confidence.MEDIUM if shape.wildcard else Confidence.HIGH
        else:
            confidence = Confidence.LOW
        query = tuple(
            QueryParam(name, _loc(path, index, cand.start + i - _lead(cand.url), line_offset, col_offset))
            for name, i in shape.query
        )
        result.observations.append(ApiCall(
            _method(text, index, cand.start, cand.end), shape.url,
            _loc(path, index, cand.start, line_offset, col_offset), query, (), confidence,
            _evidence(text, index, cand.start, cand.end), shape.hint or any(names_runai(n) for n in cand.names),
        ))
    return result


def _lead(url: str) -> int:
    """Characters at the front of a candidate URL that are not in the text (a joined base)."""
    return 1 if url.startswith(SENTINEL) else 0


def _loc(path: str, index: LineIndex, offset: int, line_offset: int, col_offset: int) -> Location:
    line, col = index.position(offset)
    return Location(path, line + line_offset, col + col_offset)

