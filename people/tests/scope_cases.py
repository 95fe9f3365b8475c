"""Scope cases for the register's routes; the import/export ones live in scope_cases_io.py."""

import datetime as dt

from people.tests.scope_cases_io import CASES as IO_CASES
from people.tests.scope_cases_io import OPEN_ROUTES as IO_OPEN_ROUTES
from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import ALICE_UNIT, BOB_CHOICE, BOB_UNIT, World

MARKER = "桥东居民甲"
HOUSEHOLD = "QD-MARK-1"
# Whose create forms list bob's community as a choice (the city's form takes a typed code instead).
FORM_INSIDERS = ("bob", "tom", "carl")


def _resident(world: World, unit: str = BOB_UNIT):
    from people import services
    from people.idcard import make_number

    household = services.create_household(actor=None, unit_code=unit, data={"number": HOUSEHOLD, "address": "桥东标记路1号"})
    return services.create_resident(actor=None, data={
        "name": MARKER, "id_number": make_number("131102", dt.date(1941, 2, 3), 77, "M"), "unit_code": unit,
        "phone": "13700001111", "household_id": household.pk, "relation": "head", "tags": "独居",
    })


def _unchanged(pk: int):
    def check() -> bool:
        from people.models import Household, Resident, ResidentEvent

        person = Resident.objects.get(pk=pk)
        return (person.name == MARKER and person.unit_id == BOB_UNIT and person.status == "present"
                and not ResidentEvent.objects.filter(resident=person).exclude(kind="created").exists()
                and list(Household.objects.filter(unit_id=BOB_UNIT).values_list("number", flat=True)) == [HOUSEHOLD])
    return check


def _detail(suffix: str = ""):
    def make(world: World) -> Probe:
        return Probe(url=f"/people/residents/{_resident(world).pk}/{suffix}", marker=MARKER)
    return make


def _write(suffix: str, data: dict, right: str = ""):
    def make(world: World) -> Probe:
        person = _resident(world)
        if right:  # the insider holds the right the route needs, so a refusal means scope
            from people.tests.io_helpers import grant

            world.users["bob"] = grant(world.bob, right)
        return Probe(url=f"/people/residents/{person.pk}/{suffix}", method="post", kind="write", data=data,
                      unchanged=_unchanged(person.pk))
    return make


def _household(suffix: str = ""):
    def make(world: World) -> Probe:
        person = _resident(world)
        return Probe(url=f"/people/households/{person.household_id}/{suffix}", marker=HOUSEHOLD)
    return make


def _household_post(world: World) -> Probe:
    person = _resident(world)
    return Probe(url=f"/people/households/{person.household_id}/edit/", method="post", kind="write",
                 data={"number": "CHANGED", "is_registered": "on"}, unchanged=_unchanged(person.pk))


def _list(url: str):
    def make(world: World) -> Probe:
        _resident(world)
        return Probe(url=url, kind="list", marker=MARKER)
    return make


def _household_list(world: World) -> Probe:
    _resident(world)
    return Probe(url="/people/households/", kind="list", marker=HOUSEHOLD)


def _moves(world: World) -> Probe:
    from people import services

    person = _resident(world)
    services.set_status(actor=None, resident=person, status="moved_out", on=dt.date(2024, 1, 2))
    return Probe(url="/people/moves/", kind="list", marker=MARKER)


def _create_post(world: World) -> Probe:
    from people.idcard import make_number
    from people.models import Resident

    return Probe(url="/people/residents/new/", method="post", kind="write", data={
        "name": "越权登记", "id_type": "id_card", "id_number": make_number("131102", dt.date(1960, 1, 1), 5, "F"),
        "unit_code": BOB_UNIT, "relation": "other"},
        unchanged=lambda: not Resident.objects.filter(name="越权登记").exists())


def _move_in_post(world: World) -> Probe:
    from people import crypto
    from people.models import Resident

    person = _resident(world, unit=ALICE_UNIT)
    # Outsiders cannot pull a record into a unit outside their own scope (here: bob's community, from alice's);
    # bob, the insider, can.
    return Probe(url="/people/residents/move-in/", method="post", kind="write", data={
        "id_number": crypto.decrypt(person.id_number_enc), "name": MARKER, "to_unit_code": BOB_UNIT, "moved_on": "2024-01-01"},
        unchanged=lambda: Resident.objects.get(pk=person.pk).unit_id == ALICE_UNIT)


def _household_create_post(world: World) -> Probe:
    from people.models import Household

    return Probe(url="/people/households/new/", method="post", kind="write",
                 data={"unit_code": BOB_UNIT, "number": "越权户"},
                 unchanged=lambda: not Household.objects.filter(number="越权户").exists())


def _api_detail(world: World) -> Probe:
    return Probe(url=f"/api/people/residents/{_resident(world).pk}", marker=MARKER)


def _api_patch(world: World) -> Probe:
    person = _resident(world)
    return Probe(url=f"/api/people/residents/{person.pk}", method="patch", kind="write", json=True,
                 data={"name": "外人改名"}, unchanged=_unchanged(person.pk))


