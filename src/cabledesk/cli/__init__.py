"""The command line: one command per library call (see cabledesk.api)."""
