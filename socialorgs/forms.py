"""Forms of the social-forces pages: shape only; the rules live in services."""

from django import forms

from shequ.inputs import MAX_PEOPLE, date_validator
from socialorgs.models import (
    AnnualReport,
    Case,
    CharityGroup,
    CommunityCategory,
    Donation,
    Incubation,
    OrgKind,
    OrgStatus,
    SocialWorker,
)

DATE = forms.DateInput(attrs={"type": "date"})


def _date(label: str, required: bool = True, **limits: object) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE, required=required, validators=[date_validator(label=label, **limits)])


class OrganisationForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=OrgKind.choices)
    community_category = forms.ChoiceField(label="社区社会组织类别", choices=[("", "—"), *CommunityCategory.choices],
                                           required=False)
    status = forms.ChoiceField(label="登记或备案", choices=OrgStatus.choices)
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False, help_text="登记的必填，18位")
    registered_on = _date("登记备案日期", past=True)
    unit_code = forms.CharField(label="登记备案单位代码", max_length=12, help_text="乡镇（街道）或村（社区）的12位区划代码")
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    services = forms.CharField(label="服务内容", max_length=300, required=False)
    full_time_staff = forms.IntegerField(label="专职人员数", min_value=0, max_value=MAX_PEOPLE, initial=0)
    part_time_staff = forms.IntegerField(label="兼职人员数", min_value=0, max_value=MAX_PEOPLE, initial=0)


class StaffForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    full_time = forms.BooleanField(label="专职", required=False, initial=True)
    qualification = forms.ChoiceField(label="社会工作职业资格", choices=[("", "无"), *SocialWorker.Level.choices],
                                      required=False)
    joined_on = _date("入职日期", past=True)


class ReportForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    result = forms.ChoiceField(label="结论", choices=AnnualReport.Result.choices)
    submitted_on = _date("报送日期", past=True)


class DissolveForm(forms.Form):
    dissolved_on = _date("注销日期", past=True)


