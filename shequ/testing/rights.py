"""Give a named test user a data right as if the security admin asked and the unit leader approved (accounts.rights)."""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts.models import DataRightGrant


def grant(user: Any, *codenames: str, app_label: str = "people") -> Any:
    now = timezone.now()
    for codename in codenames:
        DataRightGrant.objects.create(user=user, right=f"{app_label}.{codename}", approved_at=now,
                                      expires_at=now + timedelta(days=1))
    return type(user).objects.get(pk=user.pk)  # a fresh object: permissions are cached
