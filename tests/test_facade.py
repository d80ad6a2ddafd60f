"""The facade (issue 17): reads need a viewer, one rule makes viewers, and an editor's
change and its audit row are one transaction."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from cabledesk import Archive
from cabledesk.access import audit
from cabledesk.access.errors import AccessError
from cabledesk.access.principal import LOCAL, PUBLIC, Principal
from cabledesk.record.level import Level
from cabledesk.redact import Rule
from conftest import SAMPLE

READS = [
    "get", "view", "citing", "count", "search", "timeline", "matching_ids", "export",
    "neighbours", "present", "browse_origins", "browse_tags", "browse_months",
    "browse_classifications", "stats", "register", "register_history", "versions",
    "approved", "editions",
]  # fmt: skip


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("facade") / "archive"
    with Archive.open(folder) as archive:
        archive.ingest([SAMPLE], workers=1)
    return folder


def test_every_read_takes_a_viewer_without_a_default() -> None:
    for name in READS:
        parameter = inspect.signature(getattr(Archive, name)).parameters["viewer"]
        assert parameter.default is inspect.Parameter.empty, name
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, name


def test_a_forgotten_viewer_is_an_error_not_everything(sample: Path) -> None:
    with Archive.open(sample) as archive:
        with pytest.raises(TypeError, match="viewer"):
            archive.get("08BAGHDAD1784")  # type: ignore[call-arg]
        with pytest.raises(TypeError, match="viewer"):
            archive.search("iraq")  # type: ignore[call-arg]


def test_one_rule_makes_every_viewer(sample: Path) -> None:
    with Archive.open(sample) as archive:
        local = archive.viewer(LOCAL)
        assert not local.restricted
        public = archive.viewer(PUBLIC)
        assert public.published_only and public.redact
        reader = archive.viewer(Principal("rita", "reader", Level.CONFIDENTIAL, False))
        assert reader.redact and reader.ceiling is Level.CONFIDENTIAL
        editor = archive.viewer(Principal("ed", "editor", Level.SECRET, True))
        assert not editor.redact and editor.ceiling is Level.SECRET and editor.foreign
        # A reader's search and record never hold more than their ceiling.
        cable = archive.get("09KUWAIT110", viewer=reader)
        stored = archive.get("09KUWAIT110", viewer=local)
        assert cable is not None and stored is not None
        assert "rehabilitation center" in stored.text.lower()
        assert "rehabilitation center" not in cable.text.lower()


def test_the_register_is_for_editors_only(sample: Path) -> None:
    with Archive.open(sample) as archive:
        reader = archive.viewer(Principal("rita", "reader", Level.TOP_SECRET, False))
        for read in (archive.register, archive.register_history, archive.approved):
            with pytest.raises(AccessError, match="for editors only"):
                read(viewer=reader)
        with pytest.raises(AccessError):
            archive.versions("08BAGHDAD1784", viewer=archive.public_viewer())
        assert archive.register(viewer=archive.viewer(LOCAL)) == []


def test_a_change_and_its_audit_row_are_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Archive.open(tmp_path / "a") as archive:
        archive.ingest([SAMPLE], workers=1)
        local = archive.viewer(LOCAL)

        def crash(*args: object, **kwargs: object) -> None:
            raise OSError("the machine went down between the change and its record")

        # A failure while writing the audit row undoes the change itself.
        with monkeypatch.context() as patch:
            patch.setattr(audit, "insert", crash)
            with pytest.raises(OSError):
                archive.redact(Rule(kind="name", text="Maliki", reason="test"), account="ed")
            with pytest.raises(OSError):
                archive.approve(["08BAGHDAD1784"], account="ed")
            with pytest.raises(OSError):
                archive.record_edition("ed", "nowhere")
        assert archive.register(viewer=local) == []
        assert archive.approved(viewer=local) == []
        assert archive.editions(viewer=local) == []
        assert audit.read(archive) == []
        # Without the failure, each change comes with its row.
        rule = archive.redact(Rule(kind="name", text="Maliki", reason="test"), account="ed")
        archive.lift(rule.id or 0, reason="cleared", account="ed")
        archive.approve(["08BAGHDAD1784"], account="ed")
        archive.withdraw(["08BAGHDAD1784"], account="ed")
        archive.record_edition("ed", "nowhere")
        kinds = [e.kind for e in reversed(audit.read(archive))]
        assert kinds == ["redaction_mark", "redaction_lift", "approval", "approval", "edition"]
        assert {e.account for e in audit.read(archive)} == {"ed"}
