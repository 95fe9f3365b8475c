"""Visit plans (探访计划): the rules, the monthly due rows, their drop-outs and assignment."""

import heapq
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from accounts import audit
from accounts.models import User
from accounts.roles import Role
from care.models import DueVisit, Frequency, VisitRule
from care.periods import periods_in_month, today
from care.services.scope import require_scope
from people.models import Resident, ResidentMove, ResidentTag
from people.tags import Tag
from places.codes import within
from shequ.bulk import BulkInserter


@transaction.atomic
def set_visit_rule(*, actor: User, tag: str, frequency: str, active: bool = True) -> VisitRule:
    """City staff set how often a group is visited (探访规则)."""
    if actor.role != Role.CITY_STAFF:
        raise ValidationError("只有市级工作人员可以设置探访规则。")
    if tag not in Tag.values:
        raise ValidationError("未知的人员类别。")
    if frequency not in Frequency.values:
        raise ValidationError("探访频次应为每周、每月、每季度或每半年。")
    rule, created = VisitRule.objects.get_or_create(tag=tag, defaults={"frequency": frequency, "active": active})
    if not created:
        rule.frequency, rule.active = frequency, active
        rule.save(update_fields=["frequency", "active", "updated_at"])
    audit.record(actor=actor, action="care.rule_set", obj=rule, detail={"tag": tag, "frequency": frequency, "active": active})
    return rule


# ---- Plan generation ---------------------------------------------------------------

def _dropouts(rows: Any, on: date) -> list[tuple[int, date, str]]:
    """Unvisited due rows whose resident no longer qualifies, with the day they dropped out."""
    has_tag = Exists(ResidentTag.objects.filter(resident_id=OuterRef("resident_id"), tag=OuterRef("tag")))
    gone = rows.filter(visited_on__isnull=True, removed_on__isnull=True).annotate(tagged=has_tag).filter(
        ~Q(resident__status=Resident.Status.PRESENT) | ~Q(resident__unit_id=F("unit_id")) | Q(tagged=False)
    ).values_list("id", "period_start", "period_end", "resident__status", "resident__status_date", "resident__unit_id",
                  "unit_id")
    gone = list(gone)
    moved_on = _move_dates([(r[0], r[6]) for r in gone if r[3] == Resident.Status.PRESENT and r[5] != r[6]], rows)
    out = []
    for pk, start, end, status, status_date, resident_unit, unit in gone:
        if status != Resident.Status.PRESENT:
            day, reason = status_date or on, str(status)
        elif resident_unit != unit:
            day, reason = moved_on.get(pk, on), "moved_out"
        else:
            day, reason = on, "left_group"
        out.append((pk, min(max(day, start), end), reason))
    return out


def _move_dates(rows: list[tuple[int, str]], qs: Any) -> dict[int, date]:
    """Due-row id → the date its resident moved out of that row's community (people.ResidentMove), when recorded."""
    if not rows:
        return {}
    resident_of = dict(qs.filter(pk__in=[pk for pk, _ in rows]).values_list("id", "resident_id"))
    moves: dict[tuple[int, str], date] = {}
    for resident_id, from_unit, moved_on in ResidentMove.objects.filter(resident_id__in=set(resident_of.values())).values_list(
            "resident_id", "from_unit_id", "moved_on"):
        key = (resident_id, str(from_unit))
        moves[key] = max(moves.get(key, moved_on), moved_on)
    return {pk: moves[(resident_of[pk], unit)] for pk, unit in rows if (resident_of.get(pk), unit) in moves}


CITY_PREFIX = "1311"


def _changed_unit(rows: Any) -> str:
    """The one community the rows belong to, or the city when they span several (for the audit row's unit code)."""
    units = set(rows.values_list("unit_id", flat=True).distinct()[:2])
    return str(next(iter(units))) if len(units) == 1 else CITY_PREFIX.ljust(12, "0")


