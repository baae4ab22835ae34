"""Gate: what a finished scan's findings mean for CI, and the settings that steer it.

In: findings and the user's config (.runai-audit.yaml, pyproject), inline suppressions,
exemptions and a baseline. Out: findings marked suppressed/baselined, severities, exit codes.
May import: judge (fingerprints), knowledge, models.
"""
