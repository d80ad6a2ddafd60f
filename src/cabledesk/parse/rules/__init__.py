"""One file per part of a cable; parse/core.py orders them."""
