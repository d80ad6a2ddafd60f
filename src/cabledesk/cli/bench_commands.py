"""`cabledesk bench ...`: tools for benchmarks (the benchmarks themselves live in bench/)."""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path

import click

from cabledesk.synthetic.corpus import write_corpus


@click.group("bench")
def bench_group() -> None:
    """Benchmark tools."""


@bench_group.command("corpus")
@click.option(
    "--n", "count", type=click.IntRange(1, 10_000_000), default=251_287, show_default=True
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--source",
    "sources",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Cables to learn structure and vocabulary from (default: the bundled sample).",
)
def corpus_command(count: int, out: Path, seed: int, sources: tuple[Path, ...]) -> None:
    """Write a synthetic release of N cables in the cables.csv layout."""
    learn_from = list(sources) or [Path(str(resources.files("cabledesk") / "data" / "sample"))]
    started = time.monotonic()
    size = write_corpus(out, count, seed, learn_from)
    elapsed = time.monotonic() - started
    click.echo(
        f"wrote {count:,} cables ({size / 1e6:,.0f} MB of text, {size / count / 1024:.1f} KB "
        f"a cable) to {out} in {elapsed:.0f} s"
    )
