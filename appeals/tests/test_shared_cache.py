"""26: the request desk's caches live in django.core.cache; a write in one process (another cache client on the same
shared backend) takes effect in every other at once: a revoked key, an edited category, a new holiday."""

from datetime import date, datetime

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from appeals import caching, services, workcal
from appeals.importers import category_by_code
from appeals.models import ApiClient, CalendarDay, Category
from shequ.settings import caches_from_url

pytestmark = pytest.mark.django_db
TABLE = "appeals_test_shared_cache"


@pytest.fixture
def two_processes(settings, monkeypatch):
    """Two cache clients on one database cache table, as two server processes would have; `switch("b")` acts as the other."""
    backend = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": TABLE}
    settings.CACHES = {"default": dict(backend), "other": dict(backend)}
    call_command("createcachetable", verbosity=0)

    def switch(name: str) -> None:
        monkeypatch.setattr(caching, "ALIAS", "default" if name == "a" else "other")

    switch("a")
    return switch


def test_it_refuses_a_key_revoked_in_another_process_at_once(tree, two_processes) -> None:
    client, raw = services.issue_api_client(actor=None, name="城市服务App")
    assert services.client_for_key(raw) == client
    ApiClient.objects.filter(pk=client.pk).update(revoked_at=timezone.now())  # behind the cache's back
    assert services.client_for_key(raw) == client  # process a answers from the shared cache
    ApiClient.objects.filter(pk=client.pk).update(revoked_at=None)
    two_processes("b")
    services.revoke_api_client(actor=None, client=ApiClient.objects.get(pk=client.pk))
    two_processes("a")
    assert services.client_for_key(raw) is None


def test_it_uses_a_category_edited_in_another_process_at_once(tree, two_processes) -> None:
    assert category_by_code("noise").reply_days == 5
    Category.objects.filter(code="noise").update(reply_days=9)  # behind the cache's back
    assert category_by_code("noise").reply_days == 5
    two_processes("b")
    noise = Category.objects.get(code="noise")
    noise.reply_days = 7
    noise.save()  # what the admin does
    two_processes("a")
    assert category_by_code("noise").reply_days == 7


def test_it_counts_a_holiday_saved_in_another_process_at_once(tree, two_processes) -> None:
    tz = timezone.get_current_timezone()
    friday_4pm = datetime(2026, 11, 27, 16, 0, tzinfo=tz)
    assert workcal.add_working_hours(friday_4pm, 2) == datetime(2026, 11, 30, 9, 0, tzinfo=tz)
    two_processes("b")
    CalendarDay.objects.create(date=date(2026, 11, 30), kind="holiday", name="调休")
    two_processes("a")
    assert workcal.add_working_hours(friday_4pm, 2) == datetime(2026, 12, 1, 9, 0, tzinfo=tz)


@pytest.mark.parametrize(("url", "backend", "location"), [
    ("locmem://", "locmem.LocMemCache", "shequ"),
    ("db://shequ_cache", "db.DatabaseCache", "shequ_cache"),
    ("redis://cache:6379/0", "redis.RedisCache", "redis://cache:6379/0"),
])
def test_it_takes_the_cache_from_cache_url(url: str, backend: str, location: str) -> None:
    chosen = caches_from_url(url)["default"]
    assert chosen["BACKEND"] == f"django.core.cache.backends.{backend}" and chosen["LOCATION"] == location


def test_it_refuses_an_unknown_cache_url() -> None:
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        caches_from_url("memcached://x")
