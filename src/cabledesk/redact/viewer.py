"""A Viewer is what one kind of reader may see; `view(cable)` is the record they receive.

Editors and the single-user local desk see the stored record (FULL). Readers see it with
the redactions burned in and the paragraphs above their ceiling withheld; the public sees
the published edition, redactions burned in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cabledesk.access.principal import Principal
from cabledesk.parse.patterns import REDACTION
from cabledesk.record.codec import from_dict, to_dict
from cabledesk.record.level import Level
from cabledesk.record.model import Cable, Paragraph, Redactions, Repairs
from cabledesk.redact.apply import Redactor
from cabledesk.redact.ceiling import may_see, placeholder, portion, withhold
from cabledesk.redact.model import Rule

_EDITORS = "withheld by the editors"


def _untold(viewed: Cable) -> None:
    """No parser notes nor repair counts, and the source's own blanks counted over the
    text `viewed` holds (for a record something is withheld from)."""
    viewed.warnings = []
    viewed.repairs = Repairs()
    viewed.redactions = Redactions(count=len(REDACTION.findall(viewed.text)))


@dataclass(slots=True)
class Viewer:
    ceiling: Level = Level.TOP_SECRET
    foreign: bool = False
    # Whether redactions are burned in (everyone but editors, admins and the local desk).
    redact: bool = False
    # Only cables of the published edition exist for this viewer (the public).
    published_only: bool = False
    rules: list[Rule] = field(default_factory=list)
    # The rules compiled; pass a shared one (Archive.redactor()) so that a viewer made per
    # request does not compile every rule's pattern again.
    compiled: Redactor | None = None
    # Whose notes `note:` searches (their own and those shared with them; docs/
    # workspace.md): an account's name, '' for the archive's owner, None for nobody's.
    notes_of: str | None = None

    def __post_init__(self) -> None:
        self.ceiling = Level(self.ceiling)

    @classmethod
    def for_principal(cls, principal: Principal, redactor: Redactor) -> Viewer:
        """What `principal` may see: the one rule, for the web desk, the API, the command
        line and the public edition alike. Editors, admins and the local desk see the
        stored record within their ceiling; signed-in readers and tokens see it with the
        redactions burned in (`redactor`: the rules in force, compiled) and paragraphs
        above their ceiling withheld; the public sees the published edition, redacted."""
        notes_of = principal.name if principal.name is not None else None
        if principal.role == "local":
            notes_of = ""
        if principal.may("editor"):
            return cls(ceiling=principal.ceiling, foreign=principal.foreign, notes_of=notes_of)
        if principal.role == "public":
            return cls(redact=True, published_only=True, compiled=redactor)
        return cls(
            ceiling=principal.ceiling,
            foreign=principal.foreign,
            redact=True,
            compiled=redactor,
            notes_of=notes_of,
        )

    @property
    def restricted(self) -> bool:
        return self.redact or self.ceiling < Level.TOP_SECRET or self.foreign or self.published_only

    @property
    def redactor(self) -> Redactor:
        if not self.redact:
            return _NO_RULES
        if self.compiled is None:
            self.compiled = Redactor(self.rules)
        return self.compiled

    def may_see(self, rank: int, noforn: bool) -> bool:
        return may_see(rank, noforn, self.ceiling, self.foreign)

    def view(self, cable: Cable) -> Cable:
        if not self.restricted:
            return cable
        return self._view(cable).cable

    def _view(self, cable: Cable) -> _Viewed:
        record, _, by_rule = self.redactor.burned(cable.reference_id, to_dict(cable))
        viewed = from_dict(record)
        withheld = self._withhold(viewed, by_rule)
        subject_hidden = self._subject(viewed)
        rest_hidden = self._outside_paragraphs(viewed)
        if withheld or subject_hidden or rest_hidden:
            self._rebuild_text(viewed, withheld, original=cable)
            # Fail closed: the parser's notes quote the stored text, and its repair and
            # blank counts are counted over all of it, so with anything withheld they
            # would tell what it holds. The notes and repairs are not told; the source's
            # own blanks are counted again over the text this reader receives.
            _untold(viewed)
        # Offsets into the original raw text would point past a redaction.
        viewed.redactions.positions = []
        if self.redact or self.published_only:
            # Where the cable was ingested from is a path on the editors' machine: for the
            # local desk, admins and editors only (docs/publishing.md).
            viewed.location = None
        return _Viewed(viewed, withheld, subject_hidden, rest_hidden)

    def view_published(self, cable: Cable, published: Cable | None, public: Viewer) -> Cable:
        """The record of a cable of the latest edition for a signed-in account: never less
        than the public gets (docs/publishing.md, "Who sees what"). `cable` is the stored
        current record, `published` the stored version the edition published, `public` the
        public's Viewer (the rules in force). The account's own view, except that each part
        it withholds (a paragraph, the subject, the REF lines, a summary or comment) that
        the public's view of the published version shows is shown as published."""
        if not self.restricted or self.published_only or published is None:
            return self.view(cable)
        own = self._view(cable)
        if not (own.withheld or own.subject_hidden or own.rest_hidden):
            return own.cable
        shown = public._view(published)
        viewed, theirs = own.cable, shown.cable
        same = (cable.raw or cable.text) == (published.raw or published.text) and len(
            cable.paragraphs
        ) == len(published.paragraphs)
        # The public's paragraphs it shows: by position when the cable is the version
        # published, else by paragraph number (a newer text: its paragraph N is shown as
        # the edition published paragraph N).
        offered: dict[int, Paragraph] = {}
        place: dict[int, int] = {}
        if same:
            offered = {i: p for i, p in enumerate(theirs.paragraphs) if i not in shown.withheld}
            place = {i: i for i in own.withheld}
        else:
            for i, p in enumerate(theirs.paragraphs):
                if i not in shown.withheld and p.number is not None:
                    offered[p.number] = p
            for i in own.withheld:
                number = viewed.paragraphs[i].number
                if number is not None:
                    place[i] = number
        still = []
        for index in own.withheld:
            key = place.get(index)
            if key is not None and key in offered:
                viewed.paragraphs[index] = offered[key]
            else:
                still.append(index)
        subject_hidden = own.subject_hidden and shown.subject_hidden
        if own.subject_hidden and not shown.subject_hidden:
            viewed.subject = theirs.subject
        rest_hidden = own.rest_hidden and shown.rest_hidden
        if own.rest_hidden and not shown.rest_hidden:
            viewed.references = theirs.references
        public_summary = theirs.summary and not theirs.summary.startswith("[summary withheld")
        if public_summary and (
            not viewed.summary or viewed.summary.startswith("[summary withheld")
        ):
            viewed.summary = theirs.summary
        if same and len(viewed.comments) == len(theirs.comments):
            viewed.comments = [
                t if o.startswith("[comment withheld") else o
                for o, t in zip(viewed.comments, theirs.comments, strict=True)
            ]
        self._rebuild_text(viewed, still, original=cable)
        _untold(viewed)  # the blanks of the text as now assembled
        if same and not (still or subject_hidden or rest_hidden):
            # Nothing of the version published is withheld: its original text as the
            # public reads it (redactions burned in).
            viewed.raw = theirs.raw
        return viewed

    def _withhold(self, cable: Cable, by_rule: set[int]) -> list[int]:
        """Replace the paragraphs this viewer may not see; returns their positions."""
        positions = []
        for index, paragraph in enumerate(cable.paragraphs):
            if paragraph.number is not None and paragraph.number in by_rule:
                cable.paragraphs[index] = placeholder(paragraph, _EDITORS)
                positions.append(index)
                continue
            stand_in = withhold(
                paragraph, self.ceiling, self.foreign, cable.classification, cable.caveats
            )
            if stand_in is not None:
                cable.paragraphs[index] = stand_in
                positions.append(index)
        return positions

    def _subject(self, cable: Cable) -> bool:
        if cable.subject is None:
            return False
        rank, noforn = portion(cable.subject_marking, cable.classification, cable.caveats)
        if self.may_see(rank, noforn):
            return False
        cable.subject = f"[subject withheld: {cable.subject_marking or cable.classification}]"
        return True

    def _outside_paragraphs(self, cable: Cable) -> bool:
        """Text outside the paragraphs (the caption block, the REF lines, closing lines)
        counts at the cable's own level. Above the ceiling (or NOFORN for a foreign
        reader), each reference keeps its label and the id of the cable it cites (as
        `cites:` and the cited-by lists show them: metadata) but not its text; and the
        raw and reading texts are rebuilt from what may be seen (True)."""
        rank, noforn = portion(None, cable.classification, cable.caveats)
        if self.may_see(rank, noforn):
            return False
        level = "//".join(filter(None, [cable.classification, "NOFORN" if noforn else ""]))
        for reference in cable.references:
            reference.text = f"[reference withheld: {level or 'unmarked'}]"
        return True

    def _rebuild_text(self, cable: Cable, withheld: list[int], original: Cable) -> None:
        """With paragraphs withheld, neither the reading text nor the raw text can be
        shown as they were: the reading text is rebuilt from what may be seen, and the
        raw text gives way to a notice (it has no paragraph boundaries to cut at)."""
        visible = {p.text for i, p in enumerate(cable.paragraphs) if i not in withheld}
        if cable.summary and not _contained(cable.summary, visible):
            cable.summary = "[summary withheld: it draws on withheld paragraphs]"
        cable.comments = [
            c if _contained(c, visible) else "[comment withheld: it draws on withheld paragraphs]"
            for c in cable.comments
        ]
        parts = [cable.subject or ""]
        for paragraph in cable.paragraphs:
            number = f"{paragraph.number}. " if paragraph.number is not None else ""
            parts.append(number + paragraph.text)
        parts.append(" ".join(cable.signers))
        cable.text = "\n\n".join(p for p in parts if p)
        numbers = ", ".join(
            str(original.paragraphs[i].number)
            for i in withheld
            if original.paragraphs[i].number is not None
        )
        cable.raw = (
            "[The original text is withheld: "
            + (f"paragraphs {numbers} are" if numbers else "parts of it are")
            + " not shown to this reader.]"
        )


@dataclass(slots=True)
class _Viewed:
    """A viewed record and what of it was withheld (paragraph positions, the subject,
    the text outside the paragraphs)."""

    cable: Cable
    withheld: list[int]
    subject_hidden: bool
    rest_hidden: bool


def _contained(passage: str, paragraphs: set[str]) -> bool:
    flat = " ".join(passage.split())
    return any(flat in " ".join(p.split()) for p in paragraphs)


_NO_RULES = Redactor([])
FULL = Viewer()
