"""Synthetic releases for benchmarks: realistic cables in the cables.csv layout."""

from cabledesk.synthetic.corpus import CLASSIFICATION_SHARES, generate_corpus

__all__ = ["CLASSIFICATION_SHARES", "generate_corpus"]
