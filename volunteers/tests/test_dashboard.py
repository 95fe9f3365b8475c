"""Dashboards: figures of a subtree computed by hand, each exported as .xlsx and read back by cells."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from people.tests.factories import id_number, resident
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, World
from volunteers import dashboard
from volunteers.models import ServiceRecord
from volunteers.tests.factories import past_activity, volunteer


def _at(month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(timezone.localdate().year - 1, month, day, hour, tzinfo=timezone.get_current_timezone())


@pytest.mark.django_db
def test_the_figures_of_a_community_match_a_hand_count(world: World, login) -> None:
    for i in range(4):
        resident(BOB_UNIT, name="居民" + "甲乙丙丁"[i])
    one = volunteer(world.bob, name="甲", id_number=id_number(dt.date(1980, 1, 1)))
    volunteer(world.bob, name="乙", id_number=id_number(dt.date(1981, 1, 1)))
    volunteer(world.alice, unit=ALICE_UNIT, name="外村", id_number=id_number(dt.date(1982, 1, 1)))
    year = timezone.localdate().year - 1
    # 9–11 and 10–12 on 31 Jan, and 23:00 on 31 Jan to 01:00 on 1 Feb: January 4 h, February 1 h.
    for start, end in ((_at(1, 31, 9), _at(1, 31, 11)), (_at(1, 31, 10), _at(1, 31, 12)),
                       (_at(1, 31, 23), _at(1, 31, 23) + dt.timedelta(hours=2))):
        ServiceRecord.objects.create(volunteer=one, activity_name="x", unit_id=BOB_UNIT, imported=True, confirmed=True,
                                     started_at=start, ended_at=end)
    activity = past_activity(title="助老", days_ago=1)
    activity.starts_at, activity.ends_at, activity.target_group = _at(3, 1, 9), _at(3, 1, 11), "empty_nest"
    activity.save()
    o = dashboard.overview(world.unit(BOB_UNIT).prefix, year)
    residents = o["residents"]
    assert (o["volunteers"], o["active"], o["active_share"]) == (2, 1, 0.5)
    assert o["per_10k"] == round(2 * 10000 / residents, 1)
    months = dict(dashboard.hours_by_month(world.unit(BOB_UNIT).prefix, year))
    assert (months[f"{year}-01"], months[f"{year}-02"], months[f"{year}-03"]) == (4.0, 1.0, 0.0)
    assert dict(dashboard.activities_by_target(world.unit(BOB_UNIT).prefix, year))["空巢老人"] == 1
    page = login(world.bob).get(f"/volunteers/dashboard/?year={year}")
    assert page.status_code == 200 and "50.0%" in page.content.decode() and "months-data" in page.content.decode()
    response = login(world.bob).get(f"/volunteers/dashboard/months.xlsx?unit={BOB_UNIT}&year={year}")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[1] == ["月份", "服务时长（小时）"] and rows[2] == [f"{year}-01", 4.0] and rows[3] == [f"{year}-02", 1.0]
    overview = load_workbook(io.BytesIO(login(world.bob).get(f"/volunteers/dashboard/overview.xlsx?year={year}").content)).active
    cell = overview.cell(row=3, column=5)
    assert cell.value == 0.5 and cell.number_format == "0.0%"


@pytest.mark.django_db
def test_a_dashboard_outside_the_scope_or_unknown_is_not_found(world: World, login) -> None:
    assert login(world.bob).get(f"/volunteers/dashboard/?unit={ALICE_UNIT}").status_code == 404
    assert login(world.bob).get("/volunteers/dashboard/nothing.xlsx").status_code == 404
    assert login(world.rita).get("/volunteers/dashboard/").status_code == 404
