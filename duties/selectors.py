"""Scoped reads and figures of the duties module."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.scoping import scope_prefix
from duties.models import (
    AdmissionRequest,
    Assessment,
    CertificateRequest,
    DutyTask,
    ListVersion,
    ProxyCase,
    ServiceItem,
    WorkItem,
)


def is_staff(user: Any) -> bool:
    return scope_prefix(user) is not None


def versions() -> QuerySet[ListVersion]:
    return ListVersion.objects.order_by("-number")


def items_of(version: ListVersion | None) -> QuerySet[WorkItem]:
    if version is None:
        return WorkItem.objects.none()
    return version.items.select_related("department").order_by("kind", "code")


def tasks(user: Any) -> QuerySet[DutyTask]:
    return DutyTask.objects.visible_to(user).select_related("unit", "department", "item", "admission")


def admissions(user: Any) -> QuerySet[AdmissionRequest]:
    return AdmissionRequest.objects.visible_to(user).select_related("department")


def certificates(user: Any) -> QuerySet[CertificateRequest]:
    return CertificateRequest.objects.visible_to(user).select_related("unit", "item")


def proxy_cases(user: Any) -> QuerySet[ProxyCase]:
    return ProxyCase.objects.visible_to(user).select_related("unit", "item", "department")


def assessments(user: Any) -> QuerySet[Assessment]:
    return Assessment.objects.visible_to(user).select_related("unit")


def catalogue(query: str = "") -> QuerySet[ServiceItem]:
    """The public catalogue; a Chinese text search over name, keywords, who may apply, conditions and department."""
    rows = ServiceItem.objects.filter(active=True).select_related("department")
    for word in query.split()[:5]:
        rows = rows.filter(Q(name__contains=word) | Q(keywords__contains=word) | Q(who__contains=word)
                           | Q(conditions__contains=word) | Q(department__name__contains=word))
    return rows.order_by("name", "pk")


def task_figures(user: Any, year: int) -> list[dict[str, Any]]:
    """Per department: tasks sent (to communities in the user's view), objected, hours asked, refused attempts."""
    rows = tasks(user).filter(created_at__year=year).values("department__code", "department__name").annotate(
        sent=Count("pk"), objected=Count("pk", filter=~Q(objection="")), hours=Sum("hours"),
        withdrawn=Count("pk", filter=Q(withdrawn=True))).order_by("department__code")
    out = {r["department__code"]: {**r, "refused": 0} for r in rows}
    # A refusal names no community: the city sees every department's, a department its own.
    own = user.department.code if getattr(user, "role", "") == "department_staff" and user.department_id else None
    if getattr(user, "role", "") == "city_staff" and scope_prefix(user) is not None or own:
        refused = AuditEntry.objects.filter(action="duties.task_refused", at__year=year)
        for entry in refused.values_list("detail", flat=True):
            code = (entry or {}).get("department", "")
            if own and code != own:
                continue
            if code not in out:
                from places.models import Department

                name = Department.objects.filter(code=code).values_list("name", flat=True).first() or code
                out[code] = {"department__code": code, "department__name": name, "sent": 0, "objected": 0,
                             "hours": Decimal(0), "withdrawn": 0, "refused": 0}
            out[code]["refused"] += 1
    return sorted(out.values(), key=lambda r: r["department__code"])


def certificate_figures(user: Any) -> dict[str, Any]:
    rows = certificates(user)
    by_item = list(rows.values("item__name", "item__kind").annotate(
        total=Count("pk"), issued=Count("pk", filter=Q(status="issued")),
        refused=Count("pk", filter=Q(status="refused"))).order_by("item__name"))
    abolished_by_department = list(rows.filter(status="abolished").values("asking_department").annotate(
        total=Count("pk")).order_by("-total", "asking_department"))
    return {"by_item": by_item, "abolished_by_department": abolished_by_department}


def proxy_figures(user: Any) -> list[dict[str, Any]]:
    """Per item: proxy cases, completed, completed within the department's limit, average days to completion."""
    out = []
    for row in proxy_cases(user).values("item__name").annotate(
            total=Count("pk"), completed=Count("pk", filter=Q(status="completed")), overdue=Count(
                "pk", filter=Q(escalated_at__isnull=False))).order_by("item__name"):
        done = proxy_cases(user).filter(item__name=row["item__name"], status="completed")
        within = sum(1 for c in done.only("answered_at", "due_at") if c.answered_at and c.due_at
                     and c.answered_at <= c.due_at)
        spans = [(c.completed_at - c.created_at).total_seconds() / 86400 for c in done.only("completed_at", "created_at")
                 if c.completed_at]
        out.append({**row, "within": within, "avg_days": round(sum(spans) / len(spans), 1) if spans else None})
    return out


def results(assessment: Assessment, user: Any) -> list[dict[str, Any]]:
    """Each community's weighted total (0–100), its values per indicator and its rank in the township."""
    from places.codes import within
    from places.models import OrgUnit

    villages = OrgUnit.objects.filter(within("code", assessment.unit.prefix), level=OrgUnit.Level.VILLAGE)
    weights = {i["name"]: Decimal(str(i["weight"])) for i in assessment.indicators}
    table: dict[str, dict[str, Any]] = {u.code: {"unit": u, "values": {}, "total": Decimal(0)} for u in villages}
    for s in assessment.scores.all():
        if s.unit_id in table:
            table[s.unit_id]["values"][s.indicator] = s
            table[s.unit_id]["total"] += weights.get(s.indicator, Decimal(0)) * s.value
    ranked = sorted(table.values(), key=lambda r: (-r["total"], r["unit"].code))
    for n, row in enumerate(ranked, start=1):
        row["rank"] = n
        row["total"] = row["total"].quantize(Decimal("0.01"))
    if getattr(user, "role", "") == "community_worker":  # the community's own view
        return [r for r in ranked if r["unit"].code == user.unit_id]
    return ranked


# The one status vocabulary of a resident's matters.
STATES_OF_BOOKING = {"pending": "办理中", "confirmed": "已办结", "rejected": "未通过", "cancelled": "已取消"}
STATES_OF_CERTIFICATE = {"requested": "办理中", "issued": "已办结", "refused": "未通过", "abolished": "已办结"}


def matters(user: Any) -> list[dict[str, Any]]:
    """A resident's matters in one list, one status vocabulary: 办理中 / 已办结 / 未通过."""
    rows: list[dict[str, Any]] = []
    for c in CertificateRequest.objects.filter(account=user).select_related("item"):
        state = STATES_OF_CERTIFICATE[c.status]
        rows.append({"kind": "证明", "title": c.item.name, "state": state, "detail": c.get_status_display(),
                     "at": c.created_at, "url": f"/duties/certificates/{c.pk}/"})
    for p in ProxyCase.objects.filter(account=user).select_related("item"):
        state = "已办结" if p.status == "completed" else "办理中"
        rows.append({"kind": "代办", "title": p.item.name, "state": state, "detail": p.get_status_display(),
                     "at": p.created_at, "url": f"/duties/proxy/{p.pk}/"})
    if user.role == "resident":
        from django.apps import apps

        if apps.is_installed("appeals"):
            from appeals import selectors as appeals_selectors
            from appeals.models import OPEN_STATES

            for a in appeals_selectors.mine(user)[:200]:
                rows.append({"kind": "诉求", "title": f"{a.category.name} {a.tracking_no}",
                             "state": "办理中" if a.state in OPEN_STATES else "已办结",
                             "detail": a.get_state_display(), "at": a.created_at, "url": "/appeals/mine/"})
        if apps.is_installed("facilities"):
            from facilities.models import Booking

            for b in Booking.objects.filter(booker=user).select_related("space")[:200]:
                state = STATES_OF_BOOKING.get(b.status, "已办结")
                rows.append({"kind": "场地预约", "title": f"{b.space} {timezone.localtime(b.starts_at):%m-%d %H:%M}",
                             "state": state, "detail": b.get_status_display(), "at": b.created_at,
                             "url": "/facilities/"})
    return sorted(rows, key=lambda r: r["at"] or timezone.now(), reverse=True)


def today() -> dt.date:
    return timezone.localdate()
