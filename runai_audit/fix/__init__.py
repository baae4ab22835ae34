"""Fix: turn findings into edits of the files they were found in.

Pure modules, each small: `locate_*` find the exact span a catalog fix rewrites (starting from
the line and column the scanner reported), `plan` turns findings into edits per file, `apply`
writes edits into bytes from the end backwards, `verify` checks the result (it still parses,
the fixed findings are gone, nothing new appeared), `diff` renders a unified diff and
`migration` names the REST request files of Cluster API manifests. Reading and writing files,
and re-scanning, happen in commands/fix.py.
May import: judge (the CLI word rules), migrate, knowledge, models.
"""
