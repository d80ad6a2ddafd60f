"""`cabledesk.Error`: the base of every error cabledesk raises for a user's mistake or a
state of the archive (a bad query, a path that is not an archive, an index another process
is writing, a redaction that cannot be marked, a publish that cannot be written).

Each says what was expected and where, in one line; the command line prints it as
`Error: ...` and exits 1 (cli/main.py), the web desk shows it beside the form or answers
it as JSON. Each also keeps the built-in base it had (ValueError, RuntimeError), so code
that caught those goes on working. Nothing here imports anything: the command line can
catch `Error` without importing the packages that raise it.
"""

from __future__ import annotations


class Error(Exception):
    """A message for the user: what was expected, and where."""
