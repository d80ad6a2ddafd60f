"""The coverage estimators on generated archives where the truth is known
(docs/coverage.md, "How good the estimates are").

    .venv/bin/python bench/coverage_estimators.py [--trials 2000] [--seed 14]

Each trial is one post's year: N cables really sent (drawn log-uniform from 50 to
50,000, seeded), of which the archive holds a sample at a given rate (1% to 50%). Two
ways of drawing the sample:

- `uniform`: every serial equally likely to be held (what the estimators assume);
- `clustered`: held serials come in runs (a run of 1 to 40 consecutive serials starts at
  a random place until the rate is reached), like a leak that took whole stretches.

For each rate, method and sampling: how often the 95% interval holds the true N
(coverage), the median relative error of the point estimate |N^ - N| / N, the median
width of the interval over N, and how many trials gave no estimate (the flat-prior
posterior needs 2 serials).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics

from cabledesk.archive.coverage import METHODS, estimate

RATES = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5)


def draw_uniform(rng: random.Random, total: int, rate: float) -> list[int]:
    return rng.sample(range(1, total + 1), max(1, round(total * rate)))


def draw_clustered(rng: random.Random, total: int, rate: float) -> list[int]:
    wanted = max(1, round(total * rate))
    held: set[int] = set()
    while len(held) < wanted:
        start = rng.randint(1, total)
        for serial in range(start, min(total, start + rng.randint(1, 40) - 1) + 1):
            held.add(serial)
            if len(held) >= wanted:
                break
    return sorted(held)


def run(trials: int, seed: int) -> list[dict[str, object]]:
    rows = []
    for sampling, draw in (("uniform", draw_uniform), ("clustered", draw_clustered)):
        for rate in RATES:
            rng = random.Random(f"{seed}-{sampling}-{rate}")
            found: dict[str, dict[str, list[float]]] = {
                m: {"hit": [], "error": [], "width": [], "both": []} for m in METHODS
            }
            none = dict.fromkeys(METHODS, 0)
            for _ in range(trials):
                total = round(math.exp(rng.uniform(math.log(50), math.log(50_000))))
                held = draw(rng, total, rate)
                k, m = len(held), max(held)
                for method in METHODS:
                    if k >= 2:
                        point = estimate(k, m, method).point
                        assert point is not None
                        found[method]["both"].append(abs(point - total) / total)
                    e = estimate(k, m, method)
                    if e.point is None or e.low is None or e.high is None:
                        none[method] += 1
                        continue
                    found[method]["hit"].append(float(e.low <= total <= e.high))
                    found[method]["error"].append(abs(e.point - total) / total)
                    found[method]["width"].append((e.high - e.low) / total)
            for method in METHODS:
                f = found[method]
                rows.append(
                    {
                        "sampling": sampling,
                        "rate": rate,
                        "method": method,
                        "trials": trials,
                        "no_estimate": none[method],
                        "coverage": round(statistics.fmean(f["hit"]), 4) if f["hit"] else None,
                        "median_relative_error": round(statistics.median(f["error"]), 4)
                        if f["error"]
                        else None,
                        "median_relative_error_k2": round(statistics.median(f["both"]), 4)
                        if f["both"]
                        else None,
                        "median_width": round(statistics.median(f["width"]), 4)
                        if f["width"]
                        else None,
                    }
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = run(args.trials, args.seed)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(
        "| sampling | rate | method | 95% interval holds N | median relative error |"
        " same, k >= 2 only | median interval width / N | no estimate |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['sampling']} | {float(str(r['rate'])):.0%} | {r['method']} | "
            f"{float(str(r['coverage'])):.1%} | {float(str(r['median_relative_error'])):.2%} | "
            f"{float(str(r['median_relative_error_k2'])):.2%} | "
            f"{float(str(r['median_width'])):.1%} | {r['no_estimate']} |"
        )


if __name__ == "__main__":
    main()
