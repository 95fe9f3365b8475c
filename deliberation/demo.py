"""Demo data of the deliberation module: topics at each stage, a meeting with its vote, the three lists, a survey.

Idempotent (skipped when the demo survey exists); works with an empty register (quorum then stays unmet).
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from deliberation import indicators, services
from deliberation.models import Survey
from people.models import Resident
from places.models import OrgUnit

TOWNSHIP = "131102001000"  # 河西街道, the demo township
HOME = "131102001045"      # 游园社区, the demo worker's community
SURVEY_TITLE = "2026年河西街道城乡社区服务群众满意度调查"


def _actor() -> User:
    actor = User.objects.filter(role=Role.TOWNSHIP_STAFF, unit__code=TOWNSHIP, is_active=True).first()
    if actor is None:
        actor = User.objects.create(username="deliberation-demo", role=Role.TOWNSHIP_STAFF, unit_id=TOWNSHIP,
                                    display_name="议事演示", is_active=True)
    return actor


@transaction.atomic
def seed() -> dict[str, int]:
    if Survey.objects.filter(title=SURVEY_TITLE).exists():
        return {"已存在": 1}
    rng = random.Random(16)
    actor = _actor()
    units = list(OrgUnit.objects.filter(parent__code=TOWNSHIP, level=OrgUnit.Level.VILLAGE).order_by("code")[:8])
    counts = {"议题": 0, "会议": 0, "需求": 0, "资源": 0, "对接": 0, "答卷": 0}
    now = timezone.now()
    for i, unit in enumerate(units):
        t = services.propose_topic(actor=actor, data={"unit_code": unit.code, "origin": "party" if i % 2 else "staff",
                                                      "title": f"{unit.name}老旧小区停车位改造", "body": "车多位少，消防通道被占"})
        counts["议题"] += 1
        if i % 3 == 1:
            continue  # stays 待受理
        services.accept_topic(actor=actor, topic=t, procedure="resident_reps" if i % 2 else "residents")
    home = OrgUnit.objects.filter(code=HOME).first()
    if home is not None:
        t = services.propose_topic(actor=actor, data={"unit_code": HOME, "origin": "staff", "title": "游园社区加装电梯费用分摊",
                                                      "body": "3号楼居民申请加装电梯，费用按楼层分摊"})
        services.accept_topic(actor=actor, topic=t, procedure="residents")
        m = services.schedule_meeting(actor=actor, topic=t, data={
            "kind": "residents", "basis": "adults", "starts_at": now + dt.timedelta(days=7), "place": "游园社区党群服务中心",
            "agenda": "一、加装电梯方案；二、费用分摊比例", "invited_parties": "物业公司、业委会"})
        counts["会议"] += 1
        adults = list(Resident.objects.filter(unit__code=HOME, status="present").order_by("pk")[: m.eligible // 2 + 1])
        for person in adults:
            services.record_attendance(actor=actor, meeting=m, resident=person)
        motion = services.add_motion(actor=actor, meeting=m, text="同意按楼层分摊加装电梯费用", method="hands")
        if adults and m.eligible:
            present = len(adults)
            services.record_hands(actor=actor, motion=motion, yes=present - present // 4, no=present // 4, abstain=0)
            if motion.passed:
                services.record_decision(actor=actor, topic=t, text="同意3号楼加装电梯，一层不分摊，二层起按楼层递增分摊")
                today = timezone.localdate()
                services.publish_decision(actor=actor, topic=t, starts_on=today, ends_on=today + dt.timedelta(days=6))
    categories = ["elderly", "children", "health", "culture", "parking", "space", "daily"]
    resources = []
    for i, unit in enumerate(units):
        for j in range(2):
            resources.append(services.add_resource(actor=actor, data={
                "unit_code": unit.code, "name": f"{unit.name}{['长者食堂', '共享活动室'][j]}", "kind": "facility" if j else "unit_open",
                "category": categories[(i + j) % len(categories)], "capacity": 3, "days": "sat,sun" if j else ""}))
            counts["资源"] += 1
    for i in range(24 if units else 0):
        unit = units[i % len(units)]
        need = services.add_need(actor=actor, data={"unit_code": unit.code, "title": f"{unit.name}需求{i + 1}",
                                                    "category": rng.choice(categories), "urgency": rng.randint(1, 3),
                                                    "source": rng.choice(["staff", "visit", "request", "survey"]),
                                                    "created_at": now - dt.timedelta(days=rng.randint(1, 30))})
        counts["需求"] += 1
        if i % 2 == 0:
            from deliberation import matching

            best = matching.propose(need, matching.candidates(need), top=1)
            if best:
                services.confirm_match(actor=actor, need=need, resource=best[0].resource)
                counts["对接"] += 1
    survey = services.create_survey(actor=actor, unit_code=TOWNSHIP, title=SURVEY_TITLE, satisfaction=True)
    services.open_survey(actor=actor, survey=survey)
    for unit in units[:5]:  # five of the township's communities reach the city's minimum
        for _ in range(indicators.MIN_ANSWERS):
            done = rng.random() < 0.5
            services.enter_paper(actor=actor, survey=survey, unit_code=unit.code, raw={
                "1": str(rng.randint(3, 5)), "2": {"党群服务中心": str(rng.randint(3, 5)), "养老服务": str(rng.randint(2, 5))},
                "3": "是" if done else "否", "4": "议事很公开" if done else "", "5": rng.sample(["停车", "养老", "托育", "环境"], 2)})
            counts["答卷"] += 1
    return counts
