"""Issue 17: the candidate finder selects the cables search selects, proposes names and
not sentence openings, months or institutions, and prints a paragraph as its number."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cabledesk.cli.main import cli
from cabledesk.facade import Archive
from cabledesk.parse import parse_text
from cabledesk.redact import FULL
from cabledesk.redact.candidates import find_candidates
from conftest import SAMPLE

BAGHDAD = SAMPLE / "text" / "08BAGHDAD1784.txt"
NOISY = (
    "In September the U.S. Embassy met a contact in Vietnam. The contact in Vietnam In "
    "Hanoi, Nguyen Van Linh (STRICTLY PROTECT), said the Ministry Of Trade would act. "
    "During October Tran Quoc Hoan, a member of the council, agreed."
)


def _cable_text(caption: str = "", paragraph: str = "") -> str:
    text = BAGHDAD.read_text()
    if caption:
        text = text.replace("Classified By: Charge", f"{caption}Classified By: Charge", 1)
    if paragraph:
        text = text.replace("Iraqi Prime Minister Nouri", paragraph + " Iraqi Prime Minister Nouri")
    return text


def test_proposals_are_names_not_sentence_openings_months_or_institutions() -> None:
    cable = parse_text(_cable_text(paragraph=NOISY))
    found = {c.text for c in find_candidates(cable, [], FULL)}
    assert "Nguyen Van Linh" in found
    assert "Tran Quoc Hoan" in found
    noise = {"S. Embassy", "Vietnam In", "In September", "In Hanoi", "During October"}
    assert not found & noise, found & noise
    for text in found:
        words = text.split()
        assert words[0] not in ("In", "The", "During", "S."), text
        assert not {"September", "October", "Embassy", "Ministry"} & set(words), text


def test_candidates_command_finds_what_search_finds(tmp_path: Path) -> None:
    source = tmp_path / "in" / "08BAGHDAD1784.txt"
    source.parent.mkdir()
    # The marker in the caption block (text outside the paragraphs) and in an unnumbered
    # paragraph before paragraph 1.
    text = _cable_text(caption="Contact Karim Haddad, STRICTLY PROTECT.\n\n")
    text = text.replace(
        "for reasons 1.4 (b), (c) and (d).",
        "for reasons 1.4 (b), (c) and (d).\n\nSource: Samir Jaber, strictly protect.",
    )
    source.write_text(text)
    folder = tmp_path / "a"
    with Archive.open(folder) as archive:
        archive.ingest(source, workers=1)
        assert archive.search('"strictly protect"', viewer=FULL).total == 1
    runner = CliRunner()
    found = runner.invoke(cli, ["redact", "candidates", '"strictly protect"', "--db", str(folder)])
    assert found.exit_code == 0, found.output
    assert "Karim Haddad" in found.stdout
    assert "Samir Jaber" in found.stdout
    assert "¶None" not in found.stdout
    assert "caption" in found.stdout
    for line in found.stdout.splitlines():
        if line.startswith("08BAGHDAD1784"):
            position = line.split()[1]
            assert position == "caption" or position.startswith("'") or position[1:].isdigit()
