"""Inline suppression comments: `runai-audit: ignore[RA101,RA201] reason`.

The directive sits in a comment (`#`, `//`, `/* */`, `<!-- -->`) on the finding's line, or alone on
the line above it. Without rule ids it covers every rule on that line. Suppressed findings stay in
the output, marked; a directive without a reason gets a note (RA901) asking for one, and a
directive that suppressed nothing gets a note (RA902) so dead comments do not pile up. Findings
about the tool itself (RA9xx) cannot be silenced this way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from runai_audit.models import Finding, Location, Severity, Status, Suppression

__all__ = ["Directive", "apply_inline", "find_directives"]

NO_REASON_RULE = "RA901"
UNUSED_RULE = "RA902"
_MARKER = "runai-audit"

_DIRECTIVE = re.compile(r"runai-audit:\s*ignore(?![\w-])(?:\[(?P<ids>[^\]]*)\])?(?P<rest>.*)$")
# A directive counts only inside a comment, so prose and string literals that mention the syntax
# (documentation, this project's own tests) are not mistaken for one.
_COMMENT_OPENER = re.compile(r"\{\{-?\s*/\*|\{#|#|//|<!--|/\*|^\s*\*")  # Helm and Jinja first
_COMMENT_CLOSER = re.compile(r"\s*(?:-->|\*/\s*-?\}\}|\*/|#\}|-?\}\})\s*$")


@dataclass(frozen=True)
class Directive:
    """One suppression comment. `rule_ids` empty means every rule. `column` is 1-based, where
    `runai-audit` starts. `standalone` is true when nothing but the comment is on the line: only
    then does it also cover the next line."""

    line: int
    rule_ids: tuple[str, ...]
    reason: str
    column: int
    standalone: bool = True

    def covers(self, finding: Finding, line: int | None = None) -> bool:
        """Whether it silences `finding` written at `line` (the finding's own line by default)."""
        line = finding.location.line if line is None else line
        on_line = line == self.line or (self.standalone and line == self.line + 1)
        return on_line and (not self.rule_ids or finding.rule_id in self.rule_ids)

    @property
    def text(self) -> str:
        ids = f"[{','.join(self.rule_ids)}]" if self.rule_ids else ""
        return f"runai-audit: ignore{ids}"


def find_directives(text: str) -> tuple[Directive, ...]:
    """Every suppression comment in a file's text, in line order."""
    if _MARKER not in text:
        return ()
    found: list[Directive] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if _MARKER in line:
            directive = _parse_line(line.rstrip("\r"), number)
            if directive is not None:
                found.append(directive)
    return tuple(found)


def _parse_line(line: str, number: int) -> Directive | None:
    match = _DIRECTIVE.search(line)
    if match is None:
        return None
    opener = _COMMENT_OPENER.search(line, 0, match.start())
    if opener is None:
        return None
    ids = tuple(part.strip().upper() for part in re.split(r"[,\s]+", match.group("ids") or "") if part.strip())
    reason = _COMMENT_CLOSER.sub("", match.group("rest")).strip().lstrip(":-–— ").strip()
    return Directive(
        line=number,
        rule_ids=ids,
        reason=reason,
        column=match.start() + 1,
        standalone=not line[: opener.start()].strip(),
    )


def _matching(finding: Finding, directives: Mapping[str, Sequence[Directive]]) -> list[tuple[str, Directive]]:
    """Directives covering the finding where it is written, or where it is also shown (the line
    that sends a request written elsewhere): a comment on either line silences it. The finding's
    own place comes first, so its directive wins a tie."""
    places = [finding.location, *(r.location for r in finding.related if r.location.line > 0)]
    found: list[tuple[str, Directive]] = []
    for place in places:
        found.extend((place.path, d) for d in directives.get(place.path, ()) if d.covers(finding, place.line))
        if found:
            break
    return found


def apply_inline(findings: Sequence[Finding], directives: Mapping[str, Sequence[Directive]]) -> list[Finding]:
    """Mark findings covered by a directive in the same file; add RA901/RA902 notes after them.

    A directive on the finding's own line wins over one on the line above. Findings already
    suppressed, findings without a line (traffic) and RA9xx findings are left as they are.
    """
    used: set[tuple[str, int]] = set()
    out: list[Finding] = []
    for finding in findings:
        if finding.suppression is None and finding.location.line > 0 and not finding.rule_id.startswith("RA9"):
            matching = _matching(finding, directives)
            if matching:
                path, directive = max(matching, key=lambda m: m[1].line)  # own line over the line above
                used.add((path, directive.line))
                finding = replace(finding, suppression=Suppression(kind="inline", reason=directive.reason))
        out.append(finding)
    for path in sorted(directives):
        for directive in sorted(directives[path], key=lambda d: (d.line, d.column)):
            if not directive.reason:
                out.append(_no_reason(path, directive))
            if (path, directive.line) not in used:
                out.append(_unused(path, directive))
    return out


def _tool_finding(rule_id: str, path: str, directive: Directive, message: str, replacement: str) -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=Severity.NOTE,
        status=Status.TOOL,
        message=message,
        subject=directive.text,
        replacement=replacement,
        location=Location(path=path, line=directive.line, column=directive.column),
    )


def _no_reason(path: str, directive: Directive) -> Finding:
    return _tool_finding(
        NO_REASON_RULE,
        path,
        directive,
        f"`{directive.text}` gives no reason; write why after it, e.g. `{directive.text} migrating in Q3`.",
        f"{directive.text} <reason>",
    )


def _unused(path: str, directive: Directive) -> Finding:
    scope = "its line or the next" if directive.standalone else "its line"
    return _tool_finding(
        UNUSED_RULE,
        path,
        directive,
        f"`{directive.text}` suppressed no finding on {scope}; remove it or fix the rule ids.",
        "remove the comment",
    )
