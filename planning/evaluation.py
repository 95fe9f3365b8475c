"""综合评估报告 — the comprehensive evaluation of a unit for a year, as PDF (WeasyPrint) and .xlsx."""

from collections import defaultdict
from io import BytesIO
from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string

from places.codes import within
from places.models import OrgUnit
from planning import engine, periods, selectors
from planning.models import Assignment, ProgressReport
from planning.templatetags.planning_tags import format_value, number_format, target_label

CN_NUM = "〇一二三四五六七八九"


def _cn_year(year: int) -> str:
    return "".join(CN_NUM[int(d)] for d in str(year))


def build(unit: OrgUnit, year: int) -> dict[str, Any]:
    """Everything the report says, computed once for both formats."""
    period = periods.Period("year", year)
    values = engine.values([unit.code], period)[unit.code]
    summary = {s: sum(v.status == s for v in values) for s in engine.STATUS_LABELS}
    scope = Q(unit__isnull=False) & within("unit_id", unit.prefix)
    if unit.level == OrgUnit.Level.CITY:
        scope |= Q(unit__isnull=True)
    elif unit.level != OrgUnit.Level.COUNTY:
        scope = Q(unit_id=unit.code[:6] + "000000")
    assignments = list(Assignment.objects.filter(scope, year=year).select_related("task", "unit", "department").prefetch_related("reports"))
    themes: dict[str, dict[str, Any]] = defaultdict(lambda: {"tasks": set(), "assignments": 0, "percents": [], "overdue": 0, "accepted": 0})
    for a in assignments:
        row = themes[a.task.theme]
        row["tasks"].add(a.task.number)
        row["assignments"] += 1
        reports = [r for r in a.reports.all() if r.state != ProgressReport.State.DRAFT]
        if reports:
            row["percents"].append(max(reports, key=lambda r: r.period).percent)
        row["accepted"] += sum(r.state == ProgressReport.State.ACCEPTED for r in reports)
        row["overdue"] += sum(c.state == "overdue" for c in selectors.period_cells(a))
    theme_rows = [{
        "theme": theme, "tasks": len(r["tasks"]), "assignments": r["assignments"], "accepted": r["accepted"], "overdue": r["overdue"],
        "average": round(sum(r["percents"]) / len(r["percents"]), 1) if r["percents"] else None,
    } for theme, r in sorted(themes.items(), key=lambda kv: min(kv[1]["tasks"]))]
    at_risk = [v for v in values if v.status == engine.AT_RISK]
    gaps = [v for v in values if v.status == engine.NO_DATA]
    late = selectors.late_units(unit.prefix if unit.level in ("city", "county") else unit.code[:6], year)
    reported = [v for v in values if v.source == engine.REPORTED and v.value is not None]
    return {
        "unit": unit, "year": year, "cn_year": _cn_year(year), "period": period, "today": periods.today(),
        "values": [{"v": v, "value": format_value(v.value, v.indicator.unit), "target": target_label(v.indicator),
                    "status": engine.STATUS_LABELS[v.status], "source": engine.SOURCE_LABELS[v.source]} for v in values],
        "summary": {engine.STATUS_LABELS[k]: n for k, n in summary.items()}, "total": len(values),
        "themes": theme_rows, "assignments": len(assignments), "at_risk": at_risk, "gaps": gaps, "late": late,
        "reported": reported,
    }


def render_pdf(unit: OrgUnit, year: int, *, user: Any = None) -> bytes:
    from weasyprint import HTML

    from accounts import audit

    html = render_to_string("planning/evaluation_report.html", build(unit, year))
    pdf = HTML(string=html).write_pdf()
    if user is not None:
        audit.record(actor=user, action="planning.export_evaluation", unit_code=unit.code, detail={"year": year, "format": "pdf"})
    return bytes(pdf or b"")


def render_xlsx(unit: OrgUnit, year: int, *, user: Any = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from accounts import audit

    data = build(unit, year)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "主要指标"
    title = f"{unit.name}城乡社区服务体系建设“十四五”规划{year}年度综合评估"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["序号", "指标", "当前值", "目标", "状态", "分子", "分母", "数据来源"])
    for i, row in enumerate(data["values"], start=1):
        v = row["v"]
        # The value as a number (a rate with a percentage format, others with their unit's suffix as the format), never text.
        sheet.append([i, v.indicator.name, v.value, row["target"], row["status"], v.numerator, v.denominator, row["source"]])
        sheet.cell(row=sheet.max_row, column=3).number_format = number_format(v.indicator.unit)
    for col, width in zip("ABCDEFGH", (6, 46, 12, 14, 10, 12, 12, 10), strict=True):
        sheet.column_dimensions[col].width = width
    tasks = book.create_sheet("重点任务")
    tasks.append(["主题", "任务数", "任务分配数", "已通过报告", "逾期期数", "平均完成进度（%）"])
    for t in data["themes"]:
        tasks.append([t["theme"], t["tasks"], t["assignments"], t["accepted"], t["overdue"], t["average"]])
    tasks.column_dimensions["A"].width = 40
    gaps = book.create_sheet("问题与缺口")
    gaps.append(["类别", "内容"])
    for v in data["at_risk"]:
        gaps.append(["进度滞后", f"{v.indicator.name}：{format_value(v.value, v.indicator.unit)}，目标 {target_label(v.indicator)}"])
    for v in data["gaps"]:
        gaps.append(["无数据", v.indicator.name])
    for late in data["late"]:
        gaps.append(["逾期未报送", f"{late['unit'].name}：{late['overdue']} 期"])
    gaps.column_dimensions["B"].width = 70
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    stream = BytesIO()
    book.save(stream)
    if user is not None:
        audit.record(actor=user, action="planning.export_evaluation", unit_code=unit.code, detail={"year": year, "format": "xlsx"})
    return stream.getvalue()
