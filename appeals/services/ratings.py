"""好差评: the filer's rating, the call-back (回访) by the level above, contesting a rating."""

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
    add_deadline,
    add_event,
    cancel_open,
    clean_text,
    guarded_update,
    meet,
    phone_hash,
    state_label,
)
from appeals.services.permissions import (
    callback_unit_for,
    handler_users,
    is_callback_user,
    is_level_above,
    owns,
    require_handler,
    unit_users,
)

# ---- 好差评 ------------------------------------------------------------------------------------------------


def _level(level: Any) -> int:
    try:
        level = int(level)
    except (TypeError, ValueError) as exc:
        raise ValidationError("请选择评价等级。") from exc
    if level not in (1, 2, 3, 4, 5):
        raise ValidationError("请选择评价等级。")
    return int(level)


def _closes(level: int, round_: int) -> bool:
    """A satisfied rating closes the request, and so does any second-round rating."""
    return level >= 3 or round_ == 2


def correctable(appeal: Appeal) -> Rating | None:
    """The rating taken by phone that the resident may still correct: the latest one, not corrected yet, while the
    request stands where that rating left it (closed by it, or reopened by it and not replied to again)."""
    latest = appeal.ratings.filter(voided=False).order_by("-round").first()
    if latest is None or latest.recorded_by_id is None or latest.corrected_at is not None:
        return None
    if appeal.rated_at != latest.at or appeal.state == State.REPLIED or appeal.merged_into_id:
        return None
    if appeal.replied_at is not None and appeal.replied_at > latest.at:
        return None
    return latest


def can_rate(appeal: Appeal) -> bool:
    """Whether the filer can rate now: a reply waits for its rating, or a phone rating waits for the resident's word."""
    return (appeal.state == State.REPLIED and appeal.ratings.count() < 2) or correctable(appeal) is not None


def _filer(appeal: Appeal, actor: Any, phone: str) -> Any:
    """The filer, signed in (their own request) or without an account by giving the phone that filed it; else refused."""
    if phone:
        if not appeal.phone_hash or phone_hash(phone) != appeal.phone_hash:
            raise ValidationError("手机号码与提交诉求时不一致。")
        return None
    if not owns(actor, appeal):
        raise ValidationError("只有提交诉求的居民可以评价。")
    return actor


@transaction.atomic
def rate(*, appeal: Appeal, actor: Any, level: int, comment: str = "", phone: str = "") -> Rating:
    """评价 a reply — only the resident who filed it. 不满意/非常不满意 reopens it with a 整改 (rectification);
    one re-rating after that. A rating taken by phone (record_phone_rating) is corrected by the resident's own."""
    actor = _filer(appeal, actor, phone)
    level = _level(level)
    comment = clean_text(comment, "评价内容", required=False, limit=1000)
    phoned = correctable(appeal)
    if phoned is not None:
        return _correct(appeal, phoned, actor, level, comment)
    rating = _record(appeal, actor, level, comment, recorded_by=None)
    audit.record(actor=actor if getattr(actor, "pk", None) else None, action="appeals.rate", obj=appeal,
                 detail={"level": level, "round": rating.round}, username="" if actor else "resident-by-phone")
    return rating


@transaction.atomic
def record_phone_rating(*, appeal: Appeal, actor: Any, level: int, comment: str = "") -> Rating:
    """回访代录: the rating a resident gave on the phone, recorded by a call-back user of the level above the handling
    unit (never the handling unit or an assisting unit or department), marked as taken by phone; the resident can
    still correct it with their own rating."""
    if not is_callback_user(actor, appeal):
        raise ValidationError("电话回访评价只能由承办单位的上一级回访人员代录，承办单位和协办单位不能代录。")
    level = _level(level)
    comment = clean_text(comment, "评价内容", required=False, limit=1000)
    rating = _record(appeal, actor, level, comment, recorded_by=actor)
    audit.record(actor=actor, action="appeals.rate_by_phone", obj=appeal, detail={"level": level, "round": rating.round})
    return rating


