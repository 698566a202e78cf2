"""Choropleth maps as inline SVG, drawn on the server from the workspace's RD New boundaries.

RD New (EPSG:28992) is a planar metric projection made for the Netherlands, so its coordinates can be
drawn directly: no tiles, no CDN, no map library in the browser. Every area is an ``<a>`` with a
``<title>`` (name and value in words), so the map works with a keyboard and a screen reader, and a
click opens the area's page. Colours come from ColorBrewer's PuOr scheme, which stays readable for
the common forms of colour blindness; every value is also given in text.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import numpy as np
import shapely

UNKNOWN = "url(#unknown)"  # hatched: "no value" must not look like any colour of the scale


@dataclass(frozen=True)
class LegendItem:
    colour: str
    label: str


@dataclass(frozen=True)
class Feature:
    code: str
    name: str
    geometry: object  # a shapely (multi)polygon in EPSG:28992
    fill: str
    title: str  # the value in words, read by screen readers and shown on hover
    href: str | None = None
    highlight: bool = False


def _rings(geom) -> list[np.ndarray]:
    rings = []
    for polygon in shapely.get_parts(geom):
        if shapely.get_type_id(polygon) != 3:
            continue
        rings.append(shapely.get_coordinates(shapely.get_exterior_ring(polygon)))
        for i in range(shapely.get_num_interior_rings(polygon)):
            rings.append(shapely.get_coordinates(shapely.get_interior_ring(polygon, i)))
    return rings


def path_data(geom, origin: tuple[float, float], scale: float) -> str:
    """SVG path data for a (multi)polygon: y flipped, integer units of ``scale`` metres, relative moves."""
    parts = []
    for ring in _rings(geom):
        pts = np.round((ring - origin) / scale).astype(np.int64)
        pts[:, 1] = -pts[:, 1]
        steps = np.diff(pts, axis=0)
        steps = steps[(steps != 0).any(axis=1)]
        if len(steps) < 2:
            continue
        moves = " ".join(f"{dx} {dy}" for dx, dy in steps[:-1])
        parts.append(f"M{pts[0, 0]} {pts[0, 1]}l{moves}z")
    return "".join(parts)


def svg_map(
    features: list[Feature], *, label: str, simplify: float = 20.0, scale: float = 10.0, css_class: str = "map", extra: str = ""
) -> str:
    """An accessible SVG choropleth. ``simplify`` (metres) thins the outlines for the screen."""
    if not features:  # e.g. a gemeente whose boundaries are not in the workspace
        return (
            f'<svg class="{css_class} empty" viewBox="0 0 400 40" role="img" aria-label="{escape(label)}" '
            'xmlns="http://www.w3.org/2000/svg"><text x="10" y="25" font-size="14" fill="#555">–</text></svg>'
        )
    geoms = np.array([f.geometry for f in features], dtype=object)
    if simplify:
        geoms = shapely.simplify(geoms, simplify, preserve_topology=True)
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    origin = (minx, maxy)
    width, height = (maxx - minx) / scale, (maxy - miny) / scale
    out = [
        f'<svg class="{css_class}" viewBox="0 0 {width:.0f} {height:.0f}" role="group" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">',
        '<defs><pattern id="unknown" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="8" height="8" fill="#f0f0f0"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#888" stroke-width="3"/></pattern></defs>',
    ]
    for feature, geom in zip(features, geoms, strict=True):
        d = path_data(geom, origin, scale)
        if not d:
            continue
        cls = "area highlight" if feature.highlight else "area"
        path = (
            f'<path class="{cls}" d="{d}" fill="{feature.fill}" data-code="{feature.code}">'
            f"<title>{escape(feature.title)}</title></path>"
        )
        if feature.href:
            out.append(
                f'<a href="{escape(feature.href)}" aria-label="{escape(feature.title)}" data-code="{feature.code}">{path}</a>'
            )
        else:
            out.append(path)
    out.append(extra)
    out.append("</svg>")
    return "".join(out)


def quantile_classes(values: np.ndarray, reference: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """Class 0…k-1 of each value by the quantiles of ``reference`` (−1 where the value is missing), and
    the k-1 inner limits."""
    limits = np.quantile(reference[~np.isnan(reference)], np.linspace(0, 1, k + 1)[1:-1])
    classes = np.searchsorted(limits, values, side="right")
    return np.where(np.isnan(values), -1, classes), limits
