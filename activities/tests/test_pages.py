"""The pages: a resident finds, joins and checks in on the phone; staff publish (bad input 400, nothing saved),
complete a project, and export the archive package whose catalogue reads back by cells."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from openpyxl import load_workbook

from activities import services
from activities.models import CommunityActivity, Participation
from activities.seed import seed_activities
from activities.tests.factories import activity, resident_user
from shequ.testing.content import content_text
from shequ.testing.world import BOB_UNIT, World


@pytest.mark.django_db
def test_it_lets_a_resident_find_join_and_check_in_on_the_phone(world: World, login) -> None:
    ruth = resident_user()
    a = activity(world, title="桥东亲子手工课", kind="family")
    client = login(ruth)
    home = client.get("/").content.decode()
    assert "近期社区活动" in home
    page = client.get("/activities/").content.decode()
    assert "桥东亲子手工课" in page and "本社区" in page
    response = client.post(f"/activities/{a.pk}/signup/", follow=True)
    assert "报名成功" in response.content.decode()
    assert Participation.objects.filter(activity=a, account=ruth, status="signed_up").exists()
    CommunityActivity.objects.filter(pk=a.pk).update(starts_at=timezone.now() - dt.timedelta(minutes=5))
    a.refresh_from_db()
    code = services.checkin_code(a)
    assert "确认签到" in client.get(f"/activities/checkin/?code={code}").content.decode()
    done = client.post("/activities/checkin/", {"code": code}, follow=True)
    assert "签到成功" in done.content.decode()
    again = client.post("/activities/checkin/", {"code": code})
    assert again.status_code == 400 and "不能重复签到" in again.content.decode()
    joined = Participation.objects.get(activity=a, account=ruth)
    client.post(f"/activities/participations/{joined.pk}/rate/", {"rating": "4"})
    assert Participation.objects.get(pk=joined.pk).get_rating_display() == "满意"
    assert "桥东亲子手工课" in client.get("/activities/me/").content.decode()


@pytest.mark.django_db
def test_it_refuses_a_bad_publication_with_every_error_and_saves_nothing(world: World, login) -> None:
    client = login(world.bob)
    start = timezone.localtime() + dt.timedelta(days=2)
    response = client.post("/activities/new/", {
        "title": "", "kind": "culture", "audience": "all", "organiser": "桥东社区", "unit_code": BOB_UNIT,
        "place": "广场", "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), "capacity": "10"})
    body = response.content.decode()
    assert response.status_code == 400 and "请修改以下 2 处" in body
    assert 'id="id_title_error"' in body and 'id="id_ends_at_error"' in body
    assert not CommunityActivity.objects.exists()


@pytest.mark.django_db
def test_it_completes_a_project_on_its_page_only_after_inspection(world: World, login) -> None:
    project = services.create_project(actor=world.bob, data={
        "unit_code": BOB_UNIT, "kind": "new_build", "name": "桥东新建服务站", "facility_name": "桥东服务站",
        "planned_start": dt.date(2025, 1, 1), "planned_end": dt.date(2025, 9, 1)})
    client = login(world.bob)
    today = timezone.localdate().isoformat()
    refused = client.post(f"/activities/projects/{project.pk}/complete/",
                          {"completed_on": today, "building_area": "300", "activity_area": "200"}, follow=True)
    assert "尚未通过验收" in refused.content.decode()
    client.post(f"/activities/projects/{project.pk}/milestone/",
                {"reached_on": (timezone.localdate() - dt.timedelta(days=20)).isoformat(), "title": "开工"})
    client.post(f"/activities/projects/{project.pk}/inspect/", {"inspected_on": today, "note": "合格"})
    done = client.post(f"/activities/projects/{project.pk}/complete/",
                       {"completed_on": today, "building_area": "300", "activity_area": "200"}, follow=True)
    assert "设施台账已同步更新" in done.content.decode()
    assert "桥东服务站" in client.get(f"/activities/projects/{project.pk}/").content.decode()


@pytest.mark.django_db
def test_it_exports_the_archive_package_and_its_catalogue(world: World, login, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    services.file_entry(actor=world.bob, unit_code=BOB_UNIT, year=2024, kind="agreement", title="场地共享协议",
                        upload=ContentFile(b"agreement", name="agreement.pdf"))
    client = login(world.bob)
    catalogue = client.get("/activities/archive/export/?year=2024&part=catalogue")
    assert "场地共享协议" in content_text(catalogue) and "长期（30年）" in content_text(catalogue)
    package = zipfile.ZipFile(io.BytesIO(client.get("/activities/archive/export/?year=2024").content))
    sheet = load_workbook(io.BytesIO(package.read("目录.xlsx"))).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[1][1] == 2024 and rows[1][3] == "场地共享协议"
    assert any(name.endswith("agreement.pdf") for name in package.namelist())
    assert login(world.alice).get("/activities/archive/export/?part=catalogue").status_code == 200
    assert "场地共享协议" not in content_text(login(world.alice).get("/activities/archive/export/?part=catalogue"))


@pytest.mark.django_db
def test_it_seeds_the_demo_once(world: World, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    resident_user()
    first = seed_activities()
    assert first["activities"] == 16 and first["participations"] == 8 and first["projects"] >= 1
    assert seed_activities() == dict.fromkeys(first, 0)
