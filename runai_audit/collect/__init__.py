"""Collect: find the inputs of a scan, read each with its scanners, judge it as it arrives.

In: ScanOptions (paths, stdin, excludes, changed files) and an EngineContext. Out: Collected
(findings, inline directives, skipped files, input problems, traffic counts).
May import: gate (inline directives), judge, scanners, knowledge, models.
"""
