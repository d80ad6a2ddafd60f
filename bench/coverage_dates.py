"""How good the missing cables' estimated dates are (docs/coverage.md, "Missing cables and
their dates"): each dated cable of the local desk's view left out in turn and estimated
from its neighbours, without a limit (the graph's estimate) and with the coverage
report's 90-day rule.

    .venv/bin/python bench/coverage_dates.py ARCHIVE
"""

from __future__ import annotations

import statistics
import sys
from datetime import date as Date

from cabledesk.access.principal import LOCAL
from cabledesk.archive.coverage import MAX_GAP_DAYS
from cabledesk.archive.graph import Serials
from cabledesk.facade import Archive


def main() -> None:
    with Archive.open(sys.argv[1], create=False) as archive:
        graph = archive._graph(archive.viewer(LOCAL))
        cables: dict[str, tuple[str | None, str | None]] = {
            str(i): (d if isinstance(d, str) else None, None)
            for i, d in graph.connection.execute(
                "SELECT id, date FROM nodes WHERE view = ? AND archived = 1", (graph.view,)
            )
        }
    serials = Serials(cables)
    for gap in (None, MAX_GAP_DAYS):
        errors: dict[str, list[int | None]] = {}
        for key, numbers in serials.serials.items():
            days = serials.days[key]
            for position, serial in enumerate(numbers):
                if (position > 0 and numbers[position - 1] == serial) or (
                    position + 1 < len(numbers) and numbers[position + 1] == serial
                ):
                    continue
                name = f"{key[0]:02d}{key[1]}{serial}"
                day, how = serials.estimate(name, leave_out=position, max_gap=gap)
                error = (
                    None
                    if day is None
                    else abs(Date.fromisoformat(day).toordinal() - days[position])
                )
                errors.setdefault(how, []).append(error)
        for how, found in sorted(errors.items()):
            values = sorted(v for v in found if v is not None)
            line = f"limit {gap} days, {how}: {len(found)} cables"
            if values:
                line += (
                    f", median {statistics.median(values)} days, "
                    f"90th percentile {values[int(0.9 * len(values))]} days, "
                    f"within 7 days {sum(v <= 7 for v in values) / len(values):.1%}, "
                    f"within 30 days {sum(v <= 30 for v in values) / len(values):.1%}"
                )
            print(line)


if __name__ == "__main__":
    main()
