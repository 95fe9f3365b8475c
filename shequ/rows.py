"""A function that builds an unsaved row, turned into one that also saves it: one signature for both."""

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db.models import Model

P = ParamSpec("P")
M = TypeVar("M", bound=Model)


def saving(build: Callable[P, M]) -> Callable[P, M]:
    def build_and_save(*args: P.args, **kwargs: P.kwargs) -> M:
        row = build(*args, **kwargs)
        row.save()
        return row

    return build_and_save
