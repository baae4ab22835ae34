"""Knowledge: what runai-audit knows about Run:ai, loaded from the shipped data.

In: rules/ (the catalog and release calendar) and the bundled OpenAPI specs (or a user's own).
Out: Catalog, Releases, SpecIndex, plus URL/path-template helpers shared by every stage.
May import: models only.
"""
