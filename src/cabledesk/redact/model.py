"""A redaction rule, as an editor marks it."""

from __future__ import annotations

from dataclasses import dataclass, field

# Burned-in text of every redaction: one fixed width, so its length tells nothing.
REDACTED = "[REDACTED]"
KINDS = ("name", "span", "paragraph")


@dataclass(slots=True)
class Rule:
    """`name`: a name (and its variants) everywhere, in every cable, also those ingested
    later. `span`: a passage of one cable (`cable_id`), wherever it occurs in that cable.
    `paragraph`: paragraph `paragraph` of one cable, withheld whole."""

    kind: str
    text: str = ""
    variants: list[str] = field(default_factory=list)
    cable_id: str | None = None
    paragraph: int | None = None
    reason: str = ""
    id: int | None = None
    created_by: str | None = None
    created_at: str | None = None
    lifted_by: str | None = None
    lifted_at: str | None = None

    @property
    def active(self) -> bool:
        return self.lifted_at is None

    def applies_to(self, reference_id: str | None) -> bool:
        return self.kind == "name" or (reference_id is not None and self.cable_id == reference_id)

    def describe(self) -> str:
        if self.kind == "paragraph":
            return f"paragraph {self.paragraph} of {self.cable_id}"
        where = "everywhere" if self.kind == "name" else f"in {self.cable_id}"
        shown = ", ".join([self.text, *self.variants])
        return f"{shown!r} {where}"
