"""Every facilities route, probed by outsiders against objects in bob's community (桥东社区)."""

import datetime as dt
from decimal import Decimal
from io import BytesIO

from django.utils import timezone

from shequ.testing.media import photo_file, png_upload
from shequ.testing.scope import Probe, ScopeCase
from shequ.testing.world import BOB_UNIT, World

MARK = "QD-FAC-MARK"
POINT_MARK = "QD-PT-MARK"
SPACE_MARK = "QD-SPACE-MARK"
BOOKING_MARK = "QD-BOOK-MARK"
BOB_NAME = "桥东社区"
# The indicator that bob's facility counts in (a city community with a comprehensive facility).
COVERED = '城市社区综合服务设施覆盖率", "numerator": 1.0'
# A blank create form shows no one's data but the user's own unit, prefilled: only bob's shows his.
OWN_UNIT_FORM = ("bob",)
BOB_PREFILLED = f'name="unit_code" value="{BOB_UNIT}"'


def _facility(world: World):
    from facilities.models import Facility

    facility, _ = Facility.objects.get_or_create(
        unit_id=BOB_UNIT, name=MARK,
        defaults={"kind": "comprehensive", "building_area": Decimal(500), "activity_area": Decimal(300), "lat": 37.74, "lng": 115.70})
    return facility


def _point(world: World):
    from facilities.models import ServicePoint

    point, _ = ServicePoint.objects.get_or_create(unit_id=BOB_UNIT, name=POINT_MARK, defaults={"kind": "supermarket"})
    return point


def _space(world: World):
    from facilities.models import Space

    space, _ = Space.objects.get_or_create(unit_id=BOB_UNIT, name=SPACE_MARK,
                                           defaults={"kind": "meeting", "host": "桥东小学", "capacity": 30, "rule": "approval"})
    return space


def _booking(world: World):
    from facilities.models import Booking

    space = _space(world)
    starts = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=3)
    booking, _ = Booking.objects.get_or_create(
        space=space, starts_at=starts,
        defaults={"unit_id": BOB_UNIT, "booker": world.bob, "purpose": BOOKING_MARK, "ends_at": starts + dt.timedelta(hours=1)})
    return booking


def _photo(world: World):
    """A real stored photo, so that an outsider's 404 means refusal, not a missing file."""
    from facilities.models import FacilityPhoto

    photo = FacilityPhoto.objects.filter(facility=_facility(world)).first()
    if photo is None:
        upload, _ = photo_file()
        photo = FacilityPhoto(facility=_facility(world), checksum="x" * 64)
        photo.image.save("probe.png", upload, save=True)
    return photo


def _photo_probe(world: World) -> Probe:
    return Probe(url=f"/facilities/photos/{_photo(world).pk}/", marker=photo_file()[1])


def _no_facility(name: str):
    def unchanged() -> bool:
        from facilities.models import Facility

        return not Facility.objects.filter(name=name).exists()
    return unchanged


def _facility_unchanged(world: World):
    facility = _facility(world)

    def unchanged() -> bool:
        facility.refresh_from_db()
        return facility.name == MARK and facility.building_area == Decimal(500)
    return unchanged


def _point_unchanged(world: World):
    point = _point(world)

    def unchanged() -> bool:
        point.refresh_from_db()
        return point.name == POINT_MARK and point.operator == ""
    return unchanged


def _booking_unchanged(world: World):
    booking = _booking(world)

    def unchanged() -> bool:
        booking.refresh_from_db()
        return booking.status == "pending"
    return unchanged


FACILITY_POST = {
    "unit_code": BOB_UNIT, "name": "外人登记的设施", "kind": "comprehensive", "status": "in_use", "building_area": "100",
    "activity_area": "50", "office_area": "10",
}


def _facility_create(world: World) -> Probe:
    return Probe(url="/facilities/new/", method="post", kind="write", data=FACILITY_POST,
                 unchanged=_no_facility("外人登记的设施"))


def _facility_edit_post(world: World) -> Probe:
    pk = _facility(world).pk
    return Probe(url=f"/facilities/{pk}/edit/", method="post", kind="write",
                 data=FACILITY_POST | {"name": MARK, "building_area": "900"}, unchanged=_facility_unchanged(world))


