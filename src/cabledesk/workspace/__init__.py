"""The workspace (issue 15): what readers keep around the cables: collections of cables
and notes on cables and paragraphs (`collections.py`, `notes.py`, `shelf.py`), saved
searches and alerts (`saved_searches.py`), spelling variants (`variants.py`), batch
searches (`batch.py`). Below the facade, above the store: these modules keep and read the
workspace's own tables; the facade joins them with the query layer and the reader's view
(docs/workspace.md)."""
