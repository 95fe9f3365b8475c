"""Forms of the safety pages: shape only; the rules live in services."""

from django import forms

from care.models import NoticeKind
from safety.models import NEEDS, Hazard, HelpGroup, Level, NeedReason, PlaceKind, PlanRoleKind, PoliceRole
from shequ.inputs import date_validator

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class PlanForm(forms.Form):
    hazards = forms.MultipleChoiceField(label="面临的灾害风险", choices=Hazard.choices, widget=forms.CheckboxSelectMultiple)
    routes = forms.CharField(label="疏散路线", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)
    reviewed_on = forms.DateField(label="修订日期", widget=DATE, validators=[date_validator(label="修订日期", past=True)])
    shelter_ids = forms.MultipleChoiceField(label="避难场所", choices=[], required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: object, shelters: list[tuple[int, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["shelter_ids"].choices = [(str(pk), name) for pk, name in shelters]  # type: ignore[attr-defined]  # the stubs' Field has no choices; this field is a ChoiceField


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="职责", choices=PlanRoleKind.choices)
    person = forms.ChoiceField(label="人员", choices=[], required=False)

    def __init__(self, *args: object, people: list[tuple[str, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["person"].choices = [("", "（空缺）"), *people]  # type: ignore[attr-defined]  # the stubs' Field has no choices; this field is a ChoiceField


class NeedForm(forms.Form):
    resident_id = forms.IntegerField(label="居民", min_value=1, widget=forms.HiddenInput)
    reason = forms.ChoiceField(label="原因", choices=NeedReason.choices)
    helper = forms.ChoiceField(label="责任人", choices=[], required=False)

    def __init__(self, *args: object, workers: list[tuple[str, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["helper"].choices = [("", "（未指定）"), *workers]  # type: ignore[attr-defined]  # the stubs' Field has no choices; this field is a ChoiceField


class AssetForm(forms.Form):
    name = forms.CharField(label="装备物资", max_length=60)
    quantity = forms.IntegerField(label="数量", min_value=1, max_value=100000, initial=1)
    checked_on = forms.DateField(label="最近检查日期", widget=DATE, required=False)


class WarningForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=NoticeKind.choices)
    level = forms.ChoiceField(label="等级", choices=Level.choices)
    issuer = forms.CharField(label="发布单位", max_length=60, initial="市应急管理局")
    title = forms.CharField(label="标题", max_length=100)
    body = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)
    area = forms.CharField(label="预警范围", max_length=1000, help_text="区划代码，多个用逗号或空格分隔")
    valid_from = forms.DateTimeField(label="生效时间", widget=DATETIME, required=False)
    valid_until = forms.DateTimeField(label="截止时间", widget=DATETIME, required=False)


class CallForm(forms.Form):
    outcome = forms.CharField(label="通知结果", max_length=100)


class BroadcastForm(forms.Form):
    unit_code = forms.CharField(label="村（社区）代码", max_length=12)
    name = forms.CharField(label="广播点名称", max_length=60)
    operator = forms.CharField(label="播报人", max_length=50, required=False)


class PlaceForm(forms.Form):
    unit_code = forms.CharField(label="村（社区）代码", max_length=12)
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=PlaceKind.choices)
    capacity = forms.IntegerField(label="容纳人数", min_value=0, max_value=1_000_000, initial=0)
    responsible = forms.CharField(label="责任人", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    grid_member = forms.ChoiceField(label="网格员", choices=[], required=False)

    def __init__(self, *args: object, workers: list[tuple[str, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["grid_member"].choices = [("", "（未指定）"), *workers]  # type: ignore[attr-defined]  # the stubs' Field has no choices; this field is a ChoiceField


class InspectionForm(forms.Form):
    inspected_on = forms.DateField(label="检查日期", widget=DATE)
    findings = forms.CharField(label="发现问题", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)
    correct_by = forms.DateField(label="整改期限", widget=DATE, required=False)


class PoliceForm(forms.Form):
    unit_code = forms.CharField(label="村（社区）代码", max_length=12)
    role = forms.ChoiceField(label="身份", choices=PoliceRole.choices)
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    office_id = forms.IntegerField(label="警务室（设施编号）", required=False, min_value=1)
    co_located = forms.BooleanField(label="与村（社区）“两委”同址办公", required=False)
    hours = forms.CharField(label="值守时间", max_length=60, required=False)
    started_on = forms.DateField(label="到岗日期", widget=DATE, required=False)


class HelpPlanForm(forms.Form):
    resident_id = forms.IntegerField(label="居民编号", min_value=1)
    group = forms.ChoiceField(label="类别", choices=HelpGroup.choices)
    justice_officer = forms.CharField(label="司法所工作人员", max_length=50, required=False)
    worker = forms.ChoiceField(label="社区工作人员", choices=[], required=False)
    family = forms.CharField(label="家属", max_length=50, required=False)
    volunteers = forms.CharField(label="志愿者", max_length=100, required=False)
    guardian = forms.CharField(label="监护人", max_length=50, required=False)
    doctor = forms.CharField(label="社区医生", max_length=50, required=False)
    police = forms.CharField(label="社区民警", max_length=50, required=False)
    needs = forms.MultipleChoiceField(label="需求", choices=NEEDS, required=False, widget=forms.CheckboxSelectMultiple)
    started_on = forms.DateField(label="开始日期", widget=DATE, required=False)

    def __init__(self, *args: object, workers: list[tuple[str, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["worker"].choices = [("", "（未指定）"), *workers]  # type: ignore[attr-defined]  # the stubs' Field has no choices; this field is a ChoiceField


class ContactForm(forms.Form):
    contacted_on = forms.DateField(label="联系日期", widget=DATE)
    method = forms.ChoiceField(label="方式", choices=[("home", "入户"), ("phone", "电话"), ("office", "约谈")])
    note = forms.CharField(label="情况", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="查看理由", max_length=200)
