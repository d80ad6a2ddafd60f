"""WikiLeaks cable-viewer pages (`cable/YYYY/MM/ID.html`).

The metadata comes from the `table.cable` row only: the navigation around it lists every
value of the release and even mislabels classifications, so it is never read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from cabledesk.sources.dates import table_datetime
from cabledesk.sources.item import Metadata, SourceError, SourceText, snippet

PARTIAL_EXTRACT = "This record is a partial extract of the original cable."
# The notice continues: "The full text of the original cable is not available."
_COLUMNS = ("reference id", "created", "released", "classification", "origin")

if TYPE_CHECKING:
    import lxml.html


def read_html(data: bytes, location: str) -> Iterator[SourceText | SourceError]:
    # lxml is imported with the first page: a run over text files or a CSV release does
    # without it (about 25 ms of CPU at start-up, docs/performance.md, fifth round).
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.document_fromstring(_cable_part(data) or data)
    except (lxml.etree.ParserError, ValueError) as exc:
        yield SourceError(location, "a WikiLeaks cable page (HTML)", f"unreadable HTML ({exc})")
        return
    tables = root.xpath("//table[contains(concat(' ', @class, ' '), ' cable ')]")
    if not tables:
        yield SourceError(
            location,
            "a WikiLeaks cable page with a table of class 'cable'",
            "no such table",
        )
        return
    table = tables[0]
    heads = [" ".join(th.text_content().split()).lower() for th in table.xpath(".//th")]
    cells = [" ".join(td.text_content().split()) for td in table.xpath(".//td")]
    if tuple(heads[:5]) != _COLUMNS or len(cells) < 5:
        yield SourceError(
            location,
            "a cable table with columns Reference ID, Created, Released, Classification, Origin",
            f"columns {heads!r}",
        )
        return
    reference_id, created, released, classification, origin = cells[:5]
    pres = root.xpath("//pre")
    if not pres:
        yield SourceError(location, "the cable text in <pre> blocks", "no <pre> block")
        return
    texts = [_pre_text(pre) for pre in pres[:2]]
    header, body = (texts[0], texts[1]) if len(texts) == 2 else (None, texts[0])
    partial = header is not None and header.lstrip().startswith(PARTIAL_EXTRACT)
    if header is not None and partial:
        # The notice is WikiLeaks' words; some pages still have header lines after it.
        header = header.lstrip()[len(PARTIAL_EXTRACT) :]
        header = header.split("\n", 1)[1] if "\n" in header else ""
    if header is not None and not header.strip():
        header = None
    raw = body if header is None else f"{header}\n\n{body}"
    metadata = Metadata(
        reference_id=reference_id or None,
        created=table_datetime(created) or (created or None),
        released=table_datetime(released) or (released or None),
        classification=classification or None,
        origin=origin or None,
    )
    if not body.strip():
        yield SourceError(location, "cable text in the second <pre> block", snippet(body))
        return
    yield SourceText(
        format="html",
        location=location,
        header=header,
        body=body,
        raw=raw,
        metadata=metadata,
        partial_extract=partial,
    )


def _pre_text(pre: lxml.html.HtmlElement) -> str:
    # Paragraph anchors (<a id='par3'>¶</a>) are WikiLeaks navigation, not cable text;
    # drop_tree keeps the text that follows them.
    for anchor in pre.xpath(".//a[starts-with(@id, 'par')]"):
        anchor.drop_tree()
    text: str = pre.text_content()
    return text.replace("\r\n", "\n")


_CABLE_TABLE = b"<table class='cable'>"
_PRE_TAG_ENDS = (b">", b" ", b"\t", b"\n", b"\r")


def _cable_part(data: bytes) -> bytes | None:
    """The page with only what `read_html` reads from its body: the cable table and the
    first two <pre> blocks after it (None where the page is not laid out as expected).

    A cable page is mostly navigation (some 800 links around a 7 KB cable): building its
    whole tree took most of the time of reading a page, several times what parsing the
    cable takes. The part keeps the page's head (its encoding declaration) and the bytes
    from the table to the end of the second <pre> as they stand, so lxml reads the same
    table cells and <pre> texts. Anything unusual (another table or a <pre> before the
    cable table, a table inside it, an encoding declared in the body, a <pre> not closed
    before the next) returns None: the whole page is parsed, as before.
    """
    low = data.lower()  # the same offsets: bytes.lower() changes ASCII letters only
    body = low.find(b"<body")
    table = low.find(b"<table")
    if body < 0 or table < body or not data.startswith(_CABLE_TABLE, table):
        return None
    body_end = low.find(b">", body) + 1
    table_end = low.find(b"</table>", table)
    if (
        body_end <= 0
        or body_end > table
        or table_end < 0
        or low.find(b"<table", table + 1, table_end) >= 0
        or low.find(b"<pre", 0, table) >= 0
        or low.find(b"charset", body) >= 0
    ):
        return None
    end = table_end + len(b"</table>")
    for _ in range(2):
        start = low.find(b"<pre", end)
        if start < 0:
            break
        close = low.find(b"</pre>", start)
        if (
            low[start + 4 : start + 5] not in _PRE_TAG_ENDS
            or close < 0
            or low.find(b"<pre", start + 4, close) >= 0
        ):
            return None
        end = close + len(b"</pre>")
    return data[:body_end] + data[table:end]
