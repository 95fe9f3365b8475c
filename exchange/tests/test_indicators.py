"""The five indicators from the departments' datasets, against values worked out by hand on three counties.

桃城区 (131102), 冀州区 (131103) and 枣强县 (131121); the figures go through planning's engine (real providers),
so the county and city values are planning's Σ numerator / Σ denominator.
"""

import datetime as dt
from importlib import import_module
from importlib.util import find_spec

import pytest
from django.apps import apps

from exchange import services
from exchange.indicators import PROVIDES
from exchange.models import Dataset
from exchange.tests.helpers import residents, villages
from places.models import OrgUnit
from planning import engine, periods, providers
from planning.models import Indicator, ManualValue
from planning.services import enter_manual_value, load_plan
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, CITY, HEDONG, TAOCHENG

JIZHOU, ZAOQIANG = "131103000000", "131121000000"
COUNTIES = (TAOCHENG, JIZHOU, ZAOQIANG)


def land(dataset: Dataset, header: list[str], *lines: list[object]) -> None:
    rows = [(n, dict(zip(header, line, strict=True))) for n, line in enumerate(lines, start=2)]
    result = services.deliver(dataset=dataset, rows=rows, actor=None, channel="command")
    assert result.ok, result.errors


def value(code: str, unit: str, period: str = "2025") -> tuple[float, float]:
    with providers.registered({}, exclusive=False):
        source, values = engine.compute(Indicator.objects.get(code=code), periods.parse(period))
    assert source == "computed"
    num, den = values[unit]
    return num, den


def rural_count(county: str) -> int:
    return OrgUnit.objects.filter(level="village", kind="rural", code__startswith=county[:6]).count()


@pytest.fixture
def plan(datasets: dict[str, Dataset]) -> dict[str, Dataset]:
    load_plan()
    return datasets


@pytest.mark.django_db
def test_it_computes_general_practitioners_per_10k_residents(plan: dict[str, Dataset]) -> None:
    j1 = villages(JIZHOU, "rural", 1)[0]
    z1, z2 = villages(ZAOQIANG, "rural", 2)
    for unit, n in ((BOB_UNIT, 2000), (ALICE_UNIT, 500), (j1, 1000), (z1, 500), (z2, 500)):
        residents(unit, n)
    header = ["单位代码", "全科医生数", "统计日期"]
    land(plan["general_practitioners"], header, [BOB_UNIT, 3, "2025-06-30"], [ALICE_UNIT, 1, "2025-06-30"],
         [HEDONG, 2, "2025-06-30"], [j1, 2, "2025-06-30"], [z1, 1, "2025-06-30"])
    # A later batch (2026) does not change 2025's figure.
    land(plan["general_practitioners"], header, [BOB_UNIT, 9, "2026-03-31"], [ALICE_UNIT, 1, "2025-06-30"],
         [HEDONG, 2, "2025-06-30"], [j1, 2, "2025-06-30"], [z1, 1, "2025-06-30"])
    # 桃城: (3 + 1 + 2 township) / (2500 / 10,000) = 24; 冀州: 2 / 0.1 = 20; 枣强: 1 / 0.1 = 10; city 9 / 0.45 = 20.
    assert value("general_practitioners_per_10k_residents", TAOCHENG) == pytest.approx((6, 0.25))
    assert value("general_practitioners_per_10k_residents", JIZHOU) == pytest.approx((2, 0.1))
    assert value("general_practitioners_per_10k_residents", ZAOQIANG) == pytest.approx((1, 0.1))
    assert value("general_practitioners_per_10k_residents", CITY) == pytest.approx((9, 0.45))
    assert value("general_practitioners_per_10k_residents", BOB_UNIT) == pytest.approx((3, 0.2))
    assert value("general_practitioners_per_10k_residents", TAOCHENG, "2026") == pytest.approx((12, 0.25))


@pytest.mark.django_db
def test_it_computes_5g_and_broadband_of_administrative_villages(plan: dict[str, Dataset]) -> None:
    t1, t2, t3 = villages(TAOCHENG, "rural", 3)
    j1, j2 = villages(JIZHOU, "rural", 2)
    z1 = villages(ZAOQIANG, "rural", 1)[0]
    header = ["行政村代码", "通5G", "通宽带", "统计日期"]
    land(plan["village_connectivity"], header, [t1, "是", "是", "2025-06-30"], [t2, "是", "是", "2025-06-30"],
         [t3, "否", "否", "2025-06-30"], [j1, "是", "是", "2025-06-30"], [j2, "否", "是", "2025-06-30"],
         [z1, "否", "否", "2025-06-30"])
    n_t, n_j, n_z = (rural_count(c) for c in COUNTIES)
    total = OrgUnit.objects.filter(level="village", kind="rural").count()
    assert value("villages_with_5g_share", TAOCHENG) == (2, n_t)
    assert value("villages_with_5g_share", JIZHOU) == (1, n_j)
    assert value("villages_with_5g_share", ZAOQIANG) == (0, n_z)
    assert value("villages_with_5g_share", CITY) == (3, total)
    # Without broadband: reported 否, and every village with no row on record.
    assert value("villages_without_broadband", TAOCHENG) == (n_t - 2, n_t)
    assert value("villages_without_broadband", JIZHOU) == (n_j - 2, n_j)
    assert value("villages_without_broadband", ZAOQIANG) == (n_z, n_z)
    assert value("villages_without_broadband", CITY) == (total - 4, total)
    # Before the batch's date nothing was on record.
    assert value("villages_with_5g_share", CITY, "2024") == (0, total)


