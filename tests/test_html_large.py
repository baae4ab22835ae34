"""A large HTML report stays light (issue 14: 100,000 findings were 133 MB and took 136 s to
load): each group renders its first rows, each section its first groups, and the rest ride in
a JSON data block that cannot break out of its element."""

from __future__ import annotations

import dataclasses
import json
import re
from functools import lru_cache

from runai_audit.models import Report
from runai_audit.reporters import html
from runai_audit.reporters.html_view import GROUPS_PER_SECTION, ROWS_PER_GROUP, TABLE_ROWS
from tests.output_bounds import bounded
from tests.report_fixture import build_report
from tests.test_reporters import plain_finding

MANY = 100_000
BREAKOUT = "</script><script>alert(1)</script>&amp;"


@lru_cache(maxsize=1)
def many_findings_report() -> Report:
    """100,000 findings: 500 APIs, 21,000 files, some suppressed; one planted script breakout."""
    findings = [
        plain_finding(path=f"dir{i % 300}/file{i % 700}.py", line=i % 5000 + 1,
                      subject=f"GET /v1/k8s/thing{i % 500}", evidence=f"requests.get(url{i})")
        for i in range(MANY - 1)
    ]
    findings.append(plain_finding(path="zz/last.py", subject="GET /v1/k8s/zz", evidence=BREAKOUT))
    return dataclasses.replace(build_report(), findings=tuple(findings))


def _data(page: str) -> dict[str, object]:
    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.DOTALL)
    assert match is not None
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_the_page_renders_a_bounded_number_of_rows() -> None:
    report = many_findings_report()
    with bounded(60, megabytes=None):
        page = html.render(report)
    assert page.count("<tr data-finding") == 2 * GROUPS_PER_SECTION * ROWS_PER_GROUP
    assert len(page.encode()) < 20_000_000
    assert page.count('class="more-row"') == 2 * GROUPS_PER_SECTION
    assert '<p class="more-groups" data-more-groups="plan" data-from="100">' in page
    assert "401 more APIs not shown here" in page
    assert "2,001 more files not shown here" in page
    assert 'Filters and "Show more" need JavaScript; below are the first findings of each group' in page


def test_the_data_block_holds_every_finding_and_cannot_close_its_element() -> None:
    page = html.render(many_findings_report())
    data = _data(page)
    findings = data["findings"]
    strings = data["strings"]
    assert isinstance(findings, list) and isinstance(strings, list)
    assert len(findings) == MANY
    assert sum(len(group) for group in data["files"]) == MANY  # type: ignore[attr-defined]
    block = page[page.index('id="report-data">'):]
    block = block[:block.index("</script>")]
    assert "<" not in block[len('id="report-data">'):] and "&" not in block
    assert BREAKOUT in strings
    assert page.count("<script") == 2  # the data block and the page's own script


def test_a_small_report_has_no_data_block() -> None:
    page = html.render(build_report())
    assert 'id="report-data"' not in page and 'class="more-row"' not in page


def test_long_tables_are_capped_too() -> None:
    report = many_findings_report()
    why = next(f.suppression for f in build_report().findings if f.suppression)
    quiet = tuple(dataclasses.replace(f, suppression=why)
                  for f in report.findings[:TABLE_ROWS + 7])
    page = html.render(dataclasses.replace(report, findings=quiet))
    section = page[page.index('<section id="suppressed"'):page.index('<section id="coverage"')]
    assert section.count("<tr data-finding") == TABLE_ROWS
    assert "7 more not shown here; the JSON and CSV reports list every finding." in section
