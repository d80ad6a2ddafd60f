"""The public edition: the approved cables, redactions burned in, as a static website
(`build_site`) or as data (`write_data`), and what changed between editions (`diff`)."""

from cabledesk.publish.diff import EditionDiff, diff_editions
from cabledesk.publish.edition import Edition, approved_view
from cabledesk.publish.site import build_site

__all__ = ["Edition", "EditionDiff", "approved_view", "build_site", "diff_editions"]
