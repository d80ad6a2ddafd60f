"""Archive commands: ingest, search, show, stats, reindex (each one Archive call)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import click

# Every command here opens an archive, so the archive is imported with the module (and
# first: the query package imports from it). What only one command uses (rich, exports,
# redaction) is imported in that command (docs/performance.md, startup).
from cabledesk.access.principal import LOCAL, Principal
from cabledesk.archive import ArchiveError
from cabledesk.facade import Archive
from cabledesk.query import SORTS, QueryError
from cabledesk.record.codec import to_dict
from cabledesk.record.level import LEVELS, Level
from cabledesk.sources import FORMATS
from cabledesk.views.export import FORMATS as FORMATS_OUT

DEFAULT_ARCHIVE = "cabledesk-archive"
db_option = click.option(
    "--db",
    "db",
    default=DEFAULT_ARCHIVE,
    show_default=True,
    type=click.Path(file_okay=False),
    help="The archive folder (SQLite database and full-text index).",
)


@contextmanager
def opened(db: str, create: bool = False, discard_index: bool = False) -> Iterator[Archive]:
    try:
        archive = Archive.open(db, create=create, discard_index=discard_index)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield archive
    finally:
        archive.close()


@click.command("ingest")
# exists=True: a mistyped path is one usage line, before any archive folder is made.
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@db_option
@click.option("--format", "format_", type=click.Choice(["auto", *FORMATS]), default="auto")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Parser processes.")
@click.option(
    "--skipped-list",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write every skipped file to FILE, one `path<TAB>reason` a line "
    "(the output names the first 20).",
)
def ingest_command(
    paths: tuple[str, ...], db: str, format_: str, workers: int | None, skipped_list: Path | None
) -> None:
    """Parse the cables in PATHS and store them in the archive (idempotent, resumable)."""
    from cabledesk.cli.progress import for_terminal
    from cabledesk.cli.render import render_report

    with opened(db, create=True) as archive:
        try:
            report = archive.ingest(paths, format=format_, workers=workers, progress=for_terminal())
        except KeyboardInterrupt:
            # Every committed batch is kept; ingesting the same paths again completes it.
            raise click.ClickException(
                f"interrupted: {archive.count(viewer=archive.viewer(LOCAL)):,} cables are in {db}; "
                "run the same command again to ingest the rest"
            ) from None
    if skipped_list is not None:
        with skipped_list.open("w", encoding="utf-8") as handle:
            handle.writelines(f"{path}\t{reason}\n" for path, reason in report.skipped_files)
    render_report(report, skipped_list)
    if report.failed:
        raise SystemExit(1)


# The most hits a page of search results reads records for.
_PAGE_MOST = 10_000


@click.command("search")
@click.argument("query")
@db_option
@click.option(
    "--limit",
    type=click.IntRange(1, None),
    default=None,
    help="Hits to give (default: 20; with --output ids, every match).",
)
@click.option("--offset", type=click.IntRange(0, None), default=0)
@click.option("--sort", type=click.Choice(SORTS), default="rank", show_default=True)
@click.option(
    "--facets",
    is_flag=True,
    help="Also count origin, year, month, classification, caveat, tag, addressee, signer, "
    "classified_by.",
)
@click.option(
    "--output",
    type=click.Choice(["table", "json", "jsonl", "csv", "ids"]),
    default="table",
    show_default=True,
)
@click.option(
    "--exact",
    is_flag=True,
    help="Every word as written: no spelling variants (docs/search.md; `=word` for one word).",
)
def search_command(
    query: str,
    db: str,
    limit: int | None,
    offset: int,
    sort: str,
    facets: bool,
    output: str,
    exact: bool,
) -> None:
    """Search the archive with the query language (docs/search.md; "" matches every
    cable, as in the desk). `--output ids` lists
    every match (for scripts and pipes) unless --limit is given; the other outputs give a
    page of 20 hits by default."""
    from cabledesk.cli.render import render_results

    if limit is not None and limit > _PAGE_MOST and (output != "ids" or facets):
        raise click.UsageError(
            f"--limit: at most {_PAGE_MOST:,} hits with records; for every match use "
            "--output ids, or `cabledesk export QUERY` for the cables themselves"
        )
    with opened(db) as archive:
        viewer = archive.viewer(LOCAL)
        try:
            if output == "ids" and not facets:
                # Streamed from the index, no record read: every match, or the --limit.
                wanted = None if limit is None else offset + limit
                ids = archive.matching_ids(
                    query,
                    viewer=viewer,
                    sort=sort,
                    limit=wanted,
                    blank_matches_all=True,
                    variants=not exact,
                )
                for n, reference_id in enumerate(ids):
                    if n >= offset:
                        sys.stdout.write(reference_id + "\n")
                return
            result = archive.search(
                query,
                viewer=viewer,
                limit=20 if limit is None else limit,
                offset=offset,
                sort=sort,
                facets=facets,
                blank_matches_all=True,
                variants=not exact,
            )
        except QueryError as exc:
            raise click.UsageError(str(exc)) from None
    if output == "table":
        render_results(result)
        for word, others in result.also_searched:
            click.echo(f"also searched for {word}: {', '.join(others)} (--exact: as written)")
    elif output == "json":
        data = {
            "query": result.query,
            "total": result.total,
            "hits": [asdict(hit) for hit in result.hits],
            "facets": result.facets,
            "also_searched": [{"word": w, "variants": v} for w, v in result.also_searched],
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    elif output == "jsonl":
        for hit in result.hits:
            sys.stdout.write(json.dumps(asdict(hit), ensure_ascii=False) + "\n")
    elif output == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(["reference_id", "date", "origin", "classification", "subject", "score"])
        for hit in result.hits:
            writer.writerow(
                [hit.reference_id, hit.date, hit.origin, hit.classification, hit.subject, hit.score]
            )
    else:
        for hit in result.hits:
            sys.stdout.write(hit.reference_id + "\n")


@click.command("show")
@click.argument("reference_id")
@db_option
@click.option("--output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def show_command(reference_id: str, db: str, output: str) -> None:
    """Show one cable, with its references and the cables that cite it (`--output json`:
    the whole record, which references the archive holds, and the citing cables)."""
    from cabledesk.cli.render import render_cable

    with opened(db) as archive:
        local = archive.viewer(LOCAL)
        cable = archive.get(reference_id, viewer=local)
        if cable is None:
            raise click.ClickException(
                f"{reference_id}: expected the reference id of an archived cable; "
                f"the archive at {db} has no such cable"
            )
        present = {
            r.cable_id: archive.get(r.cable_id, viewer=local) is not None
            for r in cable.references
            if r.cable_id
        }
        citing = archive.citing(reference_id, viewer=local)
        if output == "json":
            data = {
                "cable": to_dict(cable),
                "references_in_archive": present,
                "cited_by": list(citing),
            }
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        render_cable(cable, present, citing)


@click.command("stats")
@db_option
@click.option("--output", type=click.Choice(["table", "json"]), default="table", show_default=True)
def stats_command(db: str, output: str) -> None:
    """Counts by year, origin, classification and tag."""
    from cabledesk.cli.render import render_stats

    with opened(db) as archive:
        stats = archive.stats(viewer=archive.viewer(LOCAL))
    if output == "json":
        data = {field: [{"value": v, "count": n} for v, n in rows] for field, rows in stats.items()}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    render_stats(stats)


@click.command("reindex")
@db_option
def reindex_command(db: str) -> None:
    """Rebuild the full-text index from the SQLite database (also when it is damaged)."""
    with opened(db, discard_index=True) as archive:
        count = archive.reindex()
    click.echo(f"indexed {count:,} cables in {Path(db) / 'index'}")


@click.command("check")
@db_option
def check_command(db: str) -> None:
    """Check that the full-text index holds exactly the cables SQLite holds, each from its
    latest change, and that SQLite is sound; exit status 1 when anything is wrong."""
    with opened(db) as archive:
        problems = archive.check()
        count = archive.count(viewer=archive.viewer(LOCAL))
    if problems:
        for problem in problems:
            click.echo(f"Error: {problem}", err=True)
        click.echo(f"repair the index with: cabledesk reindex --db {db}", err=True)
        sys.exit(1)
    click.echo(f"ok: {count:,} cables, the index and SQLite agree")


@click.command("export")
@click.argument("query", required=False, default="")
@db_option
@click.option("--output", type=click.Choice(FORMATS_OUT), default="jsonl", show_default=True)
@click.option("--sort", type=click.Choice(SORTS), default="date", show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="File to write (default: standard output; Parquet needs a file).",
)
@click.option("--redact", is_flag=True, help="Burn the redactions in (what readers get).")
@click.option(
    "--ceiling",
    type=click.Choice(LEVELS, case_sensitive=False),
    default=None,
    help="Withhold paragraphs above this level (implies --redact).",
)
@click.option("--foreign", is_flag=True, help="Withhold NOFORN paragraphs (implies --redact).")
def export_command(
    query: str,
    db: str,
    output: str,
    sort: str,
    out: Path | None,
    redact: bool,
    ceiling: str | None,
    foreign: bool,
) -> None:
    """Stream every cable matching QUERY (none or "": every cable, as in the desk) as JSON
    Lines, CSV or Parquet."""
    from cabledesk.views.export import ExportError, write_csv, write_jsonl, write_parquet

    if output == "parquet" and out is None:
        raise click.UsageError("--output parquet needs --out FILE")
    with opened(db) as archive:
        principal = LOCAL
        if redact or ceiling or foreign:
            # As a signed-in reader with that ceiling would receive it.
            level = Level.of(ceiling) if ceiling else Level.TOP_SECRET
            principal = Principal(name=None, role="reader", ceiling=level, foreign=foreign)
        viewer = archive.viewer(principal)
        try:
            cables = archive.export(query, sort=sort, viewer=viewer, blank_matches_all=True)
            if output == "parquet":
                assert out is not None
                with out.open("wb") as handle:
                    count = write_parquet(cables, handle)
            else:
                write = write_jsonl if output == "jsonl" else write_csv
                if out is None:
                    count = write(cables, sys.stdout)
                else:
                    with out.open("w", encoding="utf-8", newline="") as handle:
                        count = write(cables, handle)
        except QueryError as exc:
            raise click.UsageError(str(exc)) from None
        except ExportError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"exported {count:,} cables", err=True)
