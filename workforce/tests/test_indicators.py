"""The two plan indicators, against hand-computed values on a small fixture."""

import datetime as dt

import pytest

from places.models import OrgUnit
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, CITY
from workforce.indicators import PROVIDES, secretary_director_training_rate, workers_per_10k_urban_residents
from workforce.tests.factories import attend, residents, training, worker

END = dt.date(2026, 6, 30)
START = dt.date(2026, 1, 1)


@pytest.fixture
def fixture(tree: None) -> dict[str, str]:
    """游园社区 (河西街道) and 桥东社区 (河东街道), both urban, plus one rural village."""
    rural = OrgUnit.objects.filter(level="village", kind="rural").order_by("code").values_list("code", flat=True)[0]
    residents(ALICE_UNIT, 500)
    residents(ALICE_UNIT, 40, status="moved_out")      # not counted
    residents(BOB_UNIT, 2000)
    residents(rural, 300)                               # rural: not in the per-10k indicator
    # 游园: secretary, director, 2 committee members, 1 full-time, 1 grid worker, 1 building leader, 1 left.
    sec = worker(ALICE_UNIT, "secretary", name="甲")
    director = worker(ALICE_UNIT, "director", name="乙")
    worker(ALICE_UNIT, "committee_member", name="丙")
    worker(ALICE_UNIT, "committee_member", name="丁")
    worker(ALICE_UNIT, "full_time", name="戊")
    worker(ALICE_UNIT, "grid_worker", name="己")
    worker(ALICE_UNIT, "building_leader", name="庚")
    worker(ALICE_UNIT, "full_time", name="辛", ended=dt.date(2026, 5, 1))          # left before END
    worker(ALICE_UNIT, "full_time", name="壬", started=dt.date(2026, 7, 1))         # starts after END
    # 桥东: one person holding both posts, one full-time worker; the former secretary left in March.
    both = worker(BOB_UNIT, "secretary_director", name="子", started=dt.date(2026, 3, 20))
    worker(BOB_UNIT, "full_time", name="丑")
    former = worker(BOB_UNIT, "secretary", name="寅", ended=dt.date(2026, 3, 20))
    worker(rural, "secretary_director", name="卯")
    rotation = training(CITY)
    attend(sec, rotation)
    attend(director, rotation, completed=False)          # attended, not completed
    attend(former, rotation)                               # trained before leaving: still counts for 2026
    business = training(CITY, kind="business", title="业务培训")
    attend(both, business)                                 # not a rotation training
    old = training(CITY, starts=dt.date(2025, 4, 1), ends=dt.date(2025, 4, 3), title="2025轮训")
    attend(both, old)                                      # last year's
    late = training(CITY, starts=dt.date(2026, 9, 1), ends=dt.date(2026, 9, 3), title="下半年轮训")
    attend(director, late)                                 # after END
    return {"rural": rural}


@pytest.mark.django_db
def test_it_computes_workers_per_10k_urban_residents(fixture: dict[str, str]) -> None:
    values = workers_per_10k_urban_residents(START, END)
    # 游园: 甲 乙 丙 丁 戊 = 5 counted in post; 500 present residents.
    assert values[ALICE_UNIT] == (5.0, pytest.approx(0.05))
    # 桥东: 子 丑 = 2 (寅 left on 2026-03-20); 2000 residents.
    assert values[BOB_UNIT] == (2.0, pytest.approx(0.2))
    assert fixture["rural"] not in values
    urban = OrgUnit.objects.filter(level="village", kind="urban").count()
    assert len(values) == urban
    # Summed up the tree: (5 + 2) / (2500 / 10,000) = 28 per 10k.
    total_n = sum(n for n, _ in values.values())
    total_d = sum(d for _, d in values.values())
    assert total_n / total_d == pytest.approx(28.0)


@pytest.mark.django_db
def test_it_counts_workers_as_of_the_end_date(fixture: dict[str, str]) -> None:
    before = workers_per_10k_urban_residents(START, dt.date(2026, 3, 1))
    # 辛 still in post; 子 not yet; 寅 still in post.
    assert before[ALICE_UNIT][0] == 6.0
    assert before[BOB_UNIT][0] == 2.0


@pytest.mark.django_db
def test_it_computes_the_secretary_director_training_rate(fixture: dict[str, str]) -> None:
    values = secretary_director_training_rate(START, END)
    # 游园: 甲 (trained) and 乙 (not completed; the September course is after END) → 1 / 2.
    assert values[ALICE_UNIT] == (1.0, 2.0)
    # 桥东: 子 (一人兼, only a business course and last year's) and 寅 (trained, left in March) → 1 / 2.
    assert values[BOB_UNIT] == (1.0, 2.0)
    # The rural secretary-director was not trained; every village-level unit is listed.
    assert values[fixture["rural"]] == (0.0, 1.0)
    assert len(values) == OrgUnit.objects.filter(level="village").count()
    year_end = secretary_director_training_rate(START, dt.date(2026, 12, 31))
    assert year_end[ALICE_UNIT] == (2.0, 2.0)


@pytest.mark.django_db
def test_it_answers_for_one_unit_when_asked_with_a_prefix(fixture: dict[str, str]) -> None:
    assert secretary_director_training_rate(START, END, prefix=BOB_UNIT) == {BOB_UNIT: (1.0, 2.0)}
    only = workers_per_10k_urban_residents(START, END, prefix=ALICE_UNIT[:9])
    assert only[ALICE_UNIT] == (5.0, pytest.approx(0.05))
    assert BOB_UNIT not in only


@pytest.mark.django_db
def test_it_provides_both_codes_named_in_the_catalogue(tree: None) -> None:
    import json
    from pathlib import Path

    catalogue = {row["code"]: row for row in json.loads(Path("planning/data/indicators.json").read_text())}
    for code in PROVIDES:
        assert catalogue[code]["source_module"] == "workforce"
        assert catalogue[code]["manual"] is False


@pytest.mark.django_db
def test_it_uses_a_fixed_number_of_queries(fixture: dict[str, str], django_assert_max_num_queries) -> None:
    with django_assert_max_num_queries(3):
        workers_per_10k_urban_residents(START, END)
    with django_assert_max_num_queries(2):
        secretary_director_training_rate(START, END)
