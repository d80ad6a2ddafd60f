"""The desk's HTML pages, one module a kind of page."""
