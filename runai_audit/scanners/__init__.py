"""Scanners: each reads one kind of input and says what it does, with no rule knowledge.

In: a file's text (or a path, for streamed traffic) and the name reports show. Out: ScanResult
(observations and input problems). Families in python/, shell/, manifest/, markdown/, traffic/;
single-file readers beside them. May import: knowledge, models, and lower scanners only.
"""
