"""The building programme (专栏3), pilots, joint meetings and the community archive."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import load_workbook

from activities import selectors, services
from activities.models import ArchiveEntry, MeetingTask, Pilot, Project
from facilities.models import CommunityProfile, Facility
from facilities.selectors import comprehensive_coverage
from shequ.testing.world import BOB_UNIT, World

VILLAGE = "131102002201"  # 集贤街村, rural, in tom's township
TOWNSHIP = "131102002"


def _project(world: World, **extra: object) -> Project:
    data = {"unit_code": VILLAGE, "kind": "village_upgrade", "name": "集贤街村综合服务设施提升工程",
            "facility_name": "集贤街村党群服务中心", "contractor": "衡水某建设公司",
            "planned_start": dt.date(2025, 3, 1), "planned_end": dt.date(2025, 10, 31)}
    data.update(extra)
    return services.create_project(actor=world.tom, data=data)


def _rural_covered(day: dt.date) -> float:
    return comprehensive_coverage(TOWNSHIP, day, "rural")[VILLAGE][0]


@pytest.mark.django_db
def test_it_completes_a_village_project_and_the_rural_coverage_moves_with_it(world: World) -> None:
    project = _project(world)
    services.add_funding(actor=world.tom, project=project, source="fiscal", amount="80")
    services.add_funding(actor=world.tom, project=project, source="collective", amount="12.5")
    today = timezone.localdate()
    start = today - dt.timedelta(days=60)
    services.add_milestone(actor=world.tom, project=project, reached_on=start, title="开工")
    assert Project.objects.get(pk=project.pk).state == "building"
    assert _rural_covered(today) == 0.0
    before = Facility.objects.count()
    with pytest.raises(ValidationError, match="尚未通过验收"):
        services.complete_project(actor=world.tom, project=project, completed_on=today, building_area="400",
                                  activity_area="300")
    assert Facility.objects.count() == before and Project.objects.get(pk=project.pk).completed_on is None
    services.inspect_project(actor=world.tom, project=project, inspected_on=today - dt.timedelta(days=2), note="合格")
    with pytest.raises(ValidationError, match="不能早于验收日期"):
        services.complete_project(actor=world.tom, project=project, completed_on=today - dt.timedelta(days=5),
                                  building_area="400", activity_area="300")
    assert Facility.objects.count() == before
    done = services.complete_project(actor=world.tom, project=project, completed_on=today, building_area="400",
                                     activity_area="300")
    facility = done.facility
    assert facility is not None and facility.status == "in_use" and facility.opened_on == today
    assert facility.building_area == Decimal("400.00") and facility.kind == "comprehensive"
    assert _rural_covered(today) == 1.0
    summary = selectors.programme(TOWNSHIP)
    assert dict(summary["money"])["财政资金"] == Decimal("80.00")
    assert VILLAGE not in [g["code"] for g in summary["gaps"]]


@pytest.mark.django_db
def test_it_improves_an_existing_facility_in_the_same_step(world: World) -> None:
    from facilities.tests.helpers import facility

    old = facility(BOB_UNIT, "桥东老服务站", area=120, activity=60, office=20)
    project = _project(world, unit_code=BOB_UNIT, kind="old_estate", name="桥东改造提升", facility=old, facility_name="")
    today = timezone.localdate()
    services.add_milestone(actor=world.bob, project=project, reached_on=today - dt.timedelta(days=30), title="开工")
    services.inspect_project(actor=world.bob, project=project, inspected_on=today)
    services.complete_project(actor=world.bob, project=project, completed_on=today, building_area="650",
                              activity_area="400")
    old.refresh_from_db()
    assert old.building_area == Decimal("650.00") and old.activity_area == Decimal("400.00")


@pytest.mark.django_db
def test_it_lists_relocation_communities_without_a_facility_against_the_deadline(world: World) -> None:
    CommunityProfile.objects.create(unit_id=VILLAGE, is_relocation_community=True)
    CommunityProfile.objects.create(unit_id="131102002202", is_relocation_community=True)
    _project(world, kind="relocation", planned_end=dt.date(2026, 6, 30))
    summary = selectors.programme(TOWNSHIP)
    assert {g["code"] for g in summary["relocation_gaps"]} == {VILLAGE, "131102002202"}
    late = {g["code"]: g["projects"] for g in summary["relocation_late"]}
    assert set(late) == {VILLAGE, "131102002202"} and late["131102002202"] == []
    assert summary["deadline"] == dt.date(2025, 12, 31)


@pytest.mark.django_db
def test_it_refuses_a_project_with_bad_dates_or_outside_scope(world: World) -> None:
    with pytest.raises(ValidationError, match="不能早于计划开工"):
        _project(world, planned_end=dt.date(2025, 1, 1))
    with pytest.raises(ValidationError, match="无权"):
        services.create_project(actor=world.bob, data={"unit_code": VILLAGE})
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_it_records_a_pilot_and_evaluates_it_only_at_its_end(world: World) -> None:
    pilot = services.designate_pilot(actor=world.bob, data={
        "unit_code": BOB_UNIT, "kind": "smart", "body": "河北省民政厅", "designated_on": dt.date(2023, 5, 1),
        "period_end": dt.date(2030, 5, 1)})
    with pytest.raises(ValidationError, match="期满"):
        services.evaluate_pilot(actor=world.bob, pilot=pilot, result="passed", evaluation="", evaluated_on=timezone.localdate())
    Pilot.objects.filter(pk=pilot.pk).update(period_end=dt.date(2024, 5, 1))
    services.evaluate_pilot(actor=world.bob, pilot=pilot, result="passed", evaluation="达到试点要求",
                            evaluated_on=dt.date(2024, 6, 1))
    assert Pilot.objects.get(pk=pilot.pk).get_result_display() == "评估合格"


@pytest.mark.django_db
def test_it_holds_a_joint_meeting_and_follows_its_tasks(world: World) -> None:
    data = {"unit_code": "131102002000", "held_on": dt.date(2025, 4, 2), "agenda": "共建活动阵地",
            "members": "河东街道党工委\n市供电公司党委", "attendance": "河东街道党工委\n市供电公司党委"}
    with pytest.raises(ValidationError, match="不在成员单位中"):
        services.hold_meeting(actor=world.tom, data={**data, "attendance": "外来单位"})
    with pytest.raises(ValidationError, match="乡镇"):
        services.hold_meeting(actor=world.tom, data={**data, "unit_code": BOB_UNIT})
    meeting = services.hold_meeting(actor=world.tom, data=data)
    with pytest.raises(ValidationError, match="成员单位"):
        services.assign_task(actor=world.tom, meeting=meeting, assignee="外来单位", task="x", due_on=dt.date(2025, 5, 1))
    task = services.assign_task(actor=world.tom, meeting=meeting, assignee="市供电公司党委", task="开放职工活动室",
                                due_on=dt.date(2025, 6, 1))
    services.finish_task(actor=world.tom, task=task, done_on=dt.date(2025, 5, 20), outcome="已每周开放")
    assert MeetingTask.objects.get(pk=task.pk).done_on == dt.date(2025, 5, 20)


@pytest.mark.django_db
def test_it_files_finds_and_exports_the_archive_and_guards_destruction(world: World, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    year = timezone.localdate().year
    minutes = services.file_entry(actor=world.bob, unit_code=BOB_UNIT, year=year, kind="minutes", title="居民议事会记录",
                                  upload=ContentFile(b"minutes", name="minutes.txt"))
    old = services.file_entry(actor=world.bob, unit_code=BOB_UNIT, year=2005, kind="activity", title="2005年活动记录",
                              upload=ContentFile(b"old", name="old.txt"))
    decision = services.file_entry(actor=world.bob, unit_code=BOB_UNIT, year=2005, kind="decision", title="居务决定",
                                   upload=ContentFile(b"d", name="d.txt"))
    assert (minutes.retention, old.retention, decision.retention) == ("long", "short", "permanent")
    with pytest.raises(ValidationError, match="文件类型"):
        services.file_entry(actor=world.bob, unit_code=BOB_UNIT, year=year, kind="other", title="x",
                            upload=ContentFile(b"x", name="x.exe"))
    assert [e.pk for e in selectors.archive(world.bob, year=year)] == [minutes.pk]
    assert [e.pk for e in selectors.archive(world.bob, query="议事")] == [minutes.pk]
    assert not selectors.archive(world.alice).exists()
    with pytest.raises(ValidationError, match="保管期限未满"):
        services.destroy_entry(actor=world.bob, entry=minutes, note="到期鉴定")
    with pytest.raises(ValidationError, match="永久"):
        services.destroy_entry(actor=world.bob, entry=decision, note="到期鉴定")
    assert ArchiveEntry.objects.filter(destroyed_at__isnull=False).count() == 0 and minutes.file.storage.exists(minutes.file.name)
    services.destroy_entry(actor=world.bob, entry=old, note="经鉴定到期，主任批准")
    package = zipfile.ZipFile(io.BytesIO(services.archive_package(list(selectors.archive(world.bob)))))
    names = package.namelist()
    assert "目录.xlsx" in names and any(n.endswith("minutes.txt") for n in names) and not any(n.endswith("old.txt") for n in names)
    sheet = load_workbook(io.BytesIO(package.read("目录.xlsx"))).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:5] == ["档号", "年度", "档案类别", "题名", "保管期限"]
    by_title = {r[3]: r for r in rows[1:]}
    assert by_title["居民议事会记录"][4] == "长期（30年）" and by_title["2005年活动记录"][8] == "已销毁"


@pytest.mark.django_db
def test_it_files_an_activity_record_once(world: World, settings, tmp_path) -> None:
    from activities.tests.factories import held

    settings.MEDIA_ROOT = str(tmp_path)
    activity = held(world)
    entry = services.file_record(actor=world.bob, obj=activity)
    assert entry.kind == "activity" and entry.file.read().decode().startswith("活动名称：桥东往期普法讲座")
    with pytest.raises(ValidationError, match="已归档"):
        services.file_record(actor=world.bob, obj=activity)
