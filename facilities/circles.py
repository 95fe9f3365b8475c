"""15-minute circles (15分钟生活圈／健身圈): which households lie within a radius of a point.

Distances are great-circle ("straight-line") distances. Points are placed on the unit
sphere in 3-D, where the chord between two points grows with their great-circle
distance, so "within r metres" is "chord ≤ 2·sin(r / 2R)": exact, no map projection.
The indexed method asks a KD-tree (scipy cKDTree) for each household's nearest point;
the brute-force method compares every household with every point. Both use the same
test, so they agree exactly; bench/facilities_circles.py times them.
"""

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice

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


@contextmanager
def _collector_paused() -> Iterator[None]:
    """The rows are a million acyclic tuples: a cyclic-garbage collection during the load only rescans them (~2 s)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _arrays(chunk: list[tuple[str, float, float]], positions: dict[str, int]) -> tuple[NDArray[np.int64], Array, Array]:
    units, lats, lngs = zip(*chunk)
    index = [positions.setdefault(unit, len(positions)) for unit in units]
    return np.asarray(index, dtype=np.int64), np.asarray(lats, dtype=np.float64), np.asarray(lngs, dtype=np.float64)


@dataclass
class Homes:
    """Households with coordinates as arrays: unit codes once, each home's index into them, lat and lng."""

    codes: list[str]
    index: NDArray[np.int64]
    lat: Array
    lng: Array

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, float, float]], batch: int = 50_000) -> "Homes":
        """Built batch by batch, so 1.5 million households never exist as Python objects at once."""
        positions: dict[str, int] = {}
        source = iter(rows)
        with _collector_paused():
            parts = [_arrays(chunk, positions) for chunk in iter(lambda: list(islice(source, batch)), [])]
        if not parts:
            return cls([], np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))
        return cls(list(positions), np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]),
                   np.concatenate([p[2] for p in parts]))

    def __len__(self) -> int:
        return len(self.index)


def coverage_of(homes: Homes, point_lat: list[float], point_lng: list[float], radius_m: float, *,
                brute: bool = False) -> dict[str, tuple[int, int]]:
    """{unit code: (households covered, households with coordinates)}."""
    if not len(homes):
        return {}
    points = to_xyz(point_lat, point_lng)
    covered = (covered_brute if brute else covered_indexed)(to_xyz(homes.lat, homes.lng), points, radius_m)
    total = np.bincount(homes.index, minlength=len(homes.codes))
    hit = np.bincount(homes.index, weights=covered.astype(np.float64), minlength=len(homes.codes))
    return {str(code): (int(h), int(t)) for code, h, t in zip(homes.codes, hit, total)}


def coverage_by_unit(units: list[str], lat: list[float], lng: list[float], point_lat: list[float],
                     point_lng: list[float], radius_m: float, *, brute: bool = False) -> dict[str, tuple[int, int]]:
    """{unit code: (households covered, households with coordinates)} from parallel lists."""
    return coverage_of(Homes.from_rows(zip(units, lat, lng)), point_lat, point_lng, radius_m, brute=brute)
