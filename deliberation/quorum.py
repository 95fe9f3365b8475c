"""Quorum and majority, from the register and the attendance — never typed.

村民委员会组织法 第二十二条: a 村民会议 needs more than half of the village's residents aged 18 or over, or
representatives of at least two thirds of its households; it decides by more than half of those present.
第二十六条: a 村民代表会议 needs at least two thirds of its members; it decides by more than half of those present.
居民委员会组织法 第九条: a 居民会议 (of all adults, one per household, or elected group representatives) needs more
than half of them; it decides by more than half of those present. A 居民代表会议 follows the same rule here.
Consultation meetings, hearings and 恳谈会 have no statutory quorum: their outcome is advice, decided by more
than half of those present.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from deliberation.models import Attendance, Basis, Meeting, MeetingKind, Representative
from people.models import Household, Resident

STATUTORY = {MeetingKind.VILLAGERS, MeetingKind.VILLAGE_REPS, MeetingKind.RESIDENTS, MeetingKind.RESIDENT_REPS}
# Which bases each statutory meeting may be convened on.
BASES = {
    MeetingKind.VILLAGERS: {Basis.ADULTS, Basis.HOUSEHOLDS},
    MeetingKind.VILLAGE_REPS: {Basis.REPRESENTATIVES},
    MeetingKind.RESIDENTS: {Basis.ADULTS, Basis.HOUSEHOLDS, Basis.REPRESENTATIVES},
    MeetingKind.RESIDENT_REPS: {Basis.REPRESENTATIVES},
}


def adults_born_by(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 18)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 18, day=28)


def eligible_count(unit_code: str, basis: str, day: dt.date) -> int:
    """How many the meeting convenes, from the register on `day`."""
    present = Resident.objects.filter(unit__code=unit_code, status=Resident.Status.PRESENT, anonymised_at__isnull=True)
    if basis == Basis.ADULTS:
        return present.filter(birth_date__lte=adults_born_by(day)).count()
    if basis == Basis.HOUSEHOLDS:
        return (Household.objects.filter(unit__code=unit_code)
                .filter(Exists(present.filter(household=OuterRef("pk")))).count())
    return representatives(unit_code, day).count()


def representatives(unit_code: str, day: dt.date) -> QuerySet[Representative]:
    return Representative.objects.filter(unit__code=unit_code, since__lte=day).exclude(until__lt=day)


def present_count(meeting: Meeting) -> int:
    """Attendance counted on the meeting's basis (households once each; proxies where the meeting allows them)."""
    rows = Attendance.objects.filter(meeting=meeting)
    if meeting.basis == Basis.HOUSEHOLDS:
        return rows.exclude(household__isnull=True).values("household_id").distinct().count()
    if meeting.basis == Basis.REPRESENTATIVES:
        reps = representatives(meeting.unit_id, meeting.starts_at.date()).values("resident_id")
        count = rows.filter(resident_id__in=reps).count()
        if meeting.allow_proxy:
            count += rows.filter(proxy_for_id__in=reps).count()
        return count
    count = rows.count()
    if meeting.allow_proxy:
        count += rows.exclude(proxy_for__isnull=True).count()
    return count


@dataclass
class Quorum:
    eligible: int
    present: int
    needed: int
    rule: str

    @property
    def met(self) -> bool:
        return self.present >= self.needed

    def explain(self) -> str:
        state = "已达到" if self.met else "未达到"
        return f"应到 {self.eligible}，实到 {self.present}，至少需 {self.needed}（{self.rule}）：{state}法定人数。"


def needed(kind: str, basis: str, eligible: int) -> tuple[int, str]:
    if kind not in STATUTORY:
        return 1, "协商类会议无法定人数，至少 1 人"
    if kind == MeetingKind.VILLAGERS and basis == Basis.HOUSEHOLDS:
        return -(-2 * eligible // 3), "本村三分之二以上的户的代表（村民委员会组织法第二十二条）"
    if kind == MeetingKind.VILLAGE_REPS:
        return -(-2 * eligible // 3), "三分之二以上的村民代表（村民委员会组织法第二十六条）"
    law = "村民委员会组织法第二十二条" if kind == MeetingKind.VILLAGERS else "居民委员会组织法第九条"
    return eligible // 2 + 1, f"过半数（{law}）"


def quorum(meeting: Meeting) -> Quorum:
    count, rule = needed(meeting.kind, meeting.basis, meeting.eligible)
    return Quorum(eligible=meeting.eligible, present=present_count(meeting), needed=count, rule=rule)


def passes(yes: int, present: int) -> bool:
    """Every meeting decides by more than half of those present."""
    return 2 * yes > present
