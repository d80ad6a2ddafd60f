"""A Viewer is what one kind of reader may see; `view(cable)` is the record they receive.

Editors and the single-user local desk see the stored record (FULL). Readers see it with
the redactions burned in and the paragraphs above their ceiling withheld; the public sees
the published edition, redactions burned in.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cabledesk.record.codec import from_dict, to_dict
from cabledesk.record.model import Cable
from cabledesk.redact.apply import Redactor
from cabledesk.redact.ceiling import may_see, placeholder, portion, withhold
from cabledesk.redact.model import Rule

_EDITORS = "withheld by the editors"


@dataclass(slots=True)
class Viewer:
    ceiling: int = 3
    foreign: bool = False
    # Whether redactions are burned in (everyone but editors, admins and the local desk).
    redact: bool = False
    # Only cables of the published edition exist for this viewer (the public).
    published_only: bool = False
    rules: list[Rule] = field(default_factory=list)
    # The rules compiled; pass a shared one (Archive.redactor()) so that a viewer made per
    # request does not compile every rule's pattern again.
    compiled: Redactor | None = None

    @property
    def restricted(self) -> bool:
        return self.redact or self.ceiling < 3 or self.foreign or self.published_only

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
        record, _, by_rule = self.redactor.burned(cable.reference_id, to_dict(cable))
        viewed = from_dict(record)
        withheld = self._withhold(viewed, by_rule)
        subject_hidden = self._subject(viewed)
        rest_hidden = self._outside_paragraphs(viewed)
        if withheld or subject_hidden or rest_hidden:
            self._rebuild_text(viewed, withheld, original=cable)
        # Offsets into the original raw text would point past a redaction.
        viewed.redactions.positions = []
        if self.redact or self.published_only:
            # Where the cable was ingested from is a path on the editors' machine: for the
            # local desk, admins and editors only (docs/publishing.md).
            viewed.location = None
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


def _contained(passage: str, paragraphs: set[str]) -> bool:
    flat = " ".join(passage.split())
    return any(flat in " ".join(p.split()) for p in paragraphs)


_NO_RULES = Redactor([])
FULL = Viewer()
