"""Find the indicator providers: ``<app>/indicators.py`` with ``PROVIDES = {code: function(start, end)}``.

Each function returns {unit_code: (numerator, denominator)} for the lowest-level units the
indicator is measured on, as of ``end``. Planning imports providers; providers never import
planning. An indicator with no provider installed is entered by hand (reported).
"""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

Provider = Callable[[dt.date, dt.date], dict[str, tuple[float, float]]]

# Registered by tests and benches (code -> (app label, function)); win over discovered ones.
_extra: dict[str, tuple[str, Provider]] = {}
_state = {"exclusive": False}


def discover() -> dict[str, tuple[str, Provider]]:
    """Every installed provider: indicator code -> (app name, function)."""
    found: dict[str, tuple[str, Provider]] = {}
    for config in [] if _state["exclusive"] else apps.get_app_configs():
        name = config.name
        if name == "planning" or "." in name:
            continue
        if find_spec(f"{name}.indicators") is None:
            continue
        module = import_module(f"{name}.indicators")
        for code, function in getattr(module, "PROVIDES", {}).items():
            found[code] = (name, function)
    found.update(_extra)
    return found


@contextmanager
def registered(providers: dict[str, Provider], app: str = "test", *, exclusive: bool | None = None) -> Iterator[None]:
    """Install providers for the duration of a block (tests, benches); exclusive=True hides the discovered ones."""
    saved, saved_state = dict(_extra), dict(_state)
    _extra.update({code: (app, function) for code, function in providers.items()})
    if exclusive is not None:
        _state["exclusive"] = exclusive
    try:
        yield
    finally:
        _extra.clear()
        _extra.update(saved)
        _state.update(saved_state)