class FilingForm(forms.Form):
    name = forms.CharField(label="组织名称", max_length=100)
    category = forms.ChoiceField(label="社区社会组织类别", choices=CommunityCategory.choices)
    unit_code = forms.CharField(label="业务指导社区代码", max_length=12)
    founders = forms.CharField(label="发起人", max_length=300, help_text="姓名，用“、”分隔")
    members = forms.IntegerField(label="成员数", min_value=0, max_value=MAX_PEOPLE)
    charter = forms.CharField(label="章程", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    responsible_name = forms.CharField(label="负责人", max_length=50)
    contact_phone = forms.CharField(label="联系电话", max_length=20, required=False)
    services = forms.CharField(label="服务内容", max_length=300, required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退回理由", max_length=300)


class BaseForm(forms.Form):
    name = forms.CharField(label="基地名称", max_length=100)
    unit_code = forms.CharField(label="所属县（市、区）代码", max_length=12)
    capacity = forms.IntegerField(label="可入驻组织数", min_value=0, max_value=10_000)
    services = forms.CharField(label="服务内容", max_length=300, required=False)
    opened_on = _date("投入运营日期", past=True)


class EnterForm(forms.Form):
    organisation = forms.IntegerField(label="社会组织编号", min_value=1, max_value=2**31 - 1)
    entered_on = _date("入驻日期", past=True)


class LeaveForm(forms.Form):
    incubation = forms.IntegerField(label="入驻编号", min_value=1, max_value=2**31 - 1)
    left_on = _date("出壳日期", past=True)
    outcome = forms.ChoiceField(label="结果", choices=Incubation.Outcome.choices)


class WorkerForm(forms.Form):
    station = forms.IntegerField(label="社会工作站（室）编号", min_value=1, max_value=2**31 - 1)
    name = forms.CharField(label="姓名", max_length=50)
    level = forms.ChoiceField(label="职业资格", choices=SocialWorker.Level.choices)
    certificate_no = forms.CharField(label="证书编号", max_length=40)
    joined_on = _date("到岗日期", past=True)


class CaseForm(forms.Form):
    worker = forms.IntegerField(label="社会工作者编号", min_value=1, max_value=2**31 - 1)
    kind = forms.ChoiceField(label="类型", choices=Case.Kind.choices)
    title = forms.CharField(label="案主或小组", max_length=100, required=False, help_text="关联居民档案时可不填")
    client = forms.IntegerField(label="居民档案编号", min_value=1, max_value=2**31 - 1, required=False)
    opened_on = _date("接案日期", past=True)
    notes = forms.CharField(label="个案记录（敏感）", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            max_length=5000)


class AdvanceForm(forms.Form):
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class SessionForm(forms.Form):
    held_on = _date("服务日期", past=True)
    minutes = forms.IntegerField(label="时长（分钟）", min_value=1, max_value=1440)
    summary = forms.CharField(label="服务摘要", max_length=300)


class PurchaseForm(forms.Form):
    title = forms.CharField(label="项目名称", max_length=100)
    unit_code = forms.CharField(label="购买主体所在单位代码", max_length=12, required=False,
                                help_text="乡镇（街道）、县（市、区）或市；部门立项可不填")
    need = forms.CharField(label="服务需求", max_length=300)
    target_group = forms.CharField(label="服务对象", max_length=100)
    budget_line = forms.CharField(label="预算科目", max_length=100)
    budget_amount = forms.DecimalField(label="预算金额（元）", min_value=0, max_digits=12, decimal_places=2)


class PublishForm(forms.Form):
    notice = forms.CharField(label="公告内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    requirements = forms.CharField(label="承接要求", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    deadline = forms.DateField(label="报名截止日期", widget=DATE)


class ApplyForm(forms.Form):
    organisation = forms.IntegerField(label="申请组织编号", min_value=1, max_value=2**31 - 1)
    proposal = forms.CharField(label="服务方案摘要", max_length=300)


class ScoreForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    score = forms.DecimalField(label="评审得分", min_value=0, max_value=100, decimal_places=1)


class AwardForm(forms.Form):
    application = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class ContractForm(forms.Form):
    amount = forms.DecimalField(label="合同金额（元）", min_value=0, max_digits=12, decimal_places=2)
    start = forms.DateField(label="合同开始", widget=DATE)
    end = forms.DateField(label="合同结束", widget=DATE)
    deliverables = forms.CharField(label="服务产出", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                                   help_text="每行一项：名称,目标数量,计量单位（如 入户探访,200,人次）")
    milestones = forms.CharField(label="拨付节点", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                                 help_text="每行一个：名称,计划日期,金额（如 中期评估,2026-06-30,50000）")


class DeliveryForm(forms.Form):
    deliverable = forms.IntegerField(label="服务产出编号", min_value=1, max_value=2**31 - 1)
    quantity = forms.IntegerField(label="数量", min_value=1, max_value=1_000_000)
    done_on = _date("服务日期", past=True)
    note = forms.CharField(label="说明", max_length=200, required=False)


class MilestoneForm(forms.Form):
    milestone = forms.IntegerField(label="节点编号", min_value=1, max_value=2**31 - 1)
    reached_on = _date("完成日期", past=True)


class PaymentForm(forms.Form):
    milestone = forms.IntegerField(label="节点编号", min_value=1, max_value=2**31 - 1)
    amount = forms.DecimalField(label="拨付金额（元）", min_value=0, max_digits=12, decimal_places=2)
    paid_on = _date("拨付日期", past=True)


class EvaluateForm(forms.Form):
    score = forms.DecimalField(label="绩效评分", min_value=0, max_value=100, decimal_places=1)
    satisfaction = forms.FloatField(label="居民满意度（%）", min_value=0, max_value=100, required=False)
    note = forms.CharField(label="评估意见", max_length=300, required=False)


class DonationForm(forms.Form):
    unit_code = forms.CharField(label="接收社区代码", max_length=12)
    donor = forms.CharField(label="捐赠方", max_length=100)
    kind = forms.ChoiceField(label="形式", choices=Donation.Kind.choices)
    amount = forms.DecimalField(label="金额或折价（元）", min_value=0, max_digits=12, decimal_places=2)
    goods = forms.CharField(label="物资说明", max_length=200, required=False)
    group = forms.ChoiceField(label="定向", choices=CharityGroup.choices)
    received_on = _date("接收日期", past=True)


class DisburseForm(forms.Form):
    resident = forms.IntegerField(label="居民档案编号", min_value=1, max_value=2**31 - 1)
    amount = forms.DecimalField(label="金额或折价（元）", min_value=0, max_digits=12, decimal_places=2)
    given_on = _date("发放日期", past=True)
