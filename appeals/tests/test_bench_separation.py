"""The benchmark's baseline endpoint lives in bench/, never in the product."""

import importlib

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.urls import get_resolver

from accounts.models import AuditEntry


def _routes(resolver, prefix: str = "") -> list[str]:
    out = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        out += _routes(entry, route) if hasattr(entry, "url_patterns") else [route]
    return out


def test_it_has_no_bench_route_in_the_product_even_when_the_old_switch_is_on(monkeypatch) -> None:
    monkeypatch.setenv("APPEALS_BENCH_ENDPOINT", "true")
    from appeals import conf
    from appeals.open311 import urls as open311_urls

    importlib.reload(conf)
    importlib.reload(open311_urls)
    try:
        routes = _routes(get_resolver("shequ.urls")) + [str(p.pattern) for p in open311_urls.urlpatterns]
        assert not [r for r in routes if "bench" in r]
    finally:
        monkeypatch.delenv("APPEALS_BENCH_ENDPOINT")
        importlib.reload(conf)
        importlib.reload(open311_urls)


@pytest.mark.django_db(transaction=True)
def test_it_serves_the_baseline_only_under_the_bench_settings_and_writes_no_audit_row(tree) -> None:
    assert Client().post("/open311/v2/_bench_insert").status_code == 404
    from bench.appeals_urls import TABLE, create_table

    create_table()
    try:
        before = AuditEntry.objects.count()
        with override_settings(ROOT_URLCONF="bench.appeals_urls"):
            response = Client().post("/open311/v2/_bench_insert")
            assert response.status_code == 201
            assert Client().get("/open311/v2/services.json").status_code == 200  # the product's routes are all there
        assert AuditEntry.objects.count() == before
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608
            assert cursor.fetchone()[0] == 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {TABLE}")
