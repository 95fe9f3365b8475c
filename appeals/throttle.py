"""Flood limits that hold under parallel requests: a counter row per key and fixed window (the clock hour, or the
day in Asia/Shanghai), taken by a conditional UPDATE (`count < limit`). PostgreSQL re-checks the condition on the
locked row and SQLite admits one writer at a time, so of any number of parallel attempts exactly `limit` pass, in
every server process alike. The keys hold hashes (people.crypto.search_hash), never an address or a phone.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from appeals.models import FloodCounter

HOUR = "hour"
DAY = "day"


def _window(now: datetime, window: str) -> tuple[datetime, datetime]:
    local = timezone.localtime(now)
    if window == HOUR:
        start = local.replace(minute=0, second=0, microsecond=0)
        return start, start + timedelta(hours=1)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


def take(key: str, *, limit: int, window: str, now: datetime | None = None) -> bool:
    """Count one attempt under `key`; False (and nothing counted) when `limit` attempts were made in this window."""
    start, end = _window(now or timezone.now(), window)
    rows = FloodCounter.objects.filter(key=key, window_start=start)
    with transaction.atomic():
        if rows.filter(count__lt=limit).update(count=F("count") + 1):
            return True
        if rows.exists():
            return False
        try:
            with transaction.atomic():
                FloodCounter.objects.create(key=key, window_start=start, expires_at=end, count=1)
        except IntegrityError:  # created at the same moment by a parallel request: count on its row
            return bool(rows.filter(count__lt=limit).update(count=F("count") + 1))
        FloodCounter.objects.filter(expires_at__lt=start).delete()  # windows long past, once per new window
        return limit >= 1
