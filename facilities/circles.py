"""15-minute circles (15分钟生活圈／健身圈): which households lie within a radius of a point.

Distances are great-circle ("straight-line") distances. Points are placed on the unit
sphere in 3-D, where the chord between two points grows with their great-circle
distance, so "within r metres" is "chord ≤ 2·sin(r / 2R)": exact, no map projection.
The indexed method asks a KD-tree (scipy cKDTree) for each household's nearest point;
the brute-force method compares every household with every point. Both use the same
test, so they agree exactly; bench/facilities_circles.py times them.
"""

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8
BRUTE_CHUNK = 256

Array = NDArray[np.float64]


def to_xyz(lat: Array | list[float], lng: Array | list[float]) -> Array:
    """Unit-sphere coordinates of (lat, lng) in degrees, shape (n, 3)."""
    la, ln = np.radians(np.asarray(lat, dtype=np.float64)), np.radians(np.asarray(lng, dtype=np.float64))
    cos_la = np.cos(la)
    return np.column_stack([cos_la * np.cos(ln), cos_la * np.sin(ln), np.sin(la)])


def chord(radius_m: float) -> float:
    return float(2.0 * np.sin(min(radius_m / EARTH_RADIUS_M, np.pi) / 2.0))


def covered_indexed(homes: Array, points: Array, radius_m: float) -> NDArray[np.bool_]:
    """For each home, whether some point lies within radius_m (KD-tree, O(n log m))."""
    if len(homes) == 0 or len(points) == 0:
        return np.zeros(len(homes), dtype=bool)
    limit = chord(radius_m)
    tree = cKDTree(points)
    # Ask a little beyond the limit, then apply the exact test both methods share.
    distance, _ = tree.query(homes, k=1, distance_upper_bound=limit * (1 + 1e-9) + 1e-15)
    return np.asarray(distance <= limit)


def covered_brute(homes: Array, points: Array, radius_m: float) -> NDArray[np.bool_]:
    """The same answer by comparing every home with every point (O(n·m)); the baseline."""
    result = np.zeros(len(homes), dtype=bool)
    if len(homes) == 0 or len(points) == 0:
        return result
    limit = chord(radius_m)
    for start in range(0, len(homes), BRUTE_CHUNK):
        block = homes[start:start + BRUTE_CHUNK]
        diff = block[:, None, :] - points[None, :, :]
        nearest = np.sqrt(np.min(np.einsum("ijk,ijk->ij", diff, diff), axis=1))
        result[start:start + len(block)] = nearest <= limit
    return result


def coverage_by_unit(units: list[str], lat: list[float], lng: list[float], point_lat: list[float],
                     point_lng: list[float], radius_m: float, *, brute: bool = False) -> dict[str, tuple[int, int]]:
    """{unit code: (households covered, households with coordinates)}."""
    if not units:
        return {}
    homes, points = to_xyz(lat, lng), to_xyz(point_lat, point_lng)
    covered = (covered_brute if brute else covered_indexed)(homes, points, radius_m)
    positions: dict[str, int] = {}
    index = np.fromiter((positions.setdefault(u, len(positions)) for u in units), dtype=np.int64, count=len(units))
    codes = list(positions)
    total = np.bincount(index, minlength=len(codes))
    hit = np.bincount(index, weights=covered.astype(np.float64), minlength=len(codes))
    return {str(code): (int(h), int(t)) for code, h, t in zip(codes, hit, total)}
