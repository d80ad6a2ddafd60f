"""`python -m cabledesk` runs the command line."""

from cabledesk.cli.main import main

main()
