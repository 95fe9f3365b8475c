"""Writes on a community's organisation system."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from accounts.models import User
from accounts.scoping import can_see_unit
from places.models import CommunityBody, OrgUnit, bodies_for


@transaction.atomic
def update_bodies(*, actor: User, unit: OrgUnit, rows: dict[str, dict[str, object]]) -> None:
    """Record which 六位一体/五位一体 bodies exist and who to contact."""
    if not unit.is_village_level:
        raise ValidationError("只有村（社区）有组织体系。")
    if not can_see_unit(actor, unit.code):
        raise PermissionError("不在您的管辖范围内")
    allowed = set(bodies_for(unit.kind))
    unknown = set(rows) - allowed
    if unknown:
        raise ValidationError(f"该类型单位没有这些组织：{', '.join(sorted(unknown))}")
    changes = {}
    for kind, values in rows.items():
        phone = str(values.get("contact_phone", "")).strip()
        if phone and not phone.replace("-", "").isdigit():
            raise ValidationError(f"{CommunityBody.Kind(kind).label}的联系电话格式不正确。")
        body, _ = CommunityBody.objects.select_for_update().get_or_create(unit=unit, kind=kind)
        new = {
            "exists": bool(values.get("exists")),
            "contact_name": str(values.get("contact_name", "")).strip()[:50],
            "contact_phone": phone[:20],
        }
        if any(getattr(body, k) != v for k, v in new.items()):
            for key, value in new.items():
                setattr(body, key, value)
            body.save(update_fields=[*new, "updated_at"])
            changes[kind] = new["exists"]
    audit.record(actor=actor, action="places.bodies_update", obj=unit, unit_code=unit.code, detail={"changed": changes})
