#!/usr/bin/env python3
"""Build ``plan.json`` from ``seed_plan.txt`` (stdlib only).

The seed is the text of 衡政办字〔2022〕28号, the Hengshui urban-rural community
service system "14th Five-Year Plan".  Its tables were extracted as text:

* a table row is a block of lines separated from the next row by a blank line;
* every cell starts with a TAB; a line without a leading TAB continues the
  previous cell (PDF extraction broke e.g. "市卫生\\n健康委"), so it is joined
  to it without a separator;
* a blank theme / task cell means "same as the row above" (the tables repeat
  their header row at every page break).

Usage (from the repository root)::

    python planning/data/build_plan_data.py            # rewrites plan.json
    python planning/data/build_plan_data.py -o out.json
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent
SEED = DATA_DIR / "seed_plan.txt"
OUTPUT = DATA_DIR / "plan.json"

# Stable codes of the seven §三 main indicators (keyed by the printed name).
MAIN_INDICATOR_CODES = {
    "农村社区综合服务设施覆盖率": "rural_facility_coverage",
    "城市社区综合服务设施覆盖率": "urban_facility_coverage",
    "社区商业和综合服务设施面积占社区总建筑面积比例": "commercial_service_area_share",
    "每百户居民拥有社区综合服务设施面积": "facility_area_per_100_households",
    "居民活动区域面积占社区综合服务设施总建筑面积比例": "activity_area_share",
    "城市社区政务通用自助服务覆盖率": "self_service_terminal_coverage",
    "每万名城镇常住人口拥有社区工作者": "workers_per_10k_urban_residents",
}

TASK_HEADER = [
    "主题",
    "任务",
    "序号",
    "具体工作内容",
    "牵头单位",
    "责任单位",
    "工作目标",
]
ACTION_HEADER = ["专项行动", "任务要求", "具体工作内容", "工作目标", "牵头单位"]

# Task 1's responsible cell carries a note that applies to the whole table:
# "市民政局，以下各县市区人民政府，衡水高新区和滨湖新区管委会均为责任单位，不再列出"
ALL_TASKS_NOTE = re.compile(
    r"^(?P<units>.+?)，以下(?P<everywhere>.+?)均为责任单位，不再列出$"
)


# --------------------------------------------------------------------------
# Low-level table reading
# --------------------------------------------------------------------------


def section(lines: list[str], start: str, end: str | None) -> list[str]:
    """Lines strictly between the first line equal to ``start`` and the next
    line equal to ``end`` (or the end of the document)."""
    stripped = [line.strip() for line in lines]
    i = stripped.index(start)
    j = stripped.index(end, i + 1) if end is not None else len(lines)
    return lines[i + 1 : j]


def table_rows(lines: list[str]) -> list[list[str]]:
    """Split table text into rows of cells (see the module docstring)."""
    rows: list[list[str]] = []
    cells: list[str] = []
    for line in lines + [""]:
        if line.strip() == "" and not line.startswith("\t"):
            if cells:
                rows.append([cell.strip() for cell in cells])
                cells = []
        elif line.startswith("\t"):
            cells.append(line[1:])
        elif cells:
            cells[-1] += line.strip()  # continuation of a broken cell
        # text lines outside any row (captions, titles) are ignored
    return rows


def body_rows(lines: list[str], header: list[str]) -> list[list[str]]:
    """Table rows of the expected width, without the repeated header rows."""
    rows = []
    for row in table_rows(lines):
        if row == header:
            continue
        if len(row) != len(header):
            raise ValueError(f"unexpected row width {len(row)}: {row}")
        rows.append(row)
    return rows


def split_units(cell: str) -> tuple[list[str], bool]:
    """'市民政局、市行政审批局等' -> (['市民政局', '市行政审批局'], True)."""
    open_ended = cell.endswith("等")
    if open_ended:
        cell = cell[:-1]
    units = [unit.strip() for unit in cell.split("、") if unit.strip()]
    return units, open_ended


# --------------------------------------------------------------------------
# Document parts
# --------------------------------------------------------------------------


def parse_header(lines: list[str]) -> dict:
    stripped = [line.strip() for line in lines]
    document_number = stripped[0]
    # The plan title is printed on the two lines after "（此件公开发布）".
    k = stripped.index("（此件公开发布）")
    title = stripped[k + 1] + stripped[k + 2]
    text = "".join(stripped)
    m = re.search(r"规划期为(\d{4})年至(\d{4})年", text)
    if not m:
        raise ValueError("planning period not found")
    return {
        "title": title,
        "document_number": document_number,
        "period": [int(m.group(1)), int(m.group(2))],
    }


def parse_main_indicators(lines: list[str]) -> list[dict]:
    part = section(lines, "“十四五”城乡社区服务体系建设主要指标", "四、重点任务")
    rows = table_rows(part)
    header, body = rows[0], rows[1:]
    if header[0].replace(" ", "") != "指标":
        raise ValueError(f"unexpected indicator header {header}")
    indicators = []
    for name, baseline, target, prop in body:
        indicators.append(
            {
                "code": MAIN_INDICATOR_CODES[name],
                "name": name,
                "baseline_2020": None if baseline == "——" else baseline,
                "target_2025": target,
                "property": prop,
            }
        )
    return indicators


def parse_tasks(lines: list[str]) -> tuple[list[dict], dict]:
    part = section(lines, "附件1", "附件2")
    tasks = []
    everywhere: list[str] = []
    theme = task_heading = ""
    for row in body_rows(part, TASK_HEADER):
        theme_cell, task_cell, number, content, lead, responsible, target = row
        theme = theme_cell or theme
        task_heading = task_cell or task_heading
        lead_units, _ = split_units(lead)
        m = ALL_TASKS_NOTE.match(responsible)
        if m:
            # "X，以下A，B均为责任单位，不再列出": X plus A and B here, and A, B
            # are responsible for every task of the table.
            everywhere = m.group("everywhere").split("，")
            responsible_units, open_ended = split_units(m.group("units"))
            responsible_units += everywhere
        else:
            responsible_units, open_ended = split_units(responsible)
        tasks.append(
            {
                "number": int(number),
                "theme": theme,
                "task": task_heading,
                "content": content,
                "lead_units": lead_units,
                "responsible_units": responsible_units,
                "responsible_open_ended": open_ended,
                "target": target,
            }
        )
    numbers = [t["number"] for t in tasks]
    if numbers != list(range(1, len(tasks) + 1)):
        raise ValueError(f"task numbers are not 1..n: {numbers}")
    notes = {
        "county_governments_responsible_for_all_tasks": "各县市区人民政府"
        in everywhere,
        "responsible_for_all_tasks": everywhere,
    }
    return tasks, notes


def parse_special_actions(lines: list[str]) -> list[dict]:
    part = section(lines, "附件2", None)
    actions: list[dict] = []
    action = requirement = ""
    for row in body_rows(part, ACTION_HEADER):
        action_cell, requirement_cell, content, target, lead = row
        action = action_cell or action
        requirement = requirement_cell or requirement
        lead_units, _ = split_units(lead)
        actions.append(
            {
                "number": len(actions) + 1,
                "action": action,
                "requirement": requirement,
                "content": content,
                "target": target,
                "lead_units": lead_units,
            }
        )
    return actions


def build(seed_path: Path = SEED) -> dict:
    lines = seed_path.read_text(encoding="utf-8").split("\n")
    # The trailing "抄送" block is not part of any table.
    lines = [line for line in lines if not line.startswith("抄送")]
    plan = parse_header(lines)
    plan["main_indicators"] = parse_main_indicators(lines)
    tasks, notes = parse_tasks(lines)
    plan.update(notes)
    plan["tasks"] = tasks
    plan["special_actions"] = parse_special_actions(lines)
    return plan


def dump(plan: dict) -> str:
    return json.dumps(plan, ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=Path, default=SEED)
    parser.add_argument("-o", "--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    plan = build(args.seed)
    args.output.write_text(dump(plan), encoding="utf-8", newline="\n")
    print(
        f"wrote {args.output}: {len(plan['tasks'])} tasks, "
        f"{len(plan['special_actions'])} special-action rows, "
        f"{len(plan['main_indicators'])} main indicators"
    )


if __name__ == "__main__":
    main()
