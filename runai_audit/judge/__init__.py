"""Judge: the pure engine, observations + catalog + specs + target -> findings.

In: observations and an EngineContext. Out: Findings with status, severity, message and
fingerprint. No files, no network, no clock.
May import: migrate (the replacement request in CRD findings), knowledge, models.
"""
