"""Demo rows for the social-forces module. Deterministic and idempotent; works on an empty register."""

import datetime as dt
import random

from django.db import transaction

from accounts import audit
from places.models import OrgUnit
from socialorgs import creditcode
from socialorgs.models import CommunityCategory, IncubationBase, Organisation, OrgKind, OrgStatus

SERVICES = ["助老助餐、上门探访", "青少年课后托管", "邻里互助、矛盾调解", "种植技术培训", "文体活动组织"]


@transaction.atomic
def seed() -> dict[str, int]:
    rng = random.Random("socialorgs")
    created_orgs = created_bases = 0
    counties = list(OrgUnit.objects.filter(level=OrgUnit.Level.COUNTY).order_by("code"))
    for n, county in enumerate(counties):
        if n % 4 != 3 and not IncubationBase.objects.filter(unit=county).exists():  # three in four counties have one
            IncubationBase.objects.create(unit=county, name=f"{county.name}社会组织孵化基地", capacity=20,
                                          services="场地、培训、能力建设", opened_on=dt.date(2023, 3, 1))
            created_bases += 1
    for township in OrgUnit.objects.filter(level=OrgUnit.Level.TOWNSHIP).order_by("code")[:60]:
        villages = list(OrgUnit.objects.filter(level=OrgUnit.Level.VILLAGE, code__startswith=township.code[:9])
                        .order_by("code")[:3])
        for i, village in enumerate(villages):
            name = f"{village.name}{['志愿服务协会', '邻里互助会', '社会工作服务中心'][i]}"
            if Organisation.objects.filter(township_code=township.code, name=name).exists():
                continue
            registered = i == 2
            code = creditcode.make(f"52{village.code[:6]}MJ{village.code[-7:]}") if registered else ""
            Organisation.objects.create(
                unit=village, name=name, kind=OrgKind.SERVICE_AGENCY if registered else OrgKind.SOCIAL_GROUP,
                community_category=rng.choice(CommunityCategory.values), credit_code=code,
                status=OrgStatus.REGISTERED if registered else OrgStatus.FILED,
                registered_on=dt.date(2021 + i, 1 + i, 10), services=rng.choice(SERVICES),
                contact_name="王老师", contact_phone="0318-2100000",
                full_time_staff=rng.randint(2, 8) if registered else 0, part_time_staff=rng.randint(3, 12))
            created_orgs += 1
    if created_orgs or created_bases:
        audit.record(actor=None, action="socialorgs.seed", username="seed",
                     detail={"organisations": created_orgs, "bases": created_bases})
    return {"社会组织": created_orgs, "孵化基地": created_bases}
