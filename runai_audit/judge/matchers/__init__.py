"""Matchers: one pure matcher per catalog match kind, saying *where* a rule is used.

In: a catalog Rule and an observation. Out: Hits (subject, location, evidence); the engine alone
decides status and severity. May import: migrate (CRD replacements), knowledge, models.
"""
