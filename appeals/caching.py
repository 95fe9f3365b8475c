"""The request desk's caches live in django.core.cache, in the backend settings.CACHES chooses (CACHE_URL): local
memory per process by default (the demo), the database or Redis when several processes serve. Each cache is dropped
on the write that changes it (a category or a holiday saved, a key revoked): with a shared backend that reaches every
process at once; with local memory, other processes see it when their copy expires (the TTLs below)."""

from django.core.cache import BaseCache, caches

ALIAS = "default"
CATEGORY_SECONDS = 10
CALENDAR_SECONDS = 60
CLIENT_SECONDS = 10
UNIT_SECONDS = 600


def cache() -> BaseCache:
    return caches[ALIAS]