def _record(appeal: Appeal, actor: Any, level: int, comment: str, *, recorded_by: Any) -> Rating:
    if appeal.state != State.REPLIED:
        raise ValidationError(f"当前状态为「{state_label(appeal.state)}」，答复后才能评价。")
    done = appeal.ratings.count()
    if done >= 2:
        raise ValidationError("每件诉求只能重新评价一次。")
    now = common.now()
    rating = Rating.objects.create(appeal=appeal, round=done + 1, level=level, comment=comment,
                                   by=None if recorded_by is not None or not getattr(actor, "pk", None) else actor, at=now,
                                   recorded_by=recorded_by, phone_level=level if recorded_by is not None else None)
    note = f"{rating.get_level_display()} {comment}".strip()
    if recorded_by is not None:
        note = f"（电话回访代录）{note}"
    if _closes(level, rating.round):
        _close(appeal, rating, State.REPLIED, actor, now, note)
    else:
        _reopen(appeal, rating, State.REPLIED, actor, now, note)
    return rating


def _close(appeal: Appeal, rating: Rating, from_state: str, actor: Any, now: Any, note: str) -> None:
    guarded_update(appeal, from_state, state=State.CLOSED, closed_at=now, resolved=rating.level >= 3,
                   final_rating=rating.level, rated_at=now)
    add_event(appeal, EventAction.RATE, actor, note=note, from_state=from_state, to_state=State.CLOSED)


def _reopen(appeal: Appeal, rating: Rating, from_state: str, actor: Any, now: Any, note: str, **fields: Any) -> None:
    guarded_update(appeal, from_state, state=State.REOPENED, final_rating=rating.level, rated_at=now, **fields)
    callback_unit = callback_unit_for(appeal)
    Rectification.objects.create(appeal=appeal, rating=rating, unit_id=appeal.unit_id, callback_unit_id=callback_unit,
                                 opened_at=now)
    add_deadline(appeal, Deadline.Kind.RECTIFY, appeal.unit_id, workcal.add_working_days(now, conf.RECTIFY_DAYS))
    add_deadline(appeal, Deadline.Kind.CALLBACK, callback_unit, workcal.add_working_days(now, conf.CALLBACK_DAYS))
    add_event(appeal, EventAction.RATE, actor, note=note, from_state=from_state, to_state=State.REOPENED)
    add_event(appeal, EventAction.RECTIFY, None, note=f"启动整改，{conf.RECTIFY_DAYS} 个工作日内重新答复；上一级将回访。")
    notifications.to_staff(handler_users(appeal), f"【整改】诉求 {appeal.tracking_no} 居民评价为{rating.get_level_display()}", appeal)
    notifications.to_staff(unit_users(callback_unit), f"【回访】请回访诉求 {appeal.tracking_no}", appeal)


def _correct(appeal: Appeal, rating: Rating, actor: Any, level: int, comment: str) -> Rating:
    """The resident's own word replaces the rating taken by phone; what that rating started follows the new one."""
    now = common.now()
    before, from_state = rating.level, appeal.state
    rating.level, rating.comment, rating.by, rating.corrected_at = level, comment, actor if getattr(actor, "pk", None) else None, now
    rating.save(update_fields=["level", "comment", "by", "corrected_at"])
    note = f"居民更正电话回访评价：{rating.get_level_display()} {comment}".strip()
    closed_before, closes_now = _closes(before, rating.round), _closes(level, rating.round)
    if closed_before and not closes_now:
        _reopen(appeal, rating, from_state, actor, now, note, closed_at=None, resolved=False)
    elif closes_now and not closed_before:
        Rectification.objects.filter(rating=rating, done_at__isnull=True).update(done_at=now)
        cancel_open(appeal, [Deadline.Kind.RECTIFY, Deadline.Kind.CALLBACK], now)
        _close(appeal, rating, from_state, actor, now, note)
    else:
        extra = {"resolved": level >= 3} if closes_now else {}
        guarded_update(appeal, from_state, final_rating=level, rated_at=now, **extra)
        add_event(appeal, EventAction.RATE, actor, note=note, from_state=from_state, to_state=from_state)
    audit.record(actor=actor if getattr(actor, "pk", None) else None, action="appeals.rate_correct", obj=appeal,
                 detail={"level": level, "phone_level": before, "round": rating.round},
                 username="" if actor else "resident-by-phone")
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


