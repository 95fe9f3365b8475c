"""Settings of the request desk, from the environment (documented in docs/appeals.md)."""

from datetime import time

from django.core.exceptions import ImproperlyConfigured

from shequ.env import env_int, env_str


def _clock(name: str, default: str) -> time:
    raw = env_str(name, default)
    try:
        hours, minutes = raw.split(":")
        return time(int(hours), int(minutes))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must look like 08:30, got {raw!r}") from exc


WORKDAY_START = _clock("APPEALS_WORKDAY_START", "08:30")
WORKDAY_END = _clock("APPEALS_WORKDAY_END", "17:30")
if WORKDAY_END <= WORKDAY_START:
    raise ImproperlyConfigured("APPEALS_WORKDAY_END must be after APPEALS_WORKDAY_START")
RECTIFY_DAYS = env_int("APPEALS_RECTIFY_DAYS", 15, minimum=1)
CALLBACK_DAYS = env_int("APPEALS_CALLBACK_DAYS", 1, minimum=1)
DUPLICATE_METRES = env_int("APPEALS_DUPLICATE_METRES", 250, minimum=1)
REPEAT_MINUTES = env_int("APPEALS_REPEAT_MINUTES", 10, minimum=1)
RATE_PER_IP_HOUR = env_int("APPEALS_RATE_PER_IP_HOUR", 10, minimum=1)
RATE_PER_PHONE_DAY = env_int("APPEALS_RATE_PER_PHONE_DAY", 5, minimum=1)
TRACK_PER_IP_HOUR = env_int("APPEALS_TRACK_PER_IP_HOUR", 30, minimum=1)
TRACK_PER_PHONE_HOUR = env_int("APPEALS_TRACK_PER_PHONE_HOUR", 10, minimum=1)
MAX_PHOTOS = 3
MAX_PHOTO_BYTES = 10 * 1024 * 1024
JURISDICTION_ID = env_str("APPEALS_JURISDICTION_ID", "131100000000")