def _photo_add(world: World) -> Probe:
    from facilities.models import FacilityPhoto

    facility = _facility(world)
    return Probe(url=f"/facilities/{facility.pk}/photos/", method="post", kind="write",
                 data={"image": png_upload(), "caption": "外人上传"},
                 unchanged=lambda: not FacilityPhoto.objects.filter(facility=facility).exists())


def _photo_delete(world: World) -> Probe:
    from facilities.models import FacilityPhoto

    photo = _photo(world)
    return Probe(url=f"/facilities/photos/{photo.pk}/delete/", method="post", kind="write",
                 unchanged=lambda: FacilityPhoto.objects.filter(pk=photo.pk).exists())


def _import_post(world: World) -> Probe:
    from facilities.importers import FACILITY_COLUMNS
    from facilities.tests.helpers import workbook

    def data() -> dict[str, object]:
        stream: BytesIO = workbook([c.header for c in FACILITY_COLUMNS], [[BOB_UNIT, "外人导入的设施", "健身场地", "在用"]])
        stream.name = "x.xlsx"
        return {"which": "facilities", "file": stream}

    class Fresh(dict):
        """A fresh file for every outsider's request."""

        def items(self):
            return data().items()

    return Probe(url="/facilities/import/", method="post", kind="write", data=Fresh(data()),
                 unchanged=_no_facility("外人导入的设施"))


POINT_POST = {"unit_code": BOB_UNIT, "name": "外人登记的网点", "kind": "pharmacy", "status": "in_use"}


def _point_create(world: World) -> Probe:
    from facilities.models import ServicePoint

    return Probe(url="/facilities/points/new/", method="post", kind="write", data=POINT_POST,
                 unchanged=lambda: not ServicePoint.objects.filter(name="外人登记的网点").exists())


def _point_edit_post(world: World) -> Probe:
    pk = _point(world).pk
    return Probe(url=f"/facilities/points/{pk}/edit/", method="post", kind="write",
                 data=POINT_POST | {"name": POINT_MARK, "kind": "supermarket", "operator": "外人"},
                 unchanged=_point_unchanged(world))


def _profile_post(world: World) -> Probe:
    from facilities.models import CommunityProfile

    return Probe(url=f"/facilities/units/{BOB_UNIT}/profile/", method="post", kind="write",
                 data={"total_building_area": "1000", "commercial_service_area": "100"},
                 unchanged=lambda: not CommunityProfile.objects.filter(unit_id=BOB_UNIT).exists())


def _space_create(world: World) -> Probe:
    from facilities.models import Space

    return Probe(url="/facilities/spaces/new/", method="post", kind="write", data={
        "unit_code": BOB_UNIT, "name": "外人开放的场地", "kind": "parking", "host": "某单位", "capacity": "5", "rule": "free",
        "opens_at": "08:00", "closes_at": "18:00", "slot_minutes": "60", "weekdays": ["0", "1"],
    }, unchanged=lambda: not Space.objects.filter(name="外人开放的场地").exists())


def _next_slot() -> str:
    return (timezone.localtime() + dt.timedelta(days=4)).strftime("%Y-%m-%dT10:00")


def _book_post(world: World) -> Probe:
    from facilities.models import Booking

    space = _space(world)
    return Probe(url=f"/facilities/spaces/{space.pk}/", method="post", kind="write",
                 data={"starts_at": _next_slot(), "slots": "1", "purpose": "外人预约", "attendees": "2"},
                 unchanged=lambda: not Booking.objects.filter(purpose="外人预约").exists())


def _booking_action(action: str):
    def make(world: World) -> Probe:
        booking = _booking(world)
        return Probe(url=f"/facilities/bookings/{booking.pk}/{action}/", method="post", kind="write",
                     data={"note": "外人意见", "confirm": "1"}, unchanged=_booking_unchanged(world))
    return make


def _api_facility_create(world: World) -> Probe:
    return Probe(url="/api/facilities/facilities", method="post", kind="write", json=True,
                 data={"unit_code": BOB_UNIT, "name": "外人API设施", "kind": "fitness"}, unchanged=_no_facility("外人API设施"))