@transaction.atomic
def reconcile_due_visits(*, on: date | None = None, actor: User | None = None) -> int:
    """Drop residents who died, moved or left the group from the open periods (persisting removed_on)."""
    on = on or today()
    open_rows = DueVisit.objects.filter(period_end__gte=on - timedelta(days=1), period_start__lte=on)
    dropped = _dropouts(open_rows, on)
    updates = [DueVisit(pk=pk, removed_on=day, removed_reason=reason) for pk, day, reason in dropped]
    DueVisit.objects.bulk_update(updates, ["removed_on", "removed_reason"], batch_size=2000)
    if dropped:
        audit.record(actor=actor, action="care.plans_reconciled", unit_code=_changed_unit(open_rows.filter(pk__in=[d[0] for d in dropped])),
                     detail={"dropped": len(dropped), "on": on.isoformat()}, username="system")
    return len(dropped)


def _workers_by_unit(prefix: str = "") -> dict[str, list[int]]:
    workers: dict[str, list[int]] = defaultdict(list)
    qs = User.objects.filter(role=Role.COMMUNITY_WORKER, is_active=True, unit__isnull=False)
    if prefix:
        qs = qs.filter(within("unit_id", prefix))
    for pk, unit in qs.order_by("id").values_list("id", "unit_id"):
        workers[str(unit)].append(pk)
    return workers


def _generate_period(rule: VisitRule, start: date, end: date, workers: dict[str, list[int]], prefix: str) -> int:
    base = DueVisit.objects.filter(rule=rule, period_start=start)
    if prefix:
        base = base.filter(within("unit_id", prefix))
    # Drop-outs first, so a resident who moved gets a row in the new community.
    dropped = _dropouts(base, max(min(today(), end), start))
    DueVisit.objects.bulk_update([DueVisit(pk=pk, removed_on=d, removed_reason=r) for pk, d, r in dropped],
                                 ["removed_on", "removed_reason"], batch_size=2000)
    existing: set[int] = set()
    load: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for resident_id, assignee_id, unit_code in base.filter(removed_on__isnull=True).values_list("resident_id", "assignee_id", "unit_id"):
        existing.add(resident_id)
        if assignee_id:
            load[str(unit_code)][assignee_id] += 1
    # Keep last period's assignment (an edited assignment carries over) while the worker is still there.
    previous: dict[int, tuple[int | None, str]] = {}
    prev_rows = DueVisit.objects.filter(rule=rule, period_end=start - timedelta(days=1), removed_on__isnull=True)
    if prefix:
        prev_rows = prev_rows.filter(within("unit_id", prefix))
    for resident_id, assignee_id, volunteer, unit_code in prev_rows.values_list("resident_id", "assignee_id", "volunteer_name", "unit_id"):
        if volunteer or assignee_id in workers.get(str(unit_code), []):
            previous[resident_id] = (assignee_id, volunteer)
    eligible = Resident.objects.filter(status=Resident.Status.PRESENT, tags__tag=rule.tag)
    if prefix:
        eligible = eligible.filter(within("unit_id", prefix))
    pending: list[tuple[int, str, int | None, str]] = []
    for resident_id, unit_code in eligible.order_by("unit_id", "id").values_list("id", "unit_id").iterator(chunk_size=20000):
        if resident_id in existing:
            continue
        assignee, volunteer = previous.get(resident_id, (None, ""))
        if assignee is not None:
            load[str(unit_code)][assignee] += 1
        pending.append((resident_id, str(unit_code), assignee, volunteer))
    # Even spread: each unassigned resident goes to the community's least-loaded worker.
    heaps: dict[str, list[tuple[int, int]]] = {}
    rows: list[tuple[Any, ...]] = []
    for resident_id, unit, assignee, volunteer in pending:
        if assignee is None and not volunteer and workers.get(unit):
            heap = heaps.get(unit)
            if heap is None:
                heap = heaps[unit] = [(load[unit].get(w, 0), w) for w in workers[unit]]
                heapq.heapify(heap)
            count, assignee = heap[0]
            heapq.heapreplace(heap, (count + 1, assignee))
        rows.append((rule.pk, rule.tag, resident_id, unit, start, end, assignee, volunteer))
    _insert_due_rows(rows)
    return len(rows)


# The due row's values as _generate_period builds them; every other column takes the model's default.
DUE_FIELDS = ["rule_id", "tag", "resident_id", "unit_id", "period_start", "period_end", "assignee_id", "volunteer_name"]


