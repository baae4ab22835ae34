"""Migrate: turn a Cluster API workload manifest into the REST request that replaces it.

In: manifest text. Out: Migration (the request body, placeholders, the fields left behind).
Pure; which field goes where is data, in `migrate.fields`.
May import: scanners (the manifest YAML reader), models.
"""
