"""The workspace around the cables: collections and notes (docs/workspace.md)."""
