"""Scoped reads of the deliberation module."""

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.roles import Role
from accounts.scoping import NOTHING, scope_prefix, scope_q
from deliberation.models import Invitation, Meeting, Need, Project, Resource, Survey, Topic, TopicState


def is_staff(user: Any) -> bool:
    return scope_prefix(user) is not None


def is_resident(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.RESIDENT and user.unit_id)


def topics(user: Any, state: str = "", query: str = "") -> QuerySet[Topic]:
    rows = Topic.objects.visible_to(user).select_related("unit").annotate(support_count=Count("supports"))
    if state in TopicState.values:
        rows = rows.filter(state=state)
    if query:
        rows = rows.filter(Q(title__icontains=query) | Q(body__icontains=query))
    return rows


def similar_open(unit_code: str, text: str, limit: int = 5) -> list[Topic]:
    """Open topics of the community sharing words (two-character pieces) with the text, most shared first."""
    text = "".join(ch for ch in (text or "") if not ch.isspace())[:200]
    pieces = {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())
    if not pieces:
        return []
    q = Q()
    for piece in list(pieces)[:60]:
        q |= Q(title__contains=piece) | Q(body__contains=piece)
    found = Topic.objects.filter(q, unit__code=unit_code,
                                 state__in=[TopicState.COLLECTING, TopicState.SUBMITTED, TopicState.ACCEPTED])[:50]
    scored = sorted(found, key=lambda t: -sum(p in t.title + t.body for p in pieces))
    return scored[:limit]


def meetings(user: Any) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(user).select_related("topic", "unit")


def surveys(user: Any) -> QuerySet[Survey]:
    if is_staff(user):
        return Survey.objects.filter(scope_q(user)).select_related("unit")
    if is_resident(user):
        return Survey.objects.filter(Exists(Invitation.objects.filter(survey=OuterRef("pk"), account=user)))
    return Survey.objects.filter(NOTHING)


def needs(user: Any) -> QuerySet[Need]:
    return Need.objects.visible_to(user).select_related("unit", "resource")


def matched_within(rows: QuerySet[Need], days: int = 7) -> tuple[int, int]:
    """(needs matched within `days` of being recorded, all needs) — the three lists' speed figure."""
    import datetime as dt

    from django.db.models import DurationField as Duration
    from django.db.models import ExpressionWrapper, F

    late = ExpressionWrapper(F("matched_at") - F("created_at"), output_field=Duration())
    fast = rows.filter(matched_at__isnull=False).annotate(took=late).filter(took__lte=dt.timedelta(days=days)).count()
    return fast, rows.count()


def resources(user: Any) -> QuerySet[Resource]:
    return Resource.objects.visible_to(user).select_related("unit")


def projects(user: Any) -> QuerySet[Project]:
    return Project.objects.visible_to(user).select_related("unit", "topic")


def results(survey: Survey, prefix: str = "") -> list[dict[str, Any]]:
    """Per question: option counts (single, multiple), score counts and mean (scale), row means (matrix), texts."""
    from places.codes import within

    rows = survey.responses.all()
    if prefix:
        rows = rows.filter(within("unit_id", prefix))
    questions = list(survey.questions.all())
    tallies: dict[str, dict[str, Any]] = {str(qn.order): {"counts": {}, "sum": 0, "n": 0, "rows": {}, "texts": []}
                                          for qn in questions}
    total = 0
    for answers in rows.values_list("answers", flat=True).iterator(chunk_size=5000):
        total += 1
        for key, value in answers.items():
            t = tallies.get(key)
            if t is None:
                continue
            if isinstance(value, list):
                for v in value:
                    t["counts"][v] = t["counts"].get(v, 0) + 1
            elif isinstance(value, dict):
                for row, score in value.items():
                    s, n = t["rows"].get(row, (0, 0))
                    t["rows"][row] = (s + score, n + 1)
            elif isinstance(value, int):
                t["counts"][str(value)] = t["counts"].get(str(value), 0) + 1
                t["sum"] += value
                t["n"] += 1
            else:
                if len(t["texts"]) < 200:
                    t["texts"].append(value)
                t["n"] += 1
    out = []
    for qn in questions:
        t = tallies[str(qn.order)]
        labels = [str(i) for i in range(1, 6)] if qn.kind == "scale" else list(qn.options)
        out.append({"question": qn, "total": total,
                    "counts": [(label, t["counts"].get(label, 0)) for label in labels],
                    "mean": round(t["sum"] / t["n"], 2) if qn.kind == "scale" and t["n"] else None,
                    "rows": [(r, round(t["rows"][r][0] / t["rows"][r][1], 2) if r in t["rows"] else None)
                             for r in qn.options] if qn.kind == "matrix" else [],
                    "texts": t["texts"]})
    return out
