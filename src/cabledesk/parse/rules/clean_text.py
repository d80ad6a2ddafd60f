"""`text`: the cable as a person reads it, without page breaks and with artifacts repaired."""

from __future__ import annotations

from cabledesk.parse.state import ParseState


def clean_text_rule(state: ParseState) -> None:
    caption = [
        line
        for index, line in enumerate(state.original_lines[: state.narrative_start])
        if not any(index in skipped for skipped in state.not_text)
    ]
    lines = [line.rstrip() for line in (*caption, *state.narrative)]
    lines.extend(line.rstrip() for line in state.footer_lines)
    if state.signature_line:
        lines.extend(["", state.signature_line])
    state.cable.text = _squeeze_blank_lines(lines).strip("\n")


def _squeeze_blank_lines(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue
        out.append(line)
    return "\n".join(out)