def _insert_due_rows(rows: Sequence[tuple[Any, ...]]) -> None:
    """Rows already generated (same rule, resident and period) are skipped."""
    BulkInserter(DueVisit, DUE_FIELDS, ignore_conflicts=True).write(rows)


@transaction.atomic
def generate_visit_plans(*, month: date, actor: User | None = None, prefix: str = "") -> dict[str, int]:
    """Create the due visits of every active rule for the periods of a month (idempotent).

    Each resident the rule selects (status present, carrying the tag) gets one row per period,
    assigned to last period's visitor if still valid, else to the least-loaded worker of the
    community. Existing rows are kept; residents who dropped out are marked removed.
    """
    month = month.replace(day=1)
    workers = _workers_by_unit(prefix)
    created: dict[str, int] = {}
    for rule in VisitRule.objects.filter(active=True).order_by("id"):
        created[rule.tag] = sum(_generate_period(rule, s, e, workers, prefix) for s, e in periods_in_month(rule.frequency, month))
    # The unit code tells the planning module which indicator values to refresh (the whole city for a full run).
    audit.record(actor=actor, action="care.plans_generated", unit_code=(prefix or CITY_PREFIX).ljust(12, "0"),
                 detail={"month": month.isoformat(), "created": created}, username="system")
    return created


@transaction.atomic
def assign_unassigned(*, on: date | None = None) -> int:
    """Spread open, unassigned due visits over the community's workers (e.g. a community that had none at generation)."""
    on = on or today()
    rows = DueVisit.objects.filter(period_start__lte=on, period_end__gte=on, assignee__isnull=True, volunteer_name="",
                                   visited_on__isnull=True, removed_on__isnull=True)
    units = set(rows.values_list("unit_id", flat=True).distinct())
    if not units:
        return 0
    workers: dict[str, list[int]] = defaultdict(list)
    for pk, unit in User.objects.filter(role=Role.COMMUNITY_WORKER, is_active=True, unit__in=units).order_by("id").values_list("id", "unit_id"):
        workers[str(unit)].append(pk)
    if not workers:
        return 0
    load: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    current = DueVisit.objects.filter(period_start__lte=on, period_end__gte=on, assignee__isnull=False, unit__in=list(workers))
    for assignee_id, unit in current.values_list("assignee_id", "unit_id"):
        load[str(unit)][assignee_id] += 1
    heaps = {unit: [(load[unit].get(w, 0), w) for w in ids] for unit, ids in workers.items()}
    for heap in heaps.values():
        heapq.heapify(heap)
    updates = []
    for pk, unit in rows.filter(unit__in=list(workers)).order_by("unit_id", "id").values_list("id", "unit_id"):
        heap = heaps[str(unit)]
        count, worker = heap[0]
        heapq.heapreplace(heap, (count + 1, worker))
        updates.append(DueVisit(pk=pk, assignee_id=worker))
    DueVisit.objects.bulk_update(updates, ["assignee"], batch_size=2000)
    if updates:
        audit.record(actor=None, action="care.plans_assigned", unit_code=_changed_unit(DueVisit.objects.filter(pk__in=[u.pk for u in updates])),
                     detail={"rows": len(updates), "on": on.isoformat()}, username="system")
    return len(updates)


@transaction.atomic
def assign_due_visit(*, actor: User, due: DueVisit, worker: User | None = None, volunteer_name: str = "") -> DueVisit:
    """Reassign one due visit to a worker of the same community or to a named volunteer."""
    require_scope(actor, due.unit_id)
    volunteer_name = volunteer_name.strip()
    if worker is None and not volunteer_name:
        raise ValidationError("请选择社区工作人员或填写志愿者姓名。")
    if worker is not None and (worker.role != Role.COMMUNITY_WORKER or worker.unit_id != due.unit_id or not worker.is_active):
        raise ValidationError("只能分配给本村（社区）的工作人员。")
    due.assignee, due.volunteer_name = worker, volunteer_name[:50]
    due.save(update_fields=["assignee", "volunteer_name"])
    audit.record(actor=actor, action="care.due_assigned", obj=due,
                 detail={"assignee": worker.pk if worker else None, "volunteer": bool(volunteer_name)})
    return due

