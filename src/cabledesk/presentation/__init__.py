"""What the web desk and the static public edition both show: the Jinja templates and
their environment (`templating.py`), how each value reads (`present.py`), the timeline's
geometry (`chart.py`), where links point (`urls.py`), and the stylesheet and scripts.

It knows no server and no edition: the desk (`cabledesk.web`) renders these templates
for a request, the edition (`cabledesk.publish`) into files.
"""

from __future__ import annotations

from pathlib import Path

# The stylesheet and scripts: served by the desk at /static, copied into each edition.
STATIC = Path(__file__).parent / "static"
