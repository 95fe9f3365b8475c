"""F17: every change in Django's admin is an audit entry with the values before and after, read by the auditor."""

import datetime as dt

import pytest
from django.apps import apps

from accounts.models import AuditEntry
from shequ.testing.world import World

pytestmark = pytest.mark.skipif(not apps.is_installed("appeals"), reason="the admin's configuration models live in appeals")


def test_it_audits_a_deadline_change_and_a_new_holiday_made_in_the_admin(world: World, login) -> None:
    from appeals.models import CalendarDay, Category

    category = Category.objects.order_by("code").first()
    assert category is not None
    category.reply_days = 5
    category.save(update_fields=["reply_days"])
    client = login(world.sam)
    page = client.get(f"/admin/appeals/category/{category.pk}/change/")
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data.update({k: ("on" if v is True else "" if v is False else v) for k, v in data.items() if isinstance(v, bool)})
    data = {k: v for k, v in data.items() if v not in (None, "")}
    data["reply_days"] = 60
    response = client.post(f"/admin/appeals/category/{category.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    category.refresh_from_db()
    assert category.reply_days == 60
    response = client.post("/admin/appeals/calendarday/add/", {"date": "2027-10-08", "kind": "holiday", "name": "国庆调整"})
    assert response.status_code == 302 and CalendarDay.objects.filter(date=dt.date(2027, 10, 8)).exists()

    change = AuditEntry.objects.get(action="admin.change")
    assert change.actor == world.sam and change.object_id == str(category.pk)
    assert change.detail["before"] == {"reply_days": "5"} and change.detail["after"] == {"reply_days": "60"}
    added = AuditEntry.objects.get(action="admin.add")
    assert added.detail["model"] == "appeals.CalendarDay" and added.detail["after"]["date"] == "2027-10-08"
    assert added.detail["after"]["kind"] == "holiday" and added.detail["before"] == {}
    page = login(world.audrey).get("/accounts/audit/?action=admin").content.decode()
    assert "admin.change" in page and "admin.add" in page and "reply_days" in page


def test_it_audits_each_row_of_a_bulk_delete(world: World, login) -> None:
    from appeals.models import CalendarDay

    days = [CalendarDay.objects.create(date=dt.date(2027, 5, d), kind="holiday", name=f"节{d}") for d in (3, 4)]
    client = login(world.sam)
    response = client.post("/admin/appeals/calendarday/", {"action": "delete_selected", "_selected_action": [d.pk for d in days],
                                                           "post": "yes"})
    assert response.status_code == 302 and not CalendarDay.objects.filter(pk__in=[d.pk for d in days]).exists()
    deleted = AuditEntry.objects.filter(action="admin.delete")
    assert sorted(e.detail["before"]["name"] for e in deleted) == ["节3", "节4"]


def test_every_registered_model_admin_is_audited() -> None:
    from django.contrib import admin

    from accounts.admin import AuditingMixin

    assert admin.site._registry
    assert all(isinstance(model_admin, AuditingMixin) for model_admin in admin.site._registry.values())
