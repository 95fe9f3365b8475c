"""Bench: an emergency notice to 100,000 recipients — send, deliver, acknowledge, aggregate.

    .venv/bin/python bench/care_notice.py [--recipients 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/care_bench .venv/bin/python bench/care_notice.py

Synthesises opted-in residents (with encrypted phone numbers) and two workers per village-level
unit when absent, then a city staff user sends one notice to the whole city. Prints times and ratios
against baselines measured in the same run:
  send:      raw executemany of the same recipient rows ÷ send_notice (recipient rows, tokens)
  aggregate: ack_rates (per county + total) ÷ one hand-written GROUP BY
"""

import argparse
import os
import secrets
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequ.settings")
os.environ["TASKS_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"  # delivery is timed separately below
os.environ["SMS_BACKEND"] = "web.notify.LocmemSMSBackend"
if "DATABASE_URL" not in os.environ:
    os.environ.setdefault("SHEQU_VAR_DIR", tempfile.mkdtemp(prefix="care_bench_"))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402


def populate(recipients: int) -> None:
    from accounts.models import User
    from care.models import EmergencyOptIn
    from people.crypto import encrypt
    from people.models import Resident
    from places.models import OrgUnit

    villages = list(OrgUnit.objects.filter(level="village").values_list("code", flat=True))
    if not User.objects.filter(role="community_worker").exists():
        with transaction.atomic():
            User.objects.bulk_create([User(username=f"w{code}_{j}", role="community_worker", unit_id=code, password="!")
                                      for code in villages for j in range(2)], batch_size=5000)
    workers = User.objects.filter(role="community_worker").count()
    want = recipients - workers
    have = EmergencyOptIn.objects.count()
    if have < want:
        print(f"synthesising {want - have} opted-in residents …", flush=True)
        phone = encrypt("13900000000")  # one ciphertext reused: the bench times the pipeline, not AES
        with transaction.atomic():
            people = [Resident(unit_id=villages[i % len(villages)], name=f"订阅居民{i}", gender="F", birth_date=date(1950, 1, 1),
                               phone_enc=phone) for i in range(want - have)]
            Resident.objects.bulk_create(people, batch_size=5000)
            ids = Resident.objects.filter(name__startswith="订阅居民", emergency_opt_in__isnull=True).values_list("id", "unit_id")
            EmergencyOptIn.objects.bulk_create([EmergencyOptIn(resident_id=pk, unit_id=unit) for pk, unit in ids], batch_size=5000)
    if not User.objects.filter(username="bench_city").exists():
        User.objects.create(username="bench_city", role="city_staff", unit_id="131100000000", password="!")


def analyze() -> None:
    """Fresh planner statistics after a bulk load (what autovacuum does in production)."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=100_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from conftest import load_tree

    load_tree()
    populate(args.recipients)

    from raw_sql import insert_many  # bench/ is on sys.path: the scripts run as files

    from accounts.models import User
    from care import services
    from care.models import NoticeRecipient
    from care.selectors import ack_rates

    recipient_columns = "notice_id, unit_code, kind, user_id, officer_id, resident_id, name, token, send_count"

    analyze()
    from web.models import Notification
    from web.notify import LocmemSMSBackend

    city = User.objects.get(username="bench_city")
    t_send, notice = timed(lambda: services.send_notice(actor=city, unit_code="131100000000", kind="flood",
                                                        title="暴雨红色预警", body="请做好防范。"))
    n = notice.recipient_count
    rows = list(NoticeRecipient.objects.filter(notice=notice).values_list("unit_code", "kind", "user_id", "officer_id",
                                                                          "resident_id", "name"))

    def raw_insert() -> None:
        with transaction.atomic():
            insert_many("care_noticerecipient", recipient_columns, [(notice.pk, *r, secrets.token_urlsafe(18)[:24], 1) for r in rows])

    NoticeRecipient.objects.filter(notice=notice).delete()
    t_raw, _ = timed(raw_insert)
    print(f"[{connection.vendor}] send: {n} recipients; send_notice {t_send:.2f}s, raw insert {t_raw:.2f}s, "
          f"ratio raw/send = {t_raw / t_send:.2f}")

    from care.tasks import deliver_notice

    LocmemSMSBackend.outbox.clear()
    before = Notification.objects.count()
    t_deliver, _ = timed(lambda: deliver_notice.call(notice.pk, False))
    print(f"[{connection.vendor}] deliver: {Notification.objects.count() - before} in-app + {len(LocmemSMSBackend.outbox)} SMS "
          f"in {t_deliver:.2f}s")

    # 60% acknowledge, then the live view's aggregation.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE care_noticerecipient SET acknowledged_at = CURRENT_TIMESTAMP WHERE notice_id = %s AND id %% 5 < 3",
                       [notice.pk])
    analyze()
    token = NoticeRecipient.objects.filter(notice=notice, acknowledged_at__isnull=True).values_list("token", flat=True).first()
    t_ack, _ = timed(lambda: services.acknowledge(token=token or ""))
    sql = ("SELECT substr(unit_code, 1, 6), COUNT(*), COUNT(acknowledged_at) FROM care_noticerecipient WHERE notice_id = %s "
           "GROUP BY substr(unit_code, 1, 6)")

    def hand_written() -> list:
        with connection.cursor() as cursor:
            cursor.execute(sql, [notice.pk])
            return cursor.fetchall()

    best_raw = min(timed(hand_written)[0] for _ in range(3))
    best_ours, rates = min((timed(lambda: ack_rates(notice)) for _ in range(3)), key=lambda t: t[0])
    assert rates["total"] == n
    print(f"[{connection.vendor}] acknowledge one: {t_ack * 1000:.1f} ms; aggregate {rates['acked']}/{rates['total']} over "
          f"{len(rates['units'])} counties: ack_rates {best_ours * 1000:.0f} ms, hand-written SQL {best_raw * 1000:.0f} ms, "
          f"ratio = {best_ours / best_raw:.2f}")


if __name__ == "__main__":
    main()
