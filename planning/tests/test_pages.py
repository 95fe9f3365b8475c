import datetime as dt
from io import BytesIO

import pytest
from openpyxl import load_workbook

from planning import providers, seed, services
from planning.models import Indicator, ManualValue
from shequ.testing.world import ALICE_UNIT, BOB_UNIT, CITY, HEDONG, TAOCHENG


def fake(figures):
    return lambda start, end: dict(figures)


@pytest.fixture
def plan(tree):
    services.load_plan()


def test_it_drills_down_from_the_county_with_ranked_children(plan, world, login) -> None:
    with providers.registered({"rural_facility_coverage": fake({ALICE_UNIT: (1, 1), BOB_UNIT: (0, 1)})}):
        client = login(world.carl)
        page = client.get(f"/plan/units/{TAOCHENG}/?period=2025").content.decode()
        assert "农村社区综合服务设施覆盖率" in page and "50.0%" in page and "河东街道" in page
        detail = client.get(f"/plan/units/{TAOCHENG}/indicators/rural_facility_coverage/?period=2025").content.decode()
        assert detail.index("河西街道") < detail.index("河东街道")  # 100% ranks above 0%
        assert "echarts.min.js" in detail and "trend-data" in detail
        assert client.get(f"/plan/units/{HEDONG}/?period=2025").status_code == 200
        assert client.get(f"/plan/units/{CITY}/").status_code == 404
        assert login(world.bob).get(f"/plan/units/{BOB_UNIT}/").status_code == 200


def test_it_sends_each_user_to_their_own_dashboard(plan, world, login) -> None:
    assert login(world.tom).get("/plan/")["Location"] == f"/plan/units/{HEDONG}/"
    assert login(world.erin).get("/plan/")["Location"] == "/plan/ledger/"


def test_it_takes_a_manual_value_through_the_form(plan, world, login) -> None:
    client = login(world.carl)
    data = {"indicator": "villages_with_5g_share", "period": "2025", "numerator": "40", "denominator": "50",
            "source": "联通衡水分公司", "source_date": "2025-06-30"}
    assert client.post(f"/plan/units/{TAOCHENG}/manual/", data).status_code == 302
    page = client.get(f"/plan/units/{TAOCHENG}/?period=2025").content.decode()
    assert "80.0%" in page and "人工填报" in page
    bad = client.post(f"/plan/units/{TAOCHENG}/manual/", {**data, "numerator": "60"})
    assert "分子不能大于分母" in bad.content.decode()
    assert ManualValue.objects.count() == 1
    # The lead department enters the city figure, and only that.
    erin = login(world.erin)
    assert erin.get(f"/plan/units/{CITY}/manual/").status_code == 200
    assert erin.post(f"/plan/units/{CITY}/manual/", {**data, "numerator": "800", "denominator": "1000"}).status_code == 302
    assert erin.get(f"/plan/units/{TAOCHENG}/manual/").status_code == 404


def test_it_renders_the_evaluation_report(plan, world, login) -> None:
    services.enter_manual_value(indicator=Indicator.objects.get(code="villages_with_5g_share"), unit_code=TAOCHENG,
                                period="2025", numerator=1, denominator=2, source="x", source_date=dt.date(2025, 1, 1),
                                actor=world.carl)
    client = login(world.carl)
    pdf = client.get(f"/plan/units/{TAOCHENG}/evaluation.pdf?year=2025")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/plan/units/{TAOCHENG}/evaluation.xlsx?year=2025")
    book = load_workbook(BytesIO(xlsx.content))
    assert book.sheetnames == ["主要指标", "重点任务", "问题与缺口"]
    rows = list(book["主要指标"].iter_rows(values_only=True))
    five_g = next(r for r in rows if r[1] == "通5G行政村比例")
    assert five_g[2] == 0.5 and five_g[4] == "滞后" and five_g[7] == "人工填报"  # a number, not the text "50.0%"
    cell = next(c for c in book["主要指标"]["C"] if c.value == 0.5)
    assert cell.number_format == "0.0%"  # shown as 50.0% in Excel


def test_it_discovers_the_installed_providers() -> None:
    with providers.registered({}, exclusive=False):
        found = providers.discover()
    from importlib.util import find_spec

    if find_spec("places.indicators") is not None:
        assert found["org_system_coverage"][0] == "places"


def test_it_shows_the_task_list_and_nav(plan, world, login) -> None:
    page = login(world.cindy).get("/plan/tasks/").content.decode()
    assert "健全党建引领机制" in page and "市委组织部" in page
    from planning.nav import items

    assert [i["label"] for i in items(world.erin)] == ["工作台账", "进展审核"]
    assert items(world.rita) == []


def test_it_seeds_demo_data_idempotently(tree) -> None:
    from django.core.management import call_command

    from planning.models import Assignment, ProgressReport

    call_command("seed_planning")
    counts = (Assignment.objects.count(), ProgressReport.objects.count(), ManualValue.objects.count())
    call_command("seed_planning")
    assert (Assignment.objects.count(), ProgressReport.objects.count(), ManualValue.objects.count()) == counts
    assert counts[1] > 0 and counts[2] == len(seed.MANUAL)


def test_it_keeps_a_cached_dashboard_to_a_fixed_number_of_queries(plan, world, login, django_assert_max_num_queries) -> None:
    client = login(world.carl)
    client.get(f"/plan/units/{TAOCHENG}/?period=2025")  # fills the cache
    with django_assert_max_num_queries(40):
        assert client.get(f"/plan/units/{TAOCHENG}/?period=2025").status_code == 200