def _api_household(world: World) -> Probe:
    return Probe(url=f"/api/people/households/{_resident(world).household_id}", marker=HOUSEHOLD)


def _api_household_patch(world: World) -> Probe:
    person = _resident(world)
    return Probe(url=f"/api/people/households/{person.household_id}", method="patch", kind="write", json=True,
                 data={"number": "CHANGED"}, unchanged=_unchanged(person.pk))


def _api_create(world: World) -> Probe:
    from people.idcard import make_number
    from people.models import Resident

    return Probe(url="/api/people/residents", method="post", kind="write", json=True, data={
        "name": "越权登记", "id_number": make_number("131102", dt.date(1960, 1, 1), 5, "F"), "unit_code": BOB_UNIT},
        unchanged=lambda: not Resident.objects.filter(name="越权登记").exists())


def _api_household_create(world: World) -> Probe:
    from people.models import Household

    return Probe(url="/api/people/households", method="post", kind="write", json=True,
                 data={"unit_code": BOB_UNIT, "number": "越权户"},
                 unchanged=lambda: not Household.objects.filter(number="越权户").exists())


def _api_household_list(world: World) -> Probe:
    _resident(world)
    return Probe(url="/api/people/households", kind="list", marker=HOUSEHOLD)


def _api_moves(world: World) -> Probe:
    from people import services

    person = _resident(world)
    services.set_status(actor=None, resident=person, status="moved_out", on=dt.date(2024, 1, 2))
    return Probe(url="/api/people/moves", kind="list", marker=MARKER)


CASES: list[ScopeCase] = [
    *IO_CASES,
    ScopeCase("people/residents/", _list("/people/residents/")),
    ScopeCase("people/residents/", _list(f"/people/residents/?unit={BOB_UNIT}&status=&q=居民甲")),
    ScopeCase("people/residents/new/", lambda w: Probe(url="/people/residents/new/", kind="list", marker=BOB_CHOICE),
              insiders=FORM_INSIDERS),
    ScopeCase("people/residents/new/", _create_post, methods=("post",)),
    ScopeCase("people/residents/move-in/", lambda w: Probe(url="/people/residents/move-in/", kind="list", marker=BOB_CHOICE),
              insiders=FORM_INSIDERS),
    ScopeCase("people/residents/move-in/", _move_in_post, methods=("post",)),
    ScopeCase("people/residents/<int:pk>/", _detail()),
    ScopeCase("people/residents/<int:pk>/edit/", _detail("edit/")),
    ScopeCase("people/residents/<int:pk>/edit/", _write("edit/", {"name": "外人改名", "id_type": "id_card", "relation": "other"}),
              methods=("post",)),
    ScopeCase("people/residents/<int:pk>/reveal/", _write("reveal/", {"reason": "核对低保申请材料"}, right="reveal_personal_data"),
              methods=("post",)),
    ScopeCase("people/residents/<int:pk>/move/", _detail("move/")),
    ScopeCase("people/residents/<int:pk>/move/", _write("move/", {"to_unit_code": "131102001045", "moved_on": "2024-01-01"}),
              methods=("post",)),
    ScopeCase("people/residents/<int:pk>/status/", _detail("status/")),
    ScopeCase("people/residents/<int:pk>/status/", _write("status/", {"status": "deceased", "on": "2024-01-01"}),
              methods=("post",)),
    ScopeCase("people/households/", _household_list),
    ScopeCase("people/households/new/", lambda w: Probe(url="/people/households/new/", kind="list", marker=BOB_CHOICE),
              insiders=FORM_INSIDERS),
    ScopeCase("people/households/new/", _household_create_post, methods=("post",)),
    ScopeCase("people/households/<int:pk>/", _household()),
    ScopeCase("people/households/<int:pk>/edit/", _household("edit/")),
    ScopeCase("people/households/<int:pk>/edit/", _household_post, methods=("post",)),
    ScopeCase("people/moves/", _moves),
    ScopeCase("api/people/residents", _list("/api/people/residents")),
    ScopeCase("api/people/residents", _list(f"/api/people/residents?q=居民甲&unit={BOB_UNIT}")),
    ScopeCase("api/people/residents", _api_create, methods=("post",)),
    ScopeCase("api/people/residents/<resident_id>", _api_detail),
    ScopeCase("api/people/residents/<resident_id>", _api_patch, methods=("patch",)),
    ScopeCase("api/people/households", _api_household_list),
    ScopeCase("api/people/households", _api_household_create, methods=("post",)),
    ScopeCase("api/people/households/<household_id>", _api_household),
    ScopeCase("api/people/households/<household_id>", _api_household_patch, methods=("patch",)),
    ScopeCase("api/people/moves", _api_moves),
]
OPEN_ROUTES: dict[str, str] = {
    **IO_OPEN_ROUTES,
    "people/rights/": "security admin only (404 for everyone else); lists staff accounts and their rights, no resident data",
    "people/rights/<int:user_id>/": "security admin only (404 for everyone else); changes a staff user's rights, no resident data",
}