def _api_facility_put(world: World) -> Probe:
    pk = _facility(world).pk
    return Probe(url=f"/api/facilities/facilities/{pk}", method="put", kind="write", json=True,
                 data={"unit_code": BOB_UNIT, "name": MARK, "kind": "comprehensive", "building_area": 900},
                 unchanged=_facility_unchanged(world))


def _api_point_create(world: World) -> Probe:
    from facilities.models import ServicePoint

    return Probe(url="/api/facilities/points", method="post", kind="write", json=True,
                 data={"unit_code": BOB_UNIT, "name": "外人API网点", "kind": "bank"},
                 unchanged=lambda: not ServicePoint.objects.filter(name="外人API网点").exists())


def _api_point_put(world: World) -> Probe:
    pk = _point(world).pk
    return Probe(url=f"/api/facilities/points/{pk}", method="put", kind="write", json=True,
                 data={"unit_code": BOB_UNIT, "name": POINT_MARK, "kind": "supermarket", "operator": "外人"},
                 unchanged=_point_unchanged(world))


def _api_book(world: World) -> Probe:
    from facilities.models import Booking

    space = _space(world)
    return Probe(url=f"/api/facilities/spaces/{space.pk}/bookings", method="post", kind="write", json=True,
                 data={"starts_at": _next_slot(), "purpose": "外人API预约"},
                 unchanged=lambda: not Booking.objects.filter(purpose="外人API预约").exists())


