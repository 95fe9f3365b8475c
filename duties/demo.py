"""The published lists a fresh install starts from, and demo rows. Deterministic and idempotent."""

import datetime as dt
from typing import Any

from django.db import transaction

from accounts import audit
from duties.models import CertificateItem, DutyTask, ListVersion, Mode, ServiceItem, WorkItem
from places.models import Department, OrgUnit

# 社区工作事项清单 (第1版): code, name, kind, department code, funding, conditions, basis.
WORK_ITEMS = [
    ("YF01", "组织居民开展自治活动，召开居民会议", "statutory", "", "", "", "《城市居民委员会组织法》第三条"),
    ("YF02", "调解民间纠纷", "statutory", "", "", "", "《人民调解法》"),
    ("YF03", "协助维护社会治安，开展平安建设宣传", "statutory", "", "", "", "《城市居民委员会组织法》第三条"),
    ("YF04", "开展社区公共服务和便民服务", "statutory", "", "", "", "《城市居民委员会组织法》第三条"),
    ("XZ01", "协助开展最低生活保障对象入户核查", "assist", "civil_affairs", "每户核查补助20元，由市民政局拨付",
     "提供核查表和系统账号", "《社会救助暂行办法》"),
    ("XZ02", "协助开展城乡居民养老保险参保登记", "assist", "human_resources_social_security",
     "按参保人数每人5元工作经费", "提供业务培训", "《社会保险法》"),
    ("XZ03", "协助开展残疾人状况动态更新", "assist", "disabled_persons_federation", "每村（社区）每年2000元",
     "提供调查终端", "《残疾人保障法》"),
    ("XZ04", "协助开展老年人健康体检组织动员", "assist", "health_commission", "每人次动员补助3元", "",
     "国家基本公共卫生服务规范"),
    ("FM01", "行政执法、拆迁拆违", "negative", "", "", "", "冀民〔2021〕社区减负负面清单"),
    ("FM02", "招商引资、协税护税", "negative", "", "", "", "冀民〔2021〕社区减负负面清单"),
    ("FM03", "为部门开展的创建达标评比提供台账", "negative", "", "", "", "冀民〔2021〕社区减负负面清单"),
    ("FM04", "出具已取消的各类证明", "negative", "", "", "", "冀民〔2021〕社区减负负面清单"),
]

# 印章使用范围清单 and abolished certificates: code, name, kind, basis, instead, checks.
CERTIFICATE_ITEMS = [
    ("ZM01", "居住证明", "allowed", "社区印章使用范围清单第1项：社区掌握的居民居住事实", "",
     "居民档案：在住、所属村（社区）"),
    ("ZM02", "家庭成员关系证明（同户）", "allowed", "社区印章使用范围清单第2项：社区登记的同户关系", "",
     "居民档案：户、与户主关系"),
    ("ZM03", "生存状况证明（领取待遇）", "allowed", "社区印章使用范围清单第3项：社区工作人员当面确认", "",
     "居民档案：在住"),
    ("QX01", "无犯罪记录证明", "abolished", "国务院办公厅关于做好证明事项清理工作的通知（国办发〔2018〕47号）",
     "向公安机关申请开具，或由部门通过数据共享核查", ""),
    ("QX02", "亲属关系证明（非同户）", "abolished", "河北省证明事项清理结果（冀政办字〔2019〕）",
     "部门通过户籍信息共享核查，或由当事人书面承诺（告知承诺制）", ""),
    ("QX03", "出生日期证明", "abolished", "河北省证明事项清理结果（冀政办字〔2019〕）",
     "以居民身份证、户口簿为准，部门不得另要求证明", ""),
    ("QX04", "健在证明（已实行人脸识别认证的待遇）", "abolished", "人社部关于取消领取社保待遇资格集中认证的通知",
     "部门通过人脸识别或数据比对认证", ""),
]

