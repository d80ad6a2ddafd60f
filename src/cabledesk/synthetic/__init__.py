"""Synthetic releases for benchmarks (realistic cables in the cables.csv layout), and one
cable rendered in every layout cabledesk reads (layouts.py)."""

from cabledesk.synthetic.corpus import CLASSIFICATION_SHARES, generate_corpus
from cabledesk.synthetic.layouts import LAYOUTS, comparable, disagreements, render

__all__ = [
    "CLASSIFICATION_SHARES",
    "LAYOUTS",
    "comparable",
    "disagreements",
    "generate_corpus",
    "render",
]
