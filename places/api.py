"""The org tree is public information: units and their children answer without login."""

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from places.models import OrgUnit

router = Router(tags=["units"])


class UnitOut(Schema):
    code: str
    name: str
    level: str
    type: str
    parent_code: str | None
    child_count: int


def _out(unit: OrgUnit) -> dict[str, object]:
    return {
        "code": unit.code, "name": unit.name, "level": unit.level, "type": unit.kind,
        "parent_code": unit.parent_id, "child_count": unit.child_count,
    }


@router.get("/{code}", auth=None, response=UnitOut, summary="One unit of the division tree")
def unit_detail(request: HttpRequest, code: str) -> dict[str, object]:
    return _out(get_object_or_404(OrgUnit, code=code))


@router.get("/{code}/children", auth=None, response=list[UnitOut], summary="The direct children of a unit")
def unit_children(request: HttpRequest, code: str) -> list[dict[str, object]]:
    unit = get_object_or_404(OrgUnit, code=code)
    return [_out(child) for child in unit.children.order_by("code")]
