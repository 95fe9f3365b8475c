"""Tracking look-ups without an account (tracking number + the filing phone): limited per address and per phone,
so that numbers cannot be tried one after another against a known phone."""

from django.core.exceptions import ValidationError

from appeals import conf, throttle
from appeals.services.common import phone_hash
from appeals.services.filing import ip_hash


def check_track_limit(*, ip: str, phone: str) -> None:
    """Counts one look-up; refuses it (nothing counted for the phone) when its address or phone used up the hour."""
    if ip and not throttle.take(f"track:ip:{ip_hash(ip)}", limit=conf.TRACK_PER_IP_HOUR, window=throttle.HOUR):
        raise ValidationError(f"查询过于频繁：同一网络每小时最多查询 {conf.TRACK_PER_IP_HOUR} 次，请稍后再试。", code="rate_limited")
    if phone and not throttle.take(f"track:phone:{phone_hash(phone)}", limit=conf.TRACK_PER_PHONE_HOUR, window=throttle.HOUR):
        raise ValidationError(f"查询过于频繁：同一手机号每小时最多查询 {conf.TRACK_PER_PHONE_HOUR} 次，请稍后再试。",
                              code="rate_limited")
