"""The bench's URLconf: the product's routes plus the baseline /open311/v2/_bench_insert (one row, nothing else).

The baseline writes into its own table, bench_baseline, which the bench creates (create_table) and which no
model knows: nothing the bench writes lands in the product's tables, least of all the append-only audit log.
"""

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from shequ.urls import urlpatterns as product_urlpatterns

TABLE = "bench_baseline"


def create_table() -> None:
    """Made by the bench before the server starts (an audit row's shape: a time and a JSON detail)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id bigserial PRIMARY KEY, at timestamptz NOT NULL, "
                           "action varchar(64) NOT NULL, detail jsonb NOT NULL)")
        else:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id integer PRIMARY KEY AUTOINCREMENT, at text NOT NULL, "
                           "action varchar(64) NOT NULL, detail text NOT NULL)")


@csrf_exempt
def bench_insert(request: HttpRequest) -> HttpResponse:
    """The baseline: one row inserted, nothing else."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (at, action, detail) VALUES (%s, %s, %s)",  # noqa: S608
                       [timezone.now(), "bench.insert", json.dumps({})])
    return HttpResponse('[{"ok":true}]', content_type="application/json; charset=utf-8", status=201)


urlpatterns: list[URLPattern | URLResolver] = [path("open311/v2/_bench_insert", bench_insert), *product_urlpatterns]
