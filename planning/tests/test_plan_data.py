"""Checks of the plan data files (plain json/csv; no Django needed).

Run:  python -m pytest planning/tests/test_plan_data.py -p no:django -q
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLAN_DIR = ROOT / "planning" / "data"
PLAN_JSON = PLAN_DIR / "plan.json"
INDICATORS_JSON = PLAN_DIR / "indicators.json"
BUILD_SCRIPT = PLAN_DIR / "build_plan_data.py"
DEPARTMENTS_CSV = ROOT / "places" / "data" / "departments.csv"
# Request categories live elsewhere in the project (another engineer owns them);
# the first existing path is used, the check is skipped when none exists yet.
REQUEST_CATEGORY_CSVS = [
    ROOT / "appeals" / "data" / "request_categories.csv",
    ROOT / "places" / "data" / "request_categories.csv",
    ROOT / "data" / "request_categories.csv",
    ROOT / "shequ" / "data" / "request_categories.csv",
]
# lead_department column of request_categories.csv, transcribed so the check
# works even before that file is copied into the project.
REQUEST_CATEGORY_LEADS = {
    "市住房城乡建设局",
    "市城管综合行政执法局",
    "市公安局",
    "市消防救援支队",
    "市司法局",
    "市民政局",
    "市残联",
    "市卫生健康委",
    "市人力资源社会保障局",
    "市行政审批局",
    "市发展改革委",
    "市市场监督管理局",
    "市生态环境局",
    "市体育局",
    "市应急管理局",
}

SPECIAL_ACTION_ROWS = 39  # counted by hand in 附件2 of the seed

# 牵头单位 of every row of 附件1, read by hand from seed_plan.txt (not produced
# by the parser).  Cells broken over two lines ("市卫生\n健康委") are joined.
HAND_LEADS = {
    1: "市委组织部",
    2: "市委组织部",
    3: "市委组织部",
    4: "市委组织部",
    5: "市委组织部",
    6: "市委组织部",
    7: "市委组织部",
    8: "市委组织部",
    9: "市委组织部",
    10: "市委组织部",
    11: "市委组织部",
    12: "市委组织部",
    13: "市民政局",
    14: "市民政局",
    15: "市卫生健康委",
    16: "市人力资源社会保障局",
    17: "市乡村振兴局",
    18: "市发展改革委",
    19: "市发展改革委",
    20: "市民政局",
    21: "市住房城乡建设局",
    22: "市委政法委",
    23: "市委政法委",
    24: "市委政法委",
    25: "市司法局",
    26: "市司法局",
    27: "市委政法委",
    28: "市委政法委",
    29: "市民政局",
    30: "市民宗局",
    31: "市应急管理局",
    32: "市应急管理局",
    33: "市应急管理局",
    34: "市民政局",
    35: "市民政局",
    36: "市自然资源和规划局",
    37: "市民政局",
    38: "市民政局",
    39: "市民政局",
    40: "市民政局",
    41: "市民政局",
    42: "市行政审批局",
    43: "市行政审批局",
    44: "市行政审批局",
    45: "市发展改革委",
    46: "市行政审批局",
    47: "市行政审批局",
    48: "市发展改革委",
    49: "市发展改革委",
    50: "市民政局",
    51: "市民政局",
    52: "市民政局",
    53: "市发展改革委",
    54: "市发展改革委",
    55: "市发展改革委",
    56: "市发展改革委",
    57: "市委组织部",
    58: "市委组织部",
    59: "市委组织部",
    60: "市民政局",
    61: "市委组织部",
    62: "市委组织部",
    63: "市委组织部",
    64: "市委组织部",
    65: "各县市区人民政府",
    66: "市民政局",
    67: "市民政局",
    68: "市民政局",
    69: "市民政局",
    70: "市民政局",
    71: "市民政局",
    72: "市民政局",
    73: "市委组织部",
    74: "市民政局",
    75: "市委组织部",
    76: "市民政局",
    77: "市民政局",
    78: "市民政局",
}

MAIN_INDICATORS = [
    # code, baseline_2020 as printed, target_2025 as printed
    ("rural_facility_coverage", "65%", "80%"),
    ("urban_facility_coverage", "100%", "100%"),
    ("commercial_service_area_share", None, "≥10%"),
    ("facility_area_per_100_households", "23．6平方米", "≥30平方米"),
    ("activity_area_share", None, "≥60%"),
    ("self_service_terminal_coverage", None, "100%"),
    ("workers_per_10k_urban_residents", None, "18人"),
]

FIXED_INDICATOR_CODES = {code for code, _, _ in MAIN_INDICATORS} | {
    "hardship_elderly_monthly_visit_rate",
    "disaster_officer_coverage",
}


@pytest.fixture(scope="module")
def plan() -> dict:
    return json.loads(PLAN_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def indicators() -> list[dict]:
    return json.loads(INDICATORS_JSON.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def departments() -> list[dict]:
    with DEPARTMENTS_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_header(plan):
    assert plan["title"] == "衡水市城乡社区服务体系建设“十四五”规划"
    assert plan["document_number"] == "衡政办字〔2022〕28号"
    assert plan["period"] == [2021, 2025]
    assert plan["county_governments_responsible_for_all_tasks"] is True


def test_78_tasks_numbered(plan):
    assert [t["number"] for t in plan["tasks"]] == list(range(1, 79))
    for task in plan["tasks"]:
        assert task["theme"].startswith("（") and task["task"][0].isdigit()
        assert task["content"] and task["target"] == "持续推进"


def test_task_leads_match_hand_transcription(plan):
    assert len(HAND_LEADS) == 78
    got = {t["number"]: t["lead_units"] for t in plan["tasks"]}
    assert got == {n: [lead] for n, lead in HAND_LEADS.items()}


def test_task_details(plan):
    tasks = {t["number"]: t for t in plan["tasks"]}
    assert tasks[1]["responsible_units"] == [
        "市民政局",
        "各县市区人民政府",
        "衡水高新区和滨湖新区管委会",
    ]
    assert tasks[2]["responsible_units"] == ["市文明办", "市民政局", "市妇联", "团市委"]
    assert tasks[12]["responsible_units"] == ["市民政局", "市行政审批局"]
    assert tasks[12]["responsible_open_ended"] is True
    assert tasks[13]["responsible_open_ended"] is False
    assert tasks[65]["responsible_units"] == []
    open_ended = {n for n, t in tasks.items() if t["responsible_open_ended"]}
    assert open_ended == {12, 14, 18, 40, 44, 45, 46, 47, 48, 49}
    # theme/task carried forward over page breaks
    assert tasks[16]["task"] == "1.完善城乡社区为民服务功能。"
    assert tasks[18]["theme"] == "（二）扩大城乡社区服务有效供给"
    assert tasks[18]["task"] == "2.优化城乡社区便民服务供给。"
    assert tasks[78]["theme"] == "（六）推进城乡社区服务创新"
    assert tasks[78]["task"] == "4.加强城乡社区协商。"
    assert all("等" not in u for t in tasks.values() for u in t["responsible_units"])


def test_special_actions(plan):
    actions = plan["special_actions"]
    assert len(actions) == SPECIAL_ACTION_ROWS
    assert [a["number"] for a in actions] == list(range(1, SPECIAL_ACTION_ROWS + 1))
    assert actions[0]["action"] == "（一）社会力量参与城乡社区服务行动"
    assert actions[0]["requirement"] == "1.培育发展城乡社区社会组织专项行动。"
    assert Counter(a["action"][:3] for a in actions) == {
        "（一）": 6,
        "（二）": 23,
        "（三）": 2,
        "（四）": 3,
        "（五）": 5,
    }
    # row split by a page break: requirement carried forward
    assert actions[16]["requirement"] == "4.城乡社区助残服务行动。"
    assert actions[16]["content"] == "推动实现村（社区）残疾人协会全覆盖。"
    # lead cell broken over two lines
    assert actions[12]["lead_units"] == ["市妇联", "市教育局", "市民政局"]
    assert all(a["lead_units"] and a["content"] and a["target"] for a in actions)


def test_main_indicators(plan):
    got = [
        (m["code"], m["baseline_2020"], m["target_2025"])
        for m in plan["main_indicators"]
    ]
    assert got == MAIN_INDICATORS
    assert {m["property"] for m in plan["main_indicators"]} == {"预期性"}


def test_indicator_catalogue(indicators):
    assert len(indicators) == 28
    codes = [i["code"] for i in indicators]
    assert len(set(codes)) == 28
    assert FIXED_INDICATOR_CODES <= set(codes)
    by_code = {i["code"]: i for i in indicators}
    assert by_code["rural_facility_coverage"]["baseline_2020"] == 0.65
    assert by_code["rural_facility_coverage"]["target"] == 0.8
    assert by_code["urban_facility_coverage"]["baseline_2020"] == 1.0
    assert by_code["facility_area_per_100_households"]["baseline_2020"] == 23.6
    assert by_code["facility_area_per_100_households"]["target"] == 30
    assert by_code["hardship_elderly_monthly_visit_rate"]["period_type"] == "month"
    assert by_code["hardship_elderly_monthly_visit_rate"]["source_module"] == "care"
    modules = {
        "facilities",
        "people",
        "workforce",
        "care",
        "volunteers",
        "socialorgs",
        "deliberation",
        "places",
        "appeals",
        "exchange",
        "manual",
    }
    units = {
        "ratio",
        "m2_per_100_households",
        "per_10k",
        "count_per_year",
        "count_per_unit",
    }
    for ind in indicators:
        assert ind["code"].isascii() and ind["code"] == ind["code"].lower()
        assert ind["name"] and ind["name_en"] and ind["section"] and ind["level"]
        assert ind["unit"] in units
        assert ind["period_type"] in {"year", "quarter", "month"}
        assert ind["direction"] in {"at_least", "at_most", "range"}
        assert ind["target_year"] in {2022, 2025}
        assert ind["source_module"] in modules
        assert ind["manual"] == (ind["source_module"] == "manual")
        if ind["manual"]:
            assert ind.get("note")
        if ind["direction"] == "range":
            assert ind["target_max"] > ind["target"]
        if ind["unit"] == "ratio":
            assert 0 <= ind["target"] <= 1
            assert ind["baseline_2020"] is None or 0 <= ind["baseline_2020"] <= 1


def _name_index(departments):
    index: Counter = Counter()
    for row in departments:
        names = {row["name"]} | {a for a in row["aliases"].split("|") if a}
        for name in names:
            index[name] += 1
    return index


def test_departments_table(departments):
    codes = [d["code"] for d in departments]
    assert len(codes) == len(set(codes))
    for d in departments:
        assert (
            d["code"].isascii()
            and d["code"] == d["code"].lower()
            and " " not in d["code"]
        )
        assert d["kind"] in {"party", "government", "mass_org", "other"}
    by_name = {d["name"]: d for d in departments}
    assert by_name["市委组织部"]["code"] == "org_dept"
    assert by_name["市民政局"]["code"] == "civil_affairs"
    assert by_name["各县市区人民政府"]["code"] == "county_governments"
    assert "市团委" in by_name["团市委"]["aliases"].split("|")


def test_every_unit_resolves_to_one_department(plan, departments):
    index = _name_index(departments)
    names = set(REQUEST_CATEGORY_LEADS)
    for task in plan["tasks"]:
        names.update(task["lead_units"], task["responsible_units"])
    for action in plan["special_actions"]:
        names.update(action["lead_units"])
    names.update(plan["responsible_for_all_tasks"])
    unresolved = sorted(n for n in names if index[n] != 1)
    assert unresolved == []


def test_request_category_leads_resolve(departments):
    path = next((p for p in REQUEST_CATEGORY_CSVS if p.exists()), None)
    if path is None:
        pytest.skip("request_categories.csv not in the project yet")
    index = _name_index(departments)
    with path.open(encoding="utf-8", newline="") as f:
        leads = {row["lead_department"] for row in csv.DictReader(f)}
    assert sorted(n for n in leads if index[n] != 1) == []


def test_build_is_reproducible(tmp_path):
    out = tmp_path / "plan.json"
    subprocess.run(
        [sys.executable, str(BUILD_SCRIPT), "-o", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == PLAN_JSON.read_bytes()
