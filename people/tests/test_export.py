import io

import pytest
from django.core.management import call_command

from accounts.models import AuditEntry
from people import views_io
from people.tests.io_helpers import ALICE_UNIT, BOB_UNIT, grant, import_rows, jobs_inline, name_for, person, read_book  # noqa: F401
from web.models import Job

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jobs_inline")]

ROWS = [
    person(1, household="A", tags="残疾、社区矫正对象"),
    person(2, household="B", phone="13800001234"),
    person(3, unit=BOB_UNIT, household="C"),
]


def download(response) -> list[list]:
    assert response.status_code == 200, response.status_code
    data = response.content if not response.streaming else b"".join(response.streaming_content)
    return read_book(data)


def test_it_exports_the_users_filtered_list_masked_and_watermarked(world, login) -> None:
    import_rows(ROWS)
    rows = download(login(world.alice).get("/people/export/", {"status": "present"}))
    watermark, header, *data = rows
    assert "导出人：Alice（alice）" in watermark[0]
    assert header[:6] == ["姓名", "性别", "出生日期", "证件类型", "证件号码", "联系电话"]
    assert {r[0] for r in data} == {name_for(1), name_for(2)}  # not bob's community
    by_name = {r[0]: r for r in data}
    assert by_name[name_for(2)][4] == ROWS[1]["证件号码"][:6] + "*" * 12  # area code only
    assert by_name[name_for(2)][5] == "138****1234"
    assert by_name[name_for(1)][11] == "残疾"  # the restricted tag is hidden from alice
    entry = AuditEntry.objects.get(action="people.export")
    assert entry.actor == world.alice and entry.detail["rows"] == 2 and entry.detail["unmasked"] is False


def test_it_narrows_the_export_by_the_list_filters(world, login) -> None:
    import_rows(ROWS)
    rows = download(login(world.carl).get("/people/export/", {"tag": "disabled"}))
    assert [r[0] for r in rows[2:]] == [name_for(1)]


def test_it_refuses_an_unmasked_export_without_the_right(world, login) -> None:
    import_rows(ROWS)
    response = login(world.alice).get("/people/export/", {"unmasked": "1"})
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action__startswith="people.export").exists()


def test_it_exports_unmasked_with_the_right_audited_and_watermarked(world, login) -> None:
    import_rows(ROWS)
    alice = grant(world.alice, "export_unmasked")
    rows = download(login(alice).get("/people/export/", {"unmasked": "1"}))
    assert "导出人：Alice（alice）" in rows[0][0] and "导出时间" in rows[0][0]
    assert {r[4] for r in rows[2:]} == {ROWS[0]["证件号码"], ROWS[1]["证件号码"]}
    assert "13800001234" in {r[5] for r in rows[2:]}
    entry = AuditEntry.objects.get(action="people.export_unmasked")
    assert entry.actor == alice and entry.detail["rows"] == 2


def test_it_exports_a_large_list_as_a_job_for_its_owner_only(world, login, monkeypatch) -> None:
    monkeypatch.setattr(views_io, "DIRECT_EXPORT_ROWS", 1)
    import_rows(ROWS)
    client = login(world.carl)
    response = client.get("/people/export/")
    job = Job.objects.get(owner=world.carl)
    assert response["Location"] == f"/people/jobs/{job.pk}/"
    assert job.status == "done" and job.total == 3 and job.written == 3
    assert "导出完成：共 3 行（已脱敏）" in client.get(f"/people/jobs/{job.pk}/").content.decode()
    rows = download(client.get(f"/people/jobs/{job.pk}/result.xlsx"))
    assert len(rows) == 2 + 3
    assert login(world.cindy).get(f"/people/jobs/{job.pk}/result.xlsx").status_code == 404


def test_it_writes_the_masked_export_of_a_unit_from_the_command_line(tree, tmp_path) -> None:
    import_rows(ROWS)
    out = io.StringIO()
    path = tmp_path / "hexi.xlsx"
    call_command("export_residents", "--unit", "131102001000", str(path), stdout=out)
    assert "已导出 2 名居民" in out.getvalue()
    rows = read_book(path.read_bytes())
    assert {r[6] for r in rows[2:]} == {ALICE_UNIT}
    assert all("*" in r[4] for r in rows[2:])
    assert "社区矫正对象" in {t for r in rows[2:] for t in (r[11] or "").split("、")}  # operator sees every tag


def test_it_does_not_log_an_id_number_searched_for(world, login) -> None:
    import_rows(ROWS)
    rows = download(login(world.alice).get("/people/export/", {"q": ROWS[0]["证件号码"]}))
    assert [r[0] for r in rows[2:]] == [name_for(1)]
    entry = AuditEntry.objects.get(action="people.export")
    assert ROWS[0]["证件号码"] not in str(entry.detail)


def test_it_offers_export_links_that_keep_the_filters(world, rf) -> None:
    from django.template.loader import render_to_string

    request = rf.get("/people/residents/", {"tag": ["disabled", "dibao"], "page": "2", "q": "王"})
    request.user = world.alice
    html = render_to_string("people/export_link.html", {"perms": _perms(world.alice)}, request=request)
    assert "/people/export/?tag=disabled&amp;tag=dibao&amp;q=%E7%8E%8B&amp;" in html
    assert "unmasked=1" not in html
    alice = grant(world.alice, "export_unmasked")
    assert "unmasked=1" in render_to_string("people/export_link.html", {"perms": _perms(alice)}, request=request)


def _perms(user):
    from django.contrib.auth.context_processors import PermWrapper

    return PermWrapper(user)
