"""Reference facts shared by every stage (stations, routing, TAGS, classification)."""

from cabledesk.reference.tables import (
    Station,
    TagInfo,
    code_words,
    markings,
    reason_meaning,
    route_for_name,
    route_names,
    station_aliases,
    stations,
    stations_by_origin,
    tag_info,
    tags,
)

__all__ = [
    "Station",
    "TagInfo",
    "code_words",
    "markings",
    "reason_meaning",
    "route_for_name",
    "route_names",
    "station_aliases",
    "stations",
    "stations_by_origin",
    "tag_info",
    "tags",
]
