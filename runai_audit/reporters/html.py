"""The HTML migration report: one self-contained page that works offline.

Templates live in the top-level `reports/` folder (shipped in the wheel). The page's own CSS
and script are inlined, and a Content-Security-Policy with their hashes means that even if
something from a scanned file slipped past escaping, the browser would neither run it nor
let the page fetch anything.
"""

from __future__ import annotations

import base64
import functools
import hashlib

import jinja2
from markupsafe import Markup

from runai_audit.knowledge.resources import reports_dir
from runai_audit.models import Report
from runai_audit.reporters.html_view import build_context
from runai_audit.safetext import neutralise

TEMPLATE = "report.html.j2"
STYLE_FILE = "report.css"
SCRIPT_FILE = "report.js"


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(reports_dir())),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_shown,
    )


def _shown(value: object) -> object:
    """Every value a template prints: input text loses raw control and bidi characters (a
    U+202E would reorder what the page shows); our own Markup (style, script) passes as it is."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return neutralise(value, keep="\n\r\t")
    return value


def _csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@functools.lru_cache(maxsize=1)
def _assets() -> tuple[str, str]:
    folder = reports_dir()
    style = (folder / STYLE_FILE).read_text(encoding="utf-8")
    script = (folder / SCRIPT_FILE).read_text(encoding="utf-8")
    return style, script


def content_security_policy(style: str, script: str) -> str:
    return (
        "default-src 'none'; "
        f"style-src {_csp_hash(style)}; "
        f"script-src {_csp_hash(script)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def render(report: Report) -> str:
    style, script = _assets()
    context = build_context(report)
    context.update(
        # Our own shipped files, not input: safe to insert unescaped.
        style=Markup(style),
        script=Markup(script),
        csp=content_security_policy(style, script),
    )
    return environment().get_template(TEMPLATE).render(context)
