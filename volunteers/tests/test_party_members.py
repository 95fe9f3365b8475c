"""在职党员到社区报到: rosters (by hand and from Excel), reports confirmed by the community, the computed rate."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from people.tests.factories import id_number
from places.models import Department
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, HEDONG, World
from volunteers import services
from volunteers.importers import PARTY_COLUMNS, import_party_members
from volunteers.indicators import party_member_reporting_coverage, reporting_by_work_unit
from volunteers.models import PartyMember, PartyReport

END = dt.date(2025, 12, 31)


def _member(world: World, residence: str = BOB_UNIT, dept: str = "civil_affairs", name: str = "党员甲") -> PartyMember:
    return services.add_party_member(actor=None, name=name, id_number=id_number(), phone="",
                                     work_unit=Department.objects.get(code=dept), residence_code=residence)


def _reported(world: World, member: PartyMember, on: dt.date, *, confirm: bool = True) -> PartyReport:
    actor = world.bob if member.residence_id == BOB_UNIT else world.alice
    report = services.report_to_community(actor=actor, member=member, reported_on=on, posts=["volunteer"])
    return services.confirm_report(actor=actor, report=report) if confirm else report


@pytest.mark.django_db
def test_it_computes_the_reporting_rate_from_confirmed_reports_of_the_year(world: World) -> None:
    a, b, c = (_member(world, name=n) for n in ("甲", "乙", "丙"))
    d = _member(world, ALICE_UNIT, dept=Department.objects.exclude(code="civil_affairs").first().code, name="丁")
    _reported(world, a, dt.date(2025, 3, 1))
    _reported(world, a, dt.date(2025, 4, 1))  # twice in the year: one member
    _reported(world, b, dt.date(2025, 5, 1), confirm=False)  # not confirmed: not counted
    _reported(world, c, dt.date(2024, 5, 1))  # last year: not counted
    _reported(world, d, dt.date(2025, 6, 1))
    values = party_member_reporting_coverage(dt.date(2025, 1, 1), END)
    assert values[BOB_UNIT] == (1.0, 3.0) and values[ALICE_UNIT] == (1.0, 1.0)
    township = party_member_reporting_coverage(dt.date(2025, 1, 1), END, HEDONG[:9])
    assert sum(n for n, _ in township.values()) / sum(d for _, d in township.values()) == pytest.approx(1 / 3)
    assert reporting_by_work_unit(END)["civil_affairs"] == (1, 3)


@pytest.mark.django_db
def test_it_refuses_a_report_outside_the_communitys_scope_or_without_a_post(world: World) -> None:
    member = _member(world)
    with pytest.raises(ValidationError, match="无权"):
        services.report_to_community(actor=world.alice, member=member, reported_on=dt.date(2025, 3, 1), posts=["policy"])
    with pytest.raises(ValidationError, match="至少认领一个岗位"):
        services.report_to_community(actor=world.bob, member=member, reported_on=dt.date(2025, 3, 1), posts=[])
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.report_to_community(actor=world.bob, member=member, reported_on=dt.date(2099, 3, 1), posts=["policy"])
    assert not PartyReport.objects.exists()


@pytest.mark.django_db
def test_it_lets_a_department_put_only_its_own_members_on_its_roster(world: World) -> None:
    other = Department.objects.exclude(code="civil_affairs").first()
    with pytest.raises(ValidationError, match="只能登记本单位"):
        services.add_party_member(actor=world.erin, name="某人", id_number=id_number(), phone="", work_unit=other,
                                  residence_code=BOB_UNIT)
    member = services.add_party_member(actor=world.erin, name="某人", id_number=id_number(), phone="13900001111",
                                       work_unit=world.erin.department, residence_code=BOB_UNIT)
    assert list(PartyMember.objects.visible_to(world.erin)) == [member]
    assert list(PartyMember.objects.visible_to(world.bob)) == [member]
    assert not PartyMember.objects.visible_to(world.alice).exists()


def _book(path: Path, rows: list[list[str]]) -> str:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([c.header for c in PARTY_COLUMNS])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


@pytest.mark.django_db
def test_it_imports_a_roster_whole_or_not_at_all(world: World, tmp_path: Path) -> None:
    dept = Department.objects.get(code="civil_affairs")
    good = [["张党员", id_number(), "13900001111", dept.name, BOB_UNIT], ["李党员", id_number(), "", dept.code, ALICE_UNIT]]
    bad = good + [["王党员", id_number(), "", "不存在的单位", BOB_UNIT]]
    result = import_party_members(_book(tmp_path / "bad.xlsx", bad))
    assert not result.ok and result.errors[0].line == 4 and result.errors[0].column == "工作单位"
    assert not PartyMember.objects.exists()
    assert import_party_members(_book(tmp_path / "ok.xlsx", good)).created == 2
    assert import_party_members(_book(tmp_path / "ok.xlsx", good)).unchanged == 2
    assert PartyMember.objects.get(name="张党员").phone_masked == "139****1111"


@pytest.mark.django_db
def test_it_shows_the_work_unit_its_members_reports_and_lets_the_community_confirm(world: World, login) -> None:
    member = _member(world, name="民政党员")
    report = _reported(world, member, dt.date.today(), confirm=False)  # noqa: DTZ011 (a calendar date)
    erin_page = login(world.erin).get("/volunteers/party/").content.decode()
    assert "民政党员" in erin_page and "待社区确认" in erin_page
    assert login(world.erin).post(f"/volunteers/party/reports/{report.pk}/confirm/").status_code == 404
    assert not PartyReport.objects.get(pk=report.pk).confirmed
    login(world.bob).post(f"/volunteers/party/reports/{report.pk}/confirm/")
    assert PartyReport.objects.get(pk=report.pk).confirmed
    assert "已确认" in login(world.erin).get("/volunteers/party/").content.decode()
    assert "民政党员" not in login(world.alice).get("/volunteers/party/").content.decode()
