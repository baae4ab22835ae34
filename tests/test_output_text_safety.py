"""Terminal controls (ESC, BEL, CSI) and bidi overrides from scanned input never reach the
text-like outputs raw; a bare CR cannot split a CSV row; rule markdown escapes raw HTML (issue 14)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from runai_audit.cli import main
from runai_audit.models import Report
from runai_audit.reporters import csv_format, get_reporter
from runai_audit.safetext import neutralise
from tests.output_bounds import bounded
from tests.report_fixture import build_report
from tests.test_reporters import plain_finding, with_findings

ESC_TITLE = "\x1b]0;pwned\x07"  # OSC: retitle the terminal, then BEL
CSI_CLEAR = "\x1b[2J"
RLO = "\u202e"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]")


def _hostile() -> Report:
    planted = plain_finding(
        path=f"src/{RLO}txt.exe{ESC_TITLE}.py",
        subject=f"GET /v1/k8s/{CSI_CLEAR}jobs",
        message=f"deprecated{RLO} call\x9b31m red",
        evidence=f"requests.get(url)\r=HYPERLINK(\"http://x\"){ESC_TITLE}",
    )
    return with_findings(build_report(), planted)


@pytest.mark.parametrize("fmt", ["text", "github", "markdown", "csv", "junit", "html"])
def test_no_raw_control_or_bidi_character_in_text_like_output(fmt: str) -> None:
    with bounded(20):
        out = get_reporter(fmt)(_hostile())
    # Only line breaks may remain (a CR is plain whitespace in HTML and XML, but never in a CSV).
    kept = out.replace("\n", "").replace("\r", "") if fmt in ("html", "junit") else out.replace("\n", "")
    assert RAW.findall(kept) == []
    assert "\\u202e" in out
    assert ("\ufffd" if fmt == "junit" else "\\x1b") in out  # XML 1.0 cannot carry an ESC at all


def test_escapes_are_visible_and_exact() -> None:
    assert neutralise(f"a{RLO}b\x1b[2Jc\x07") == "a\\u202eb\\x1b[2Jc\\x07"
    assert neutralise("tab\tand\nline", keep="\n\t") == "tab\tand\nline"
    assert neutralise("plain ascii") == "plain ascii"
    assert neutralise("naïve ü") == "naïve ü"
    line = get_reporter("text")(_hostile()).splitlines()[0]
    assert line == (  # the concise line: path, rule, severity, subject, status, replacement
        "src/\\u202etxt.exe\\x1b]0;pwned\\x07.py:1:1: RA101 error GET /v1/k8s/\\x1b[2Jjobs removed at 2.24 → GET /api/v1/x"
    )


def test_a_bare_cr_in_a_csv_cell_does_not_start_a_row() -> None:
    with bounded(20):
        out = csv_format.render(_hostile())
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert len(rows) == 2  # the header and the one finding
    # A spreadsheet splits at a CR outside quotes too: there must be none anywhere.
    assert "\r" not in out
    evidence = rows[1][csv_format.COLUMNS.index("evidence")]
    assert evidence == 'requests.get(url)\n=HYPERLINK("http://x")\\x1b]0;pwned\\x07'


def test_csv_still_guards_formula_prefixes() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_format.guard(f"{start}cmd").startswith("'")
    assert csv_format.guard("\r\n=1") == "'\n=1"


def test_github_annotation_encodes_line_breaks_and_escapes_the_rest() -> None:
    out = get_reporter("github")(_hostile())
    line = next(x for x in out.splitlines() if "txt.exe" in x)
    assert "\r" not in line
    assert "::deprecated\\u202e call\\x9b31m red%0AUse instead:" in line
    assert "file=src/\\u202etxt.exe\\x1b]0;pwned\\x07.py" in line


def test_rules_markdown_escapes_raw_html_from_user_rules(tmp_path: Path) -> None:
    rules = tmp_path / "mine.yaml"
    rules.write_text(
        "- id: RA199\n"
        "  title: 'Old <img src=x onerror=alert(1)> endpoint'\n"
        "  description: 'Use `runai <noun> describe` instead. <script>alert(2)</script>'\n"
        "  match: {kind: endpoint, methods: [GET], path: /api/v1/old}\n"
        "  deprecated_in: '2.20'\n"
        "  replacement: 'GET /api/v2/<new>'\n"
        "  sources: ['<b>internal</b> wiki']\n",
        encoding="utf-8",
    )
    with bounded(30):
        result = CliRunner().invoke(main, ["rules", "RA199", "--format", "markdown", "--rules", str(rules)],
                                    catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "<img" not in out and "<script" not in out and "<b>" not in out
    assert "### RA199: Old &lt;img src=x onerror=alert(1)&gt; endpoint" in out
    assert "Use `runai <noun> describe` instead. &lt;script&gt;alert(2)&lt;/script&gt;" in out  # code span kept
    assert "| Replacement | GET /api/v2/&lt;new&gt; |" in out
    assert "- &lt;b&gt;internal&lt;/b&gt; wiki" in out