# 社区公共服务目录: name, department, who, conditions, materials, where/when, fees, days, mode, province code, keywords.
SERVICES: list[tuple[Any, ...]] = [
    ("最低生活保障申请", "civil_affairs", "家庭人均收入低于当地低保标准的本地户籍居民",
     "共同生活家庭成员人均收入和财产符合规定", [("居民身份证", True), ("户口簿", True), ("家庭收入说明", True),
                                             ("残疾证或诊断证明", False)],
     "村（社区）党群服务中心 工作日 8:30-17:30", "不收费", 30, "proxy", "11131100MB1234567X4000112001", "低保 救助 困难"),
    ("高龄津贴申领", "civil_affairs", "80周岁及以上本地户籍老年人", "年满80周岁",
     [("居民身份证", True), ("银行卡", True)], "村（社区）党群服务中心 工作日", "不收费", 15, "proxy",
     "11131100MB1234567X4000112010", "老年 津贴 高龄 补贴"),
    ("城乡居民养老保险参保登记", "human_resources_social_security", "年满16周岁、未参加职工养老保险的居民", "",
     [("居民身份证", True), ("户口簿", False)], "村（社区）党群服务中心 工作日", "按缴费档次自愿缴费", 5, "proxy",
     "11131100MB0000001X4000221003", "社保 养老 参保"),
    ("残疾人证申领", "disabled_persons_federation", "本地户籍残疾人", "经指定医院评定",
     [("居民身份证", True), ("户口簿", True), ("近期免冠照片", True)], "村（社区）党群服务中心 工作日", "不收费", 20,
     "proxy", "", "残疾 残疾证"),
    ("老年人健康体检预约", "health_commission", "65周岁及以上常住居民", "", [],
     "社区卫生服务站 每周二、四上午", "不收费", 1, "direct", "", "体检 老年 健康"),
    ("居住证办理咨询", "public_security", "在本市居住半年以上的非本市户籍人员", "", [],
     "派出所户籍窗口；社区提供咨询指引", "不收费", 15, "advise", "11131100MB0000002X4000331005", "居住证 户籍"),
]


@transaction.atomic
def ensure_lists() -> None:
    """The first version of the list, the certificate lists and the catalogue, if none is there yet."""
    departments = {d.code: d for d in Department.objects.all()}
    if not ListVersion.objects.exists() and departments:
        version = ListVersion.objects.create(number=1, effective_on=dt.date(2025, 1, 1),
                                             reason="首次发布（衡水市社区工作事项清单）")
        WorkItem.objects.bulk_create([
            WorkItem(version=version, code=c, name=n, kind=k, department=departments.get(d), funding=f, conditions=w,
                     basis=b) for c, n, k, d, f, w, b in WORK_ITEMS])
        audit.record(actor=None, action="duties.publish_list", obj=version, username="system")
    for code, name, kind, basis, instead, checks in CERTIFICATE_ITEMS:
        CertificateItem.objects.get_or_create(code=code, defaults={
            "name": name, "kind": kind, "basis": basis, "instead": instead, "checks": checks})
    if not ServiceItem.objects.exists() and departments:
        for name, dept, who, cond, materials, where, fees, days, mode, pcode, kw in SERVICES:
            ServiceItem.objects.create(
                name=name, department=departments[dept], who=who, conditions=cond,
                materials=[{"name": m, "required": r} for m, r in materials], where_when=where, fees=fees,
                time_limit_days=days, mode=Mode(mode), province_code=pcode, keywords=kw)


def seed() -> dict[str, int]:
    """The lists, and a few tasks from 市民政局 to the communities of one township (a second run adds nothing)."""
    ensure_lists()
    made = 0
    civil = Department.objects.filter(code="civil_affairs").first()
    item = WorkItem.objects.filter(code="XZ01").order_by("-version__number").first()
    township = OrgUnit.objects.filter(level=OrgUnit.Level.TOWNSHIP).order_by("code").first()
    if civil and item and township and not DutyTask.objects.exists():
        villages = OrgUnit.objects.filter(parent=township, level=OrgUnit.Level.VILLAGE)[:20]
        DutyTask.objects.bulk_create([
            DutyTask(unit=v, department=civil, item=item, title="2025年度低保对象入户核查", kind="inspection",
                     deadline=dt.date(2026, 12, 31), hours=8, funding=item.funding, source="demo") for v in villages])
        made = len(villages)
    return {"tasks": made, "services": ServiceItem.objects.count(), "certificate_items": CertificateItem.objects.count()}