CASES = [
    ScopeCase("facilities/", lambda w: Probe(url="/facilities/?status=in_use", kind="list", marker=(_facility(w), MARK)[1])),
    ScopeCase("facilities/export/", lambda w: Probe(url="/facilities/export/", kind="list", marker=(_facility(w), MARK)[1])),
    ScopeCase("facilities/new/", lambda w: Probe(url="/facilities/new/", kind="list", marker=BOB_PREFILLED),
              insiders=OWN_UNIT_FORM),
    ScopeCase("facilities/new/", _facility_create, methods=("post",)),
    ScopeCase("facilities/<int:pk>/", lambda w: Probe(url=f"/facilities/{_facility(w).pk}/", marker=MARK)),
    ScopeCase("facilities/<int:pk>/edit/", lambda w: Probe(url=f"/facilities/{_facility(w).pk}/edit/", marker=MARK)),
    ScopeCase("facilities/<int:pk>/edit/", _facility_edit_post, methods=("post",)),
    ScopeCase("facilities/<int:pk>/photos/", _photo_add, methods=("post",)),
    ScopeCase("facilities/photos/<int:pk>/", _photo_probe),
    ScopeCase("facilities/photos/<int:pk>/delete/", _photo_delete, methods=("post",)),
    ScopeCase("facilities/import/", lambda w: Probe(url="/facilities/import/", kind="list", marker=f"/facilities/units/{BOB_UNIT}/"),
              insiders=OWN_UNIT_FORM),
    ScopeCase("facilities/import/", _import_post, methods=("post",)),
    ScopeCase("facilities/points/", lambda w: Probe(url="/facilities/points/", kind="list", marker=(_point(w), POINT_MARK)[1])),
    ScopeCase("facilities/points/export/",
              lambda w: Probe(url="/facilities/points/export/", kind="list", marker=(_point(w), POINT_MARK)[1])),
    ScopeCase("facilities/points/new/", lambda w: Probe(url="/facilities/points/new/", kind="list", marker=BOB_PREFILLED),
              insiders=OWN_UNIT_FORM),
    ScopeCase("facilities/points/new/", _point_create, methods=("post",)),
    ScopeCase("facilities/points/<int:pk>/", lambda w: Probe(url=f"/facilities/points/{_point(w).pk}/", marker=POINT_MARK)),
    ScopeCase("facilities/points/<int:pk>/edit/", lambda w: Probe(url=f"/facilities/points/{_point(w).pk}/edit/", marker=POINT_MARK)),
    ScopeCase("facilities/points/<int:pk>/edit/", _point_edit_post, methods=("post",)),
    ScopeCase("facilities/units/<str:code>/", lambda w: Probe(url=f"/facilities/units/{BOB_UNIT}/", marker=(_facility(w), MARK)[1])),
    ScopeCase("facilities/units/<str:code>/map/", lambda w: Probe(url=f"/facilities/units/{BOB_UNIT}/map/", marker=(_facility(w), MARK)[1])),
    ScopeCase("facilities/units/<str:code>/profile/", lambda w: Probe(url=f"/facilities/units/{BOB_UNIT}/profile/", marker=BOB_NAME)),
    ScopeCase("facilities/units/<str:code>/profile/", _profile_post, methods=("post",)),
    ScopeCase("facilities/spaces/", lambda w: Probe(url="/facilities/spaces/", kind="list", marker=(_space(w), SPACE_MARK)[1])),
    ScopeCase("facilities/spaces/new/", lambda w: Probe(url="/facilities/spaces/new/", kind="list", marker=BOB_PREFILLED),
              insiders=OWN_UNIT_FORM),
    ScopeCase("facilities/spaces/new/", _space_create, methods=("post",)),
    ScopeCase("facilities/spaces/<int:pk>/", lambda w: Probe(url=f"/facilities/spaces/{_space(w).pk}/", marker=SPACE_MARK)),
    ScopeCase("facilities/spaces/<int:pk>/", _book_post, methods=("post",)),
    ScopeCase("facilities/bookings/", lambda w: Probe(url="/facilities/bookings/", kind="list", marker=(_booking(w), BOOKING_MARK)[1])),
    ScopeCase("facilities/bookings/<int:pk>/", lambda w: Probe(url=f"/facilities/bookings/{_booking(w).pk}/", marker=BOOKING_MARK)),
    ScopeCase("facilities/bookings/<int:pk>/approve/", _booking_action("approve"), methods=("post",)),
    ScopeCase("facilities/bookings/<int:pk>/reject/", _booking_action("reject"), methods=("post",)),
    ScopeCase("facilities/bookings/<int:pk>/cancel/", _booking_action("cancel"), methods=("post",)),
    ScopeCase("api/facilities/facilities",
              lambda w: Probe(url="/api/facilities/facilities", kind="list", marker=(_facility(w), MARK)[1])),
    ScopeCase("api/facilities/facilities", _api_facility_create, methods=("post",)),
    ScopeCase("api/facilities/facilities/<facility_id>", lambda w: Probe(url=f"/api/facilities/facilities/{_facility(w).pk}", marker=MARK)),
    ScopeCase("api/facilities/facilities/<facility_id>", _api_facility_put, methods=("put",)),
    ScopeCase("api/facilities/points", lambda w: Probe(url="/api/facilities/points", kind="list", marker=(_point(w), POINT_MARK)[1])),
    ScopeCase("api/facilities/points", _api_point_create, methods=("post",)),
    ScopeCase("api/facilities/points/<point_id>", lambda w: Probe(url=f"/api/facilities/points/{_point(w).pk}", marker=POINT_MARK)),
    ScopeCase("api/facilities/points/<point_id>", _api_point_put, methods=("put",)),
    ScopeCase("api/facilities/units/<code>/indicators", lambda w: Probe(url=f"/api/facilities/units/{BOB_UNIT}/indicators", marker=(_facility(w), COVERED)[1])),
    ScopeCase("api/facilities/spaces", lambda w: Probe(url="/api/facilities/spaces", kind="list", marker=(_space(w), SPACE_MARK)[1])),
    ScopeCase("api/facilities/spaces/<space_id>", lambda w: Probe(url=f"/api/facilities/spaces/{_space(w).pk}", marker=SPACE_MARK)),
    ScopeCase("api/facilities/spaces/<space_id>/bookings", _api_book, methods=("post",)),
    ScopeCase("api/facilities/bookings",
              lambda w: Probe(url="/api/facilities/bookings", kind="list", marker=(_booking(w), BOOKING_MARK)[1])),
    ScopeCase("api/facilities/bookings/<booking_id>", lambda w: Probe(url=f"/api/facilities/bookings/{_booking(w).pk}", marker=BOOKING_MARK)),
]

OPEN_ROUTES = {
    "facilities/templates/<str:which>/": "a blank Excel template: headers and instructions, no place's data",
}
