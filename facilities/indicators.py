"""Indicator values for the planning module.

PROVIDES maps an indicator code (planning/data/indicators.json) to a function
(start, end) -> {unit code: (numerator, denominator)}, for every lowest-level unit the
indicator is measured on (12-digit village/community codes; township codes for the
township-level ones), as of `end`. Planning sums numerators and denominators up the
tree by code prefix. The formulas are in docs/facilities.md.
"""

import datetime as dt
from collections.abc import Callable
from functools import partial

from facilities import selectors


def _as_of_end(code: str, start: dt.date, end: dt.date, prefix: str = selectors.CITY_PREFIX) -> dict[str, tuple[float, float]]:
    """prefix= narrows to a subtree (the planning engine asks for one unit when it updates incrementally)."""
    return selectors.measure(code, prefix or selectors.CITY_PREFIX, end)


PROVIDES: dict[str, Callable[[dt.date, dt.date], dict[str, tuple[float, float]]]] = {
    code: partial(_as_of_end, code) for code in selectors.MEASURES
}