@pytest.mark.django_db
def test_it_counts_elderly_friendly_communities_of_the_year(plan: dict[str, Dataset]) -> None:
    j1 = villages(JIZHOU, "urban", 1)[0]
    z1 = villages(ZAOQIANG, "rural", 1)[0]
    land(plan["elderly_friendly_communities"], ["村（社区）代码", "命名年份", "命名机关"], [BOB_UNIT, 2024, "国家卫生健康委"],
         [ALICE_UNIT, 2025, "国家卫生健康委"], [j1, 2025, "国家卫生健康委、全国老龄办"], [z1, 2025, "国家卫生健康委"])
    assert value("elderly_friendly_communities_per_year", CITY) == (3, 1)
    assert value("elderly_friendly_communities_per_year", CITY, "2024") == (1, 1)
    assert value("elderly_friendly_communities_per_year", TAOCHENG)[0] == 1
    assert value("elderly_friendly_communities_per_year", JIZHOU)[0] == 1
    assert value("elderly_friendly_communities_per_year", ZAOQIANG)[0] == 1


@pytest.mark.django_db
def test_it_computes_association_coverage_from_the_federations_dataset(plan: dict[str, Dataset], world) -> None:
    indicator = Indicator.objects.get(code="disabled_persons_association_coverage")
    enter_manual_value(indicator=indicator, unit_code=TAOCHENG, period="2025", numerator=30, denominator=40,
                       source="残联台账", source_date=dt.date(2025, 6, 30), actor=world.carl)
    j1 = villages(JIZHOU, "rural", 1)[0]
    land(plan["disabled_persons_associations"], ["村（社区）代码", "成立日期", "主席姓名"], [BOB_UNIT, "2020-05-01", "张三"],
         [ALICE_UNIT, "2026-02-01", "李四"], [j1, "2019-09-09", "王五"])
    villages_in = {c: OrgUnit.objects.filter(level="village", code__startswith=c[:6]).count() for c in COUNTIES}
    all_villages = OrgUnit.objects.filter(level="village").count()
    # 游园's association was founded in 2026: not in 2025's coverage.
    assert value("disabled_persons_association_coverage", TAOCHENG) == (1, villages_in[TAOCHENG])
    assert value("disabled_persons_association_coverage", JIZHOU) == (1, villages_in[JIZHOU])
    assert value("disabled_persons_association_coverage", ZAOQIANG) == (0, villages_in[ZAOQIANG])
    assert value("disabled_persons_association_coverage", CITY) == (2, all_villages)
    assert value("disabled_persons_association_coverage", TAOCHENG, "2026") == (2, villages_in[TAOCHENG])
    # The manual history stays; the catalogue names exchange as the one source.
    assert ManualValue.objects.filter(indicator=indicator).count() == 1
    assert providers.discover()["disabled_persons_association_coverage"][0] == "exchange"


@pytest.mark.django_db
def test_it_switches_the_five_indicators_from_manual_to_exchange(plan: dict[str, Dataset]) -> None:
    switched = Indicator.objects.filter(code__in=PROVIDES)
    assert sorted(switched.values_list("code", "source_module")) == sorted((c, "exchange") for c in PROVIDES)
    found = providers.discover()
    assert {code: found[code][0] for code in PROVIDES} == dict.fromkeys(PROVIDES, "exchange")
    # One fact, one source: no other module computes any of them (facilities used to count 残疾人协会 rooms).
    for config in apps.get_app_configs():
        if config.name != "exchange" and find_spec(f"{config.name}.indicators") is not None:
            others = set(getattr(import_module(f"{config.name}.indicators"), "PROVIDES", {}))
            assert not others & set(PROVIDES), config.name


@pytest.mark.django_db
def test_it_answers_for_one_unit_as_it_does_city_wide(plan: dict[str, Dataset]) -> None:
    land(plan["general_practitioners"], ["单位代码", "全科医生数", "统计日期"], [BOB_UNIT, 3, "2025-06-30"], [HEDONG, 2, "2025-06-30"])
    start, end = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    for code, function in PROVIDES.items():
        city_wide = function(start, end)
        for prefix, unit in ((BOB_UNIT, BOB_UNIT), (HEDONG[:9], HEDONG)):
            one = function(start, end, prefix=prefix)  # type: ignore[call-arg]  # providers take prefix= (held by a contract test); the registry's Callable type does not say so
            assert one.get(unit) == city_wide.get(unit), code
            assert all(k.startswith(prefix) for k in one), code
