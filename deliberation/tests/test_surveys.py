"""Surveys: invited residents answer once, anonymous answers link to nobody, results, export, the coverage indicator."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from deliberation import indicators, services
from deliberation.models import Invitation, Response
from deliberation.tests.factories import register, resident_user
from planning import providers
from shequ.testing.world import BOB_UNIT, World

HEDONG = "131102002"
OTHER = "131102002019"


@pytest.mark.django_db
def test_it_takes_one_anonymous_answer_per_invited_person(world: World, login) -> None:
    people = register(BOB_UNIT, households=3)
    users = [resident_user(p) for p in people]
    survey = services.create_survey(actor=world.bob, unit_code=BOB_UNIT, title="2025年满意度调查", satisfaction=True)
    assert services.open_survey(actor=world.bob, survey=survey) == 3
    client = login(users[0])
    form = client.get(f"/deliberation/surveys/{survey.pk}/").content.decode()
    assert "您对本村（社区）服务的总体满意度" in form
    bad = client.post(f"/deliberation/surveys/{survey.pk}/", {"q1": "9"})
    assert bad.status_code == 400 and "1 至 5 分" in bad.content.decode() and not Response.objects.exists()
    ok = client.post(f"/deliberation/surveys/{survey.pk}/", {"q1": "5", "q2_0": "4", "q3": "否", "q4": "不该出现", "q5": ["停车", "养老"]})
    assert ok.status_code == 302
    with pytest.raises(ValidationError, match="只能答一次"):
        services.answer_survey(actor=users[0], survey=survey, raw={"1": "3"})
    with pytest.raises(ValidationError, match="不在本问卷的调查范围"):
        services.answer_survey(actor=world.rita, survey=survey, raw={"1": "3"})
    row = Response.objects.get()
    assert row.answers == {"1": 5, "2": {"党群服务中心": 4}, "3": "否", "5": ["停车", "养老"]}  # q4 only after 是
    assert row.respondent_id is None and row.unit_id == BOB_UNIT
    columns = {c.name for c in connection.introspection.get_table_description(connection.cursor(), Response._meta.db_table)}
    assert columns == {"id", "survey_id", "unit_code", "answers", "on_paper", "submitted_on", "respondent_id"}
    assert Invitation.objects.filter(answered=True).count() == 1
    services.enter_paper(actor=world.bob, survey=survey, unit_code=BOB_UNIT, raw={"1": "2", "3": "是", "4": "很好"})
    export = login(world.bob).get(f"/deliberation/surveys/{survey.pk}/export/")
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
    header = rows[1]
    assert header[3].startswith("1.") and len(header) == 3 + 6
    by_paper = {r[2]: r for r in rows[2:]}
    assert by_paper["否"][3 + 3] == "（未显示）" and by_paper["是"][3 + 3] == "很好"
    page = login(world.bob).get(f"/deliberation/surveys/{survey.pk}/").content.decode()
    assert "答卷共 2 份" in page and "很好" in page


@pytest.mark.django_db
def test_it_computes_satisfaction_survey_coverage_with_the_citys_minimum(world: World, monkeypatch) -> None:
    monkeypatch.setattr(indicators, "MIN_ANSWERS", 3)
    survey = services.create_survey(actor=world.tom, unit_code="131102002000", title="河东满意度", satisfaction=True)
    services.open_survey(actor=world.tom, survey=survey)
    for _ in range(3):
        services.enter_paper(actor=world.tom, survey=survey, unit_code=BOB_UNIT, raw={"1": "4"})
    for _ in range(2):
        services.enter_paper(actor=world.tom, survey=survey, unit_code=OTHER, raw={"1": "4"})  # below the minimum
    Response.objects.filter(unit_id=OTHER).first()
    old = services.create_survey(actor=world.tom, unit_code="131102002000", title="去年", satisfaction=True)
    services.open_survey(actor=world.tom, survey=old)
    for _ in range(3):
        services.enter_paper(actor=world.tom, survey=old, unit_code=OTHER, raw={"1": "4"}, today=dt.date(2024, 6, 1))
    end = timezone.localdate()
    values = indicators.satisfaction_survey_coverage(dt.date(end.year, 1, 1), end, HEDONG)
    assert {c for c, (n, _) in values.items() if n} == {BOB_UNIT}
    assert all(d == 1 for _, d in values.values()) and len(values) > 20
    assert providers.discover()["satisfaction_survey_coverage"][0] == "deliberation"


@pytest.mark.django_db
def test_it_seeds_demo_data_that_the_coverage_counts(world: World) -> None:
    from django.core.management import call_command

    from deliberation.demo import TOWNSHIP

    call_command("seed_deliberation")
    call_command("seed_deliberation")  # idempotent
    end = timezone.localdate()
    values = indicators.satisfaction_survey_coverage(dt.date(end.year, 1, 1), end, TOWNSHIP[:9])
    assert sum(n for n, _ in values.values()) == 5
