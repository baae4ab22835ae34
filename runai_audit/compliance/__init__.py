"""Compliance: runs over time and across repositories.

In: finished Reports. Out: a SQLite history with trends (`history`) and one merged report for
many repositories (`merge`).
May import: models only.
"""
