"""Deprecation facts that the Run:ai specs state only in prose.

Many operations, fields and enum values carry `deprecated: true`, but a good share say it in a
description instead ("Deprecated - use `/api/v1/nodes` instead", "`migProfile` [deprecated]",
"The 'app' subject type is DEPRECATED. Please use 'service-account'"). Each function here reads
one of those shapes; all are pure and work on plain strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

# "deprecated" that speaks about the described thing itself: at the start of a sentence
# ("Deprecated - use X", "**DEPRECATED:**"), in brackets ("(deprecated)"), or
# "this endpoint is deprecated". Not "the deprecated 'x' field" or "'app' ... is DEPRECATED",
# which speak about something else.
_SELF = re.compile(
    r"(?:^|[.!?:]\s+|\n\s*|\*\*)deprecated\b"
    r"|\(\s*deprecated\b"
    r"|\bthis\s+(?:endpoint|field|parameter|property|api|operation|value)\s+is\s+(?:now\s+)?deprecated\b",
    re.IGNORECASE,
)
_ANY = re.compile(r"deprecat", re.IGNORECASE)
_TRIGGER = re.compile(
    r"\b(?:please\s+)?(?:use|in\s+favou?r\s+of|refer\s+to|reffer\s+to)\s+", re.IGNORECASE
)
_LEADING_ARTICLE = re.compile(r"^(?:the\s+)?(?:new\s+)?(?:endpoint\s+)?", re.IGNORECASE)
_LINK = re.compile(r"^\[([^\]]+)\]\([^)]*\)(\s+(?:endpoints?|API)\b)?")
_QUOTED = re.compile(r"^(['\"`])([^'\"`\n]+)\1")
_STOP = re.compile(
    r"\s+(?:instead|with|to|for|and|under)\b|[.,;)](?:\s|$)|\s{2,}|\n|$", re.IGNORECASE
)
_BARE_API_PATH = re.compile(r"^((?:[A-Z]+\s+)?)((?:api|v\d+)/)")
_VALUE_IS_DEPRECATED = re.compile(
    r"(['\"`])(?P<value>[^'\"`\n]+)\1[^.\n]*?\bis\s+deprecated\b[.,:]?\s*"
    r"(?:please\s+)?(?:use\s+(['\"`])(?P<replacement>[^'\"`\n]+)\3)?",
    re.IGNORECASE,
)
_VALUE_TAGGED = re.compile(r"((?:[\w-]+\s+){0,2}`?[\w-]+)`?\s*[\[(]\s*deprecated\s*[\])]", re.IGNORECASE)
_REPLACES = re.compile(r"\breplaces\s+the\s+deprecated\s+['\"`]?([\w.-]+)['\"`]?", re.IGNORECASE)
_TAG_IN_NAME = re.compile(r"[\[(]\s*deprecated\s*[\])]", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z0-9]+")
_CAMEL = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_MAX_REPLACEMENT = 120


def says_deprecated(text: str | None) -> bool:
    """True when the text declares the thing it describes deprecated."""
    return bool(text) and bool(_SELF.search(text or ""))


def replacement_from_text(text: str | None) -> str | None:
    """What a deprecation notice tells the reader to use instead, or None.

    "Deprecated - use `/api/v1/nodes` instead" -> "/api/v1/nodes";
    "Deprecated in favor of the new endpoint api/v1/apps." -> "/api/v1/apps";
    "Please use the [Service Accounts](/latest/#tag/x) endpoints" -> "Service Accounts endpoints".
    """
    if not text:
        return None
    notice = _ANY.search(text)
    if notice is None:
        return None
    trigger = _TRIGGER.search(text, notice.start())
    if trigger is None:
        return None
    rest = _LEADING_ARTICLE.sub("", text[trigger.end() :].lstrip())
    link = _LINK.match(rest)
    quoted = _QUOTED.match(rest)
    if link:
        found = link.group(1) + (link.group(2) or "")
    elif quoted:
        found = quoted.group(2)
    else:
        stop = _STOP.search(rest)
        found = rest[: stop.start()] if stop else rest
    found = _BARE_API_PATH.sub(r"\1/\2", found.strip().strip("`'\""))
    if not found or len(found) > _MAX_REPLACEMENT:
        return None
    return found


def _squash(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def deprecated_values_from_text(
    text: str | None, enum: Sequence[str]
) -> tuple[tuple[str, str], ...]:
    """Enum values the text calls deprecated, each with its replacement ("" when none is named).

    Only values that really are in `enum` count, so a stray quote cannot invent one.
    "The 'app' subject type is DEPRECATED. Please use 'service-account'" -> (("app", "service-account"),)
    "`portion`, `memory` or `migProfile` [deprecated]" -> (("migProfile", ""),)
    """
    if not text or not enum:
        return ()
    by_squashed = {_squash(v): v for v in enum}
    found: dict[str, str] = {}
    for m in _VALUE_IS_DEPRECATED.finditer(text):
        value = m.group("value")
        if value in enum:
            replacement = m.group("replacement") or ""
            found[value] = replacement if replacement in enum else found.get(value, "")
    for m in _VALUE_TAGGED.finditer(text):
        words = m.group(1).replace("`", "").split()
        for size in range(1, len(words) + 1):  # "mig profile" as well as "profile"
            value = by_squashed.get(_squash("".join(words[-size:])))
            if value is not None:
                found.setdefault(value, "")
                break
    return tuple(sorted(found.items()))


def replaced_field_from_text(text: str | None) -> str | None:
    """"Replaces the deprecated 'overProvisioningRatio' field" -> "overProvisioningRatio"."""
    if not text:
        return None
    m = _REPLACES.search(text)
    return m.group(1) if m else None


def example_is_deprecated(name: str, description: str | None = None) -> bool:
    """A request example named like "app_token (deprecated)" or described as deprecated."""
    return bool(_TAG_IN_NAME.search(name)) or says_deprecated(description)


def _example_words(description: str | None, value: Mapping[str, object], skip_key: str) -> set[str]:
    words = {w.lower() for w in _WORD.findall(description or "")} - {"deprecated"}
    for key in value:
        if key != skip_key:
            words.update(w.lower() for w in _CAMEL.findall(key))
    return words


def closest_example(
    deprecated: tuple[str | None, Mapping[str, object]],
    candidates: Iterable[tuple[str, str | None, Mapping[str, object]]],
    discriminator: str,
) -> str | None:
    """Name of the candidate example most like the deprecated one, or None if none is close.

    Examples are (description, value) pairs; candidates carry their name first. Likeness is the
    overlap of description words and of the camelCase words in their keys, leaving out the
    discriminating key itself: "Obtain the appID and appSecret ..." {appID, appSecret} is
    closest to "Obtain the clientID and clientSecret ..." {clientID, clientSecret}.
    """
    words = _example_words(deprecated[0], deprecated[1], discriminator)
    best: str | None = None
    best_overlap = 1  # a single shared word ("id") is not enough
    for name, description, value in candidates:
        overlap = len(words & _example_words(description, value, discriminator))
        if overlap > best_overlap:
            best, best_overlap = name, overlap
    return best
