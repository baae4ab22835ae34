"""Reporters: each turns a finished Report into the text of one output format.

An explicit registry, so the list of formats is visible in one place and nothing registers
itself on import. Every reporter is a pure function `render(report) -> str`.
May import: knowledge (the templates' folder), models.
"""

from __future__ import annotations

from collections.abc import Callable

from runai_audit.models import Report
from runai_audit.reporters import (
    csv_format,
    github,
    gitlab,
    html,
    json_format,
    junit,
    markdown,
    sarif,
    text,
)
from runai_audit.reporters.json_format import load_report_json

Reporter = Callable[[Report], str]

REPORTERS: dict[str, Reporter] = {
    "text": text.render,
    "json": json_format.render,
    "sarif": sarif.render,
    "junit": junit.render,
    "gitlab": gitlab.render,
    "github": github.render,
    "markdown": markdown.render,
    "csv": csv_format.render,
    "html": html.render,
}

# File name suffix for each format, for callers that write a report next to others.
EXTENSIONS: dict[str, str] = {
    "text": ".txt",
    "json": ".json",
    "sarif": ".sarif",
    "junit": ".xml",
    "gitlab": ".json",
    "github": ".txt",
    "markdown": ".md",
    "csv": ".csv",
    "html": ".html",
}


def get_reporter(name: str) -> Reporter:
    """The render function for a format name; ValueError naming the valid ones otherwise."""
    try:
        return REPORTERS[name]
    except KeyError:
        raise ValueError(f"unknown report format {name!r}; valid: {', '.join(sorted(REPORTERS))}") from None


__all__ = ["EXTENSIONS", "REPORTERS", "Reporter", "get_reporter", "load_report_json"]
