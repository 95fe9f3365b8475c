"""好差评: the filer's rating, the call-back (回访) by the level above, contesting a rating."""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from appeals import conf, notifications, workcal
from appeals.models import (
    Appeal,
    Deadline,
    EventAction,
    Rating,
    RatingAppeal,
    Rectification,
    State,
)
from appeals.services import common
from appeals.services.common import (
    CITY_CODE,
    add_deadline,
    add_event,
    clean_text,
    guarded_update,
    meet,
    parent_code,
    state_label,
)
from appeals.services.permissions import (
    handler_users,
    is_level_above,
    is_staff,
    owns,
    require_handler,
    unit_users,
)
from people.crypto import search_hash

# ---- 好差评 ------------------------------------------------------------------------------------------------


@transaction.atomic
def rate(*, appeal: Appeal, actor: Any, level: int, comment: str = "", on_behalf: bool = False,
         phone: str = "") -> Rating:
    """评价 a reply. 不满意/非常不满意 reopens it with a 整改 (rectification); one re-rating after that.

    The filer rates: signed in (their own request), or without an account by giving the phone that filed it.
    """
    if phone:
        if not appeal.phone_hash or search_hash(re.sub(r"\s", "", phone)) != appeal.phone_hash:
            raise ValidationError("手机号码与提交诉求时不一致。")
        actor = None
    elif on_behalf:
        if not is_staff(actor):
            raise ValidationError("只有工作人员可以代录回访评价。")
    elif not owns(actor, appeal):
        raise ValidationError("只有提交诉求的居民可以评价。")
    if appeal.state != State.REPLIED:
        raise ValidationError(f"当前状态为「{state_label(appeal.state)}」，答复后才能评价。")
    try:
        level = int(level)
    except (TypeError, ValueError) as exc:
        raise ValidationError("请选择评价等级。") from exc
    if level not in (1, 2, 3, 4, 5):
        raise ValidationError("请选择评价等级。")
    comment = clean_text(comment, "评价内容", required=False, limit=1000)
    done = appeal.ratings.count()
    if done >= 2:
        raise ValidationError("每件诉求只能重新评价一次。")
    now = common.now()
    rating = Rating.objects.create(appeal=appeal, round=done + 1, level=level, comment=comment,
                                   by=actor if getattr(actor, "pk", None) else None, at=now)
    satisfied = level >= 3
    if satisfied or rating.round == 2:
        guarded_update(appeal, State.REPLIED, state=State.CLOSED, closed_at=now, resolved=satisfied,
                       final_rating=level, rated_at=now)
        add_event(appeal, EventAction.RATE, actor, note=f"{rating.get_level_display()} {comment}".strip(),
                  from_state=State.REPLIED, to_state=State.CLOSED)
    else:
        guarded_update(appeal, State.REPLIED, state=State.REOPENED, final_rating=level, rated_at=now)
        callback_unit = CITY_CODE if appeal.department_id else parent_code(appeal.unit_id)
        Rectification.objects.create(appeal=appeal, rating=rating, unit_id=appeal.unit_id, callback_unit_id=callback_unit,
                                     opened_at=now)
        add_deadline(appeal, Deadline.Kind.RECTIFY, appeal.unit_id, workcal.add_working_days(now, conf.RECTIFY_DAYS))
        add_deadline(appeal, Deadline.Kind.CALLBACK, callback_unit, workcal.add_working_days(now, conf.CALLBACK_DAYS))
        add_event(appeal, EventAction.RATE, actor, note=f"{rating.get_level_display()} {comment}".strip(),
                  from_state=State.REPLIED, to_state=State.REOPENED)
        add_event(appeal, EventAction.RECTIFY, None, note=f"启动整改，{conf.RECTIFY_DAYS} 个工作日内重新答复；上一级将回访。")
        notifications.to_staff(handler_users(appeal), f"【整改】诉求 {appeal.tracking_no} 居民评价为{rating.get_level_display()}", appeal)
        notifications.to_staff(unit_users(callback_unit), f"【回访】请回访诉求 {appeal.tracking_no}", appeal)
    audit.record(actor=actor if getattr(actor, "pk", None) else None, action="appeals.rate", obj=appeal,
                 detail={"level": level, "round": rating.round}, username="" if actor else "resident-by-phone")
    return rating


@transaction.atomic
def record_callback(*, rectification: Rectification, actor: Any, note: str) -> Rectification:
    """回访 by the level above, within one working day of a bad rating."""
    appeal = rectification.appeal
    if not is_level_above(actor, appeal.unit_id, appeal.department_id):
        raise ValidationError("回访须由上一级工作人员进行。")
    if rectification.callback_at:
        raise ValidationError("已回访。")
    rectification.callback_note = clean_text(note, "回访记录")
    rectification.callback_at, rectification.callback_by = common.now(), actor
    rectification.save(update_fields=["callback_note", "callback_at", "callback_by"])
    meet(appeal, [Deadline.Kind.CALLBACK], rectification.callback_at)
    add_event(appeal, EventAction.CALLBACK, actor, note=rectification.callback_note)
    audit.record(actor=actor, action="appeals.callback", obj=appeal)
    return rectification


@transaction.atomic
def contest_rating(*, rating: Rating, actor: Any, reason: str) -> RatingAppeal:
    """评价申诉 by the handling unit; decided by the level above."""
    appeal = rating.appeal
    require_handler(actor, appeal)
    if rating.voided or rating.appeals.filter(decision=RatingAppeal.Decision.PENDING).exists():
        raise ValidationError("该评价已撤销或申诉正在裁定。")
    if rating.appeals.exists():
        raise ValidationError("每条评价只能申诉一次。")
    contest = RatingAppeal.objects.create(rating=rating, reason=clean_text(reason, "申诉理由"), filed_by=actor, filed_at=common.now())
    add_event(appeal, EventAction.RATING_APPEAL, actor, note=contest.reason, public=False)
    audit.record(actor=actor, action="appeals.rating_appeal", obj=appeal)
    return contest


@transaction.atomic
def decide_rating_appeal(*, contest: RatingAppeal, actor: Any, void: bool, note: str = "") -> RatingAppeal:
    rating = contest.rating
    appeal = rating.appeal
    if not is_level_above(actor, appeal.unit_id, appeal.department_id):
        raise ValidationError("评价申诉须由上一级裁定。")
    if contest.decision != RatingAppeal.Decision.PENDING:
        raise ValidationError("该申诉已裁定。")
    contest.decision = RatingAppeal.Decision.VOIDED if void else RatingAppeal.Decision.UPHELD
    contest.decided_by, contest.decided_at, contest.decision_note = actor, common.now(), clean_text(note, "裁定意见", required=False)
    contest.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
    if void:
        rating.voided = True
        rating.save(update_fields=["voided"])
        latest = appeal.ratings.order_by("-round").first()
        if latest is not None and latest.pk == rating.pk:
            Appeal.objects.filter(pk=appeal.pk).update(final_rating=None)
    add_event(appeal, EventAction.RATING_DECIDE, actor, note=f"{contest.get_decision_display()} {contest.decision_note}".strip(),
              public=False)
    audit.record(actor=actor, action="appeals.rating_decide", obj=appeal, detail={"void": void})
    return contest


