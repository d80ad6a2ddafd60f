"""`cabledesk model train` and `cabledesk model evaluate`: the sensitivity models
(docs/sensitivity.md), one Archive call each."""

from __future__ import annotations

import json

import click

from cabledesk.cli.archive_commands import db_option, opened


@click.group("model")
def model_group() -> None:
    """The sensitivity models: predicted classification, NOFORN and portion markings."""


@model_group.command("train")
@db_option
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=None,
    help="Worker processes reading the records (0: in this process).",
)
@click.option("--scheduler", default=None, metavar="ADDRESS", help="A Dask scheduler's address.")
def train_command(db: str, workers: int | None, scheduler: str | None) -> None:
    """Train on the archive's own labels and store the models as the next version;
    `cabledesk enrich` then scores every cable with them."""
    from cabledesk.archive.sensitivity import SensitivityError

    with opened(db) as archive:
        try:
            report = archive.train_sensitivity(workers=workers, scheduler=scheduler)
        except SensitivityError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(
        f"model v{report.version}: trained on {report.cables:,} cables and "
        f"{report.paragraphs:,} paragraphs (reading {report.read_seconds:.1f} s, "
        f"fitting {report.fit_seconds:.1f} s, {report.cpu_seconds:.1f} s CPU in this process)"
    )


@model_group.command("evaluate")
@db_option
@click.option(
    "--split",
    "splits",
    type=click.Choice(["time", "posts"]),
    multiple=True,
    help="time: train on the earliest 80%, test on the latest 20%; posts: five folds, "
    "no post on both sides. Default: both.",
)
@click.option("--workers", type=click.IntRange(0, 64), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def evaluate_command(db: str, splits: tuple[str, ...], workers: int | None, as_json: bool) -> None:
    """Train on one part of the archive, score the other, and print held-out figures."""
    from cabledesk.archive.sensitivity import SensitivityError, rounded

    with opened(db) as archive:
        try:
            found = archive.evaluate_sensitivity(splits or ("time", "posts"), workers=workers)
        except SensitivityError as exc:
            raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps([e.as_dict() for e in found], indent=2))
        return
    for e in found:
        click.echo(f"split {e.split}: trained on {e.train_cables:,}, tested on {e.test_cables:,}")
        for name, m in (("cables", e.cables), ("paragraphs", e.paragraphs)):
            if m is None:
                continue
            click.echo(
                f"  {name:<10} n={m.n:,} classified={m.classified_share:.1%} "
                f"AUC={rounded(m.roc_auc)} TPR@11%FPR={rounded(m.tpr_at_11_fpr)} "
                f"macro-F1={rounded(m.macro_f1)} Brier={rounded(m.brier)}"
                + (f" NOFORN-AUC={rounded(m.noforn_auc)}" if m.noforn_auc is not None else "")
            )
            for low, mean, seen, n in m.reliability:
                click.echo(
                    f"    P(classified) {low:.1f}+: mean {mean:.3f}, observed {seen:.3f}, n={n}"
                )


@model_group.command("review")
@db_option
@click.option(
    "--kind",
    type=click.Choice(["above-marking", "unmarked-secret", "unclassified-reads-secret"]),
    default=None,
    help="Only items of this kind (default: every kind).",
)
@click.option("--approved", is_flag=True, help="Only cables approved for the next edition.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0, None), default=0)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def review_command(
    db: str, kind: str | None, approved: bool, limit: int, offset: int, as_json: bool
) -> None:
    """The editors' review queue: paragraphs predicted above their marking, unmarked
    paragraphs predicted SECRET, UNCLASSIFIED cables that read like SECRET ones, highest
    margin first (docs/sensitivity.md)."""
    from dataclasses import asdict

    from cabledesk.access.principal import LOCAL

    with opened(db) as archive:
        page = archive.review(
            viewer=archive.viewer(LOCAL), kind=kind, approved=approved, limit=limit, offset=offset
        )
    if as_json:
        data = {
            "total": page.total,
            "offset": page.offset,
            "limit": page.limit,
            "items": [asdict(item) for item in page.items],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"{page.total:,} items to review" + (f", from {offset + 1}" if offset else ""))
    for item in page.items:
        where = item.reference_id
        if item.number is not None:
            where += f" ¶{item.number}"
        elif item.position is not None:
            where += f" (paragraph {item.position + 1})"
        click.echo(
            f"{item.margin:6.3f}  {where:<26} {item.kind:<26} given {item.given}, predicted "
            f"{item.predicted} (S {item.p_secret:.2f} C {item.p_confidential:.2f} "
            f"U {item.p_unclassified:.2f})"
        )
        click.echo(f"        {item.excerpt[:150]}")
