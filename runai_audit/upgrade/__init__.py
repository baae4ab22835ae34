"""Upgrade: pre-upgrade plans and spec-to-spec diffs between Run:ai releases.

In: a finished Report (scanned at the destination release) and the bundled or fetched specs.
Out: an UpgradePlan or a SpecDiff, and their text/Markdown/HTML renderings.
May import: reporters, judge, knowledge, models (never api: the commands run the scan).
"""
