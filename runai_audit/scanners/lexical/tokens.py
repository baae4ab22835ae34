"""Generated from the catalog (rules/) by runai_audit.knowledge.catalog.tokens; do not edit.

Regenerate: python -m runai_audit.knowledge.catalog.tokens > runai_audit/scanners/lexical/tokens.py
"""

# First words of runai commands: CLI v1 commands of the catalog, CLI v2 nouns, shared commands.
RUNAI_CLI_VOCABULARY = frozenset({'application', 'attach', 'auth', 'bash', 'cluster', 'completion', 'compute', 'config', 'credential', 'datasource', 'datavolume', 'delete', 'department', 'describe', 'diagnostics', 'distributed', 'environment', 'exec', 'help', 'inference', 'kubeconfig', 'list', 'login', 'logout', 'logs', 'mpi', 'my-credential', 'node', 'nodepool', 'port-forward', 'project', 'pvc', 'pytorch', 'report', 'resume', 'serve', 'submit', 'submit-dist', 'submit-mpi', 'submit-pytorch', 'submit-tf', 'suspend', 'template', 'tensorflow', 'top', 'training', 'update', 'upgrade', 'version', 'whoami', 'workload', 'workload-type', 'workspace', 'xgboost'})
# The legacy application-token request body (lower case).
GRANT_TYPE_KEYS = frozenset({'granttype'})
LEGACY_GRANT_TYPES = frozenset({'app_token'})
TOKEN_BODY_KEYS = frozenset({'appid', 'appsecret'})
TOKEN_PATH = '/api/v1/token'
