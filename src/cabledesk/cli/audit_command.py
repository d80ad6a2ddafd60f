"""`cabledesk audit-parse`: the parse audit over files and folders (cabledesk.quality.audit).

The command mirrors the library call: PATHS are `paths`, and each option is the keyword
of the same name. The audit itself is imported when the command runs, not when the
command line starts.
"""

from __future__ import annotations

import json
import sys

import click

from cabledesk.sources import FORMATS


class _Count(click.ParamType):  # type: ignore[type-arg]
    """A number of 0 or more, or `all`."""

    name = "N|all"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> int | None:
        if value is None or isinstance(value, int):
            return value
        if str(value).lower() == "all":
            return None
        try:
            number = int(str(value))
        except ValueError:
            number = -1
        if number < 0:
            self.fail(f"{value!r} is not a number of 0 or more, or 'all'", param, ctx)
        return number


@click.command("audit-parse")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option(
    "--format",
    "format_",
    type=click.Choice(["auto", *FORMATS]),
    default="auto",
    show_default=True,
    help="Input format; auto decides from each file's content.",
)
@click.option("--json", "as_json", is_flag=True, help="The report as JSON (docs/parse-audit.md).")
@click.option(
    "--show",
    type=_Count(),
    default="10",
    show_default=True,
    help="Offenders listed per check (their ids and why), or all.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Processes that parse and check [default: one per core; none for under 200 files].",
)
@click.option(
    "--check",
    "checks",
    multiple=True,
    metavar="NAME",
    help="Run only this check (repeat for more); the names are in the report.",
)
def audit_parse_command(
    paths: tuple[str, ...],
    format_: str,
    as_json: bool,
    show: int | None,
    workers: int | None,
    checks: tuple[str, ...],
) -> None:
    """Check how well the cables in PATHS (files or folders) parse: paragraph numbers,
    portion markings, SUBJECT, TAGS, signer, references, debris in the text. Prints the
    counts per check and the ids of the offenders."""
    from cabledesk.quality import audit

    report = audit(paths, format=format_, show=show, workers=workers, checks=list(checks) or None)
    if as_json:
        sys.stdout.write(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n")
    else:
        click.echo(report.text())
