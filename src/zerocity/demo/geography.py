"""District polygons of the Demo City: a jittered 5 x 2 grid around lon 119.47, lat 31.81.

The ten districts tile a rectangle of 0.70 deg x 0.58 deg (about 66 km x 64 km). Grid corners
are moved at random (seeded) by at most a fifth of the narrowest neighbouring cell, and every
cell edge gets three intermediate points moved sideways by a little; each point is shared by the
cells on both sides of its edge, so the polygons meet without gaps or overlaps. Coordinates are
EPSG:4326 longitude/latitude rounded to 1e-6 deg; rings are closed and counter-clockwise
(RFC 7946). Areas are computed on the sinusoidal (equal-area) projection.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["EARTH_RADIUS_KM", "district_polygons", "ring_area_km2"]

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius [km] (IUGG)."""

_LON0 = 119.12
_LAT0 = 31.52
_COL_WIDTHS = (0.19, 0.14, 0.06, 0.12, 0.19)  # deg longitude, west to east
_ROW_HEIGHTS = (0.30, 0.28)  # deg latitude, south to north
_EDGE_POINTS = 3


def ring_area_km2(ring: list[list[float]] | np.ndarray) -> float:
    """Area [km2] enclosed by a lon/lat ring, on the sinusoidal equal-area projection.

    Parameters
    ----------
    ring : array-like of [lon, lat]
        Closed or open ring [deg].

    Returns
    -------
    float
        Absolute area [km2].
    """
    pts = np.asarray(ring, dtype=float)
    lam = np.radians(pts[:, 0])
    phi = np.radians(pts[:, 1])
    x = EARTH_RADIUS_KM * lam * np.cos(phi)
    y = EARTH_RADIUS_KM * phi
    return float(abs(0.5 * np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)))


def _grid_vertices(rng: np.random.Generator) -> np.ndarray:
    """Jittered grid corners, shape (ncols + 1, nrows + 1, 2) [deg]."""
    xs = _LON0 + np.concatenate([[0.0], np.cumsum(_COL_WIDTHS)])
    ys = _LAT0 + np.concatenate([[0.0], np.cumsum(_ROW_HEIGHTS)])
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    verts = np.stack([gx, gy], axis=-1)
    ncol, nrow = len(_COL_WIDTHS), len(_ROW_HEIGHTS)
    for i in range(ncol + 1):
        for j in range(nrow + 1):
            left = _COL_WIDTHS[i - 1] if i > 0 else _COL_WIDTHS[0]
            right = _COL_WIDTHS[i] if i < ncol else _COL_WIDTHS[-1]
            down = _ROW_HEIGHTS[j - 1] if j > 0 else _ROW_HEIGHTS[0]
            up = _ROW_HEIGHTS[j] if j < nrow else _ROW_HEIGHTS[-1]
            limit = 0.2 * min(left, right, down, up)
            verts[i, j] += rng.uniform(-limit, limit, size=2)
    return verts


def _edge_points(a: np.ndarray, b: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Intermediate points of edge a->b, moved sideways by up to 0.12 x min(length, 0.08 deg)."""
    t = np.linspace(0.0, 1.0, _EDGE_POINTS + 2)[1:-1]
    base = a + t[:, None] * (b - a)
    direction = b - a
    length = float(np.hypot(*direction))
    unit_normal = np.array([-direction[1], direction[0]]) / length
    offsets = rng.uniform(-1.0, 1.0, size=_EDGE_POINTS) * 0.12 * min(length, 0.08)
    return base + offsets[:, None] * unit_normal


def district_polygons(rng: np.random.Generator) -> list[list[list[float]]]:
    """Exterior rings of the 10 district cells, ordered row by row (south first), west to east.

    Parameters
    ----------
    rng : numpy.random.Generator
        Seeded generator for the jitter.

    Returns
    -------
    list
        Ten closed, counter-clockwise rings of [lon, lat] pairs [deg], rounded to 1e-6 deg.
    """
    verts = _grid_vertices(rng)
    ncol, nrow = len(_COL_WIDTHS), len(_ROW_HEIGHTS)
    edges: dict[tuple[tuple[int, int], tuple[int, int]], np.ndarray] = {}

    def edge(p: tuple[int, int], q: tuple[int, int]) -> np.ndarray:
        """Intermediate points from corner p to corner q, shared with the neighbour cell."""
        if (q, p) in edges:
            return edges[(q, p)][::-1]
        if (p, q) not in edges:
            edges[(p, q)] = _edge_points(verts[p], verts[q], rng)
        return edges[(p, q)]

    rings: list[list[list[float]]] = []
    for j in range(nrow):
        for i in range(ncol):
            corners = [(i, j), (i + 1, j), (i + 1, j + 1), (i, j + 1)]  # counter-clockwise
            points: list[np.ndarray] = []
            for k in range(4):
                p, q = corners[k], corners[(k + 1) % 4]
                points.append(verts[p][None, :])
                points.append(edge(p, q))
            ring = np.round(np.vstack(points), 6)
            closed = np.vstack([ring, ring[:1]])
            rings.append(closed.tolist())
    return rings


def feature_collection(rings: list[list[list[float]]], properties: list[dict[str, Any]]) -> dict[str, Any]:
    """GeoJSON FeatureCollection of Polygon features (RFC 7946, EPSG:4326).

    Parameters
    ----------
    rings : list
        One exterior ring per feature.
    properties : list of dict
        One property dict per feature.

    Returns
    -------
    dict
        The FeatureCollection.
    """
    features = [
        {
            "type": "Feature",
            "id": props["code"],
            "properties": props,
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for ring, props in zip(rings, properties, strict=True)
    ]
    return {"type": "FeatureCollection", "name": "demo_city_districts", "features": features}
