"""The CLI's subcommands (click): turn options into a call, print the result, pick the exit code.

In: the command line. Out: reports on stdout or in files, and an exit code.
May import: api and every stage below it.
"""
