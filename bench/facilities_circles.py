"""Bench: 15-minute-circle coverage for the whole city, KD-tree vs brute force.

    .venv/bin/python bench/facilities_circles.py                 # 1.2 million households, in memory
    .venv/bin/python bench/facilities_circles.py --households 200000 --radius 1000
    .venv/bin/python bench/facilities_circles.py --from-db       # read households and sites from the database

Synthetic city (deterministic): every one of the 5,118 village-level units of the real
tree gets a centre near its county (as people/seed.py places them); 1.2 million
households are spread around those centres (±450 m), more in urban communities; a
fitness site stands near the centre of ~75% of the units, and 12,000 service points
are scattered around the centres. Both methods compute, per unit, how many households
lie within the radius of a site (facilities.circles.coverage_by_unit). Prints both
timings, the ratio brute ÷ indexed (target ≥ 20), and checks that the per-unit counts
are identical (on the whole city, or on a sample with --brute-sample).
"""

import argparse
import csv
import hashlib
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")

COUNTY_CENTRES = {  # as in people/seed.py
    "131102": (37.73, 115.68), "131182": (38.00, 115.56), "131127": (37.69, 116.27), "131126": (37.35, 115.97),
    "131121": (37.51, 115.72), "131125": (38.23, 115.52), "131103": (37.55, 115.58), "131128": (37.86, 116.15),
    "131122": (37.80, 115.89), "131124": (38.24, 115.73), "131123": (38.04, 115.98), "131171": (37.78, 115.74),
    "131172": (37.60, 115.62),
}


def noise(code: str, salt: str) -> float:
    return int.from_bytes(hashlib.sha256(f"{salt}:{code}".encode()).digest()[:8], "big") / 2**64


def synthetic_city(households: int, points: int, seed: int = 20201101) -> tuple[list[str], np.ndarray, np.ndarray,
                                                                                    np.ndarray, np.ndarray]:
    rows = [r for r in csv.DictReader(open(ROOT / "places" / "data" / "hengshui_divisions.csv", encoding="utf-8"))
            if r["level"] == "village"]
    codes = [r["code"] for r in rows]
    urban = np.array([not r["name"].endswith("村民委员会") for r in rows])
    centres = np.array([
        (COUNTY_CENTRES.get(c[:6], (37.74, 115.67))[0] + (noise(c[:9], "lat") - 0.5) * 0.20 + (noise(c, "lat") - 0.5) * 0.05,
         COUNTY_CENTRES.get(c[:6], (37.74, 115.67))[1] + (noise(c[:9], "lng") - 0.5) * 0.24 + (noise(c, "lng") - 0.5) * 0.06)
        for c in codes
    ])
    rng = np.random.default_rng(seed)
    weights = np.where(urban, 2.5, 1.0)
    unit_of_home = rng.choice(len(codes), size=households, p=weights / weights.sum())
    home_lat = centres[unit_of_home, 0] + rng.uniform(-0.004, 0.004, households)
    home_lng = centres[unit_of_home, 1] + rng.uniform(-0.005, 0.005, households)
    with_site = np.array([noise(c, "fitness") < 0.75 for c in codes])
    site_lat = np.concatenate([centres[with_site, 0] + rng.uniform(-0.0015, 0.0015, with_site.sum()),
                               centres[rng.integers(0, len(codes), points), 0] + rng.uniform(-0.006, 0.006, points)])
    site_lng = np.concatenate([centres[with_site, 1] + rng.uniform(-0.0015, 0.0015, with_site.sum()),
                               centres[rng.integers(0, len(codes), points), 1] + rng.uniform(-0.006, 0.006, points)])
    units = [codes[i] for i in unit_of_home]
    return units, home_lat, home_lng, site_lat, site_lng


def from_database() -> tuple[list[str], list[float], list[float], list[float], list[float]]:
    import django

    django.setup()
    from django.utils import timezone

    from facilities import selectors

    units, lat, lng = selectors.household_points("1311")
    site_lat, site_lng = selectors.target_points(selectors.FITNESS, timezone.localdate())
    return units, lat, lng, site_lat, site_lng


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=1_200_000)
    parser.add_argument("--points", type=int, default=0, help="extra scattered sites besides the fitness sites (default 0)")
    parser.add_argument("--radius", type=float, default=1000.0)
    parser.add_argument("--brute-sample", type=int, default=0,
                        help="time brute force on this many households and scale up linearly (0 = the whole city)")
    parser.add_argument("--from-db", action="store_true")
    args = parser.parse_args()

    from facilities.circles import coverage_by_unit

    t0 = time.perf_counter()
    if args.from_db:
        units, lat, lng, site_lat, site_lng = from_database()
    else:
        units, lat, lng, site_lat, site_lng = synthetic_city(args.households, args.points)  # type: ignore[assignment]  # the synthetic city returns arrays where the real loader returns lists
    print(f"households: {len(units):,}   sites: {len(site_lat):,}   units: {len(set(units)):,}   "
          f"radius: {args.radius:.0f} m   (prepared in {time.perf_counter() - t0:.1f} s)")
    if not len(units) or not len(site_lat):
        print("nothing to measure (no households or no sites)")
        return

    t0, c0 = time.perf_counter(), time.process_time()
    indexed = coverage_by_unit(units, lat, lng, site_lat, site_lng, args.radius)
    t_indexed, c_indexed = time.perf_counter() - t0, time.process_time() - c0
    covered = sum(c for c, _ in indexed.values())
    print(f"indexed (KD-tree):  {t_indexed:8.2f} s wall, {c_indexed:8.2f} s CPU   "
          f"covered {covered:,} of {len(units):,} ({covered / len(units):.1%})")

    n = len(units) if not args.brute_sample else min(args.brute_sample, len(units))
    step = max(1, len(units) // n)
    sample = slice(0, len(units), step) if args.brute_sample else slice(None)
    s_units, s_lat, s_lng = list(units[sample]), np.asarray(lat)[sample], np.asarray(lng)[sample]
    t0, c0 = time.perf_counter(), time.process_time()
    brute = coverage_by_unit(s_units, list(s_lat), list(s_lng), site_lat, site_lng, args.radius, brute=True)
    scale = len(units) / len(s_units)
    t_brute, c_brute = (time.perf_counter() - t0) * scale, (time.process_time() - c0) * scale
    label = "brute force (all pairs)" if not args.brute_sample else f"brute force (all pairs, {len(s_units):,} timed, scaled)"
    print(f"{label}: {t_brute:8.2f} s wall, {c_brute:8.2f} s CPU")

    expected = indexed if not args.brute_sample else coverage_by_unit(s_units, list(s_lat), list(s_lng), site_lat, site_lng,
                                                                      args.radius)
    identical = expected == brute
    print(f"identical per-unit results: {identical}   ({len(brute):,} units compared)")
    # CPU time is the fair measure on a shared machine (both methods run on one core); wall time is shown too.
    ratio = c_brute / c_indexed
    print(f"ratio brute ÷ indexed: {ratio:.1f}× CPU, {t_brute / t_indexed:.1f}× wall   "
          f"(target ≥ 20×: {'met' if ratio >= 20 else 'NOT met'})")
    if not identical:
        sys.exit(1)


if __name__ == "__main__":
    main()
