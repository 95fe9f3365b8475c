"""Forms of the volunteers pages: shape only; the rules live in services."""

from django import forms

from volunteers.models import DayPart, IdType, PoliticalStatus, ServiceCategory, TargetGroup, Weekday

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
AVAILABILITY_CHOICES = [(f"{d}_{p}", f"{dl}{pl}") for d, dl in Weekday.choices for p, pl in DayPart.choices]


class _Profile(forms.Form):
    phone = forms.CharField(label="联系电话", max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    unit_code = forms.CharField(label="服务的村（社区）代码", max_length=12, help_text="12位区划代码")
    skills = forms.CharField(label="技能特长", max_length=200, required=False)
    categories = forms.MultipleChoiceField(label="服务类别", choices=ServiceCategory.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    availability = forms.MultipleChoiceField(label="可服务时间", choices=AVAILABILITY_CHOICES, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    political_status = forms.ChoiceField(label="政治面貌", choices=[("", "—"), *PoliticalStatus.choices], required=False)
    consent = forms.BooleanField(label="我同意记录我的志愿服务信息，并按规定公示服务记录", required=False)


class VolunteerForm(_Profile):
    """Staff register someone; the ID is checked like the register checks one."""

    name = forms.CharField(label="姓名", max_length=50)
    id_type = forms.ChoiceField(label="证件类型", choices=IdType.choices)
    id_number = forms.CharField(label="证件号码", max_length=20, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    field_order = ["name", "id_type", "id_number"]


class SelfRegisterForm(VolunteerForm):
    """A resident registers; name and ID are taken from the register when they are in it."""

    def __init__(self, *args: object, in_register: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # *args/**kwargs pass Django's own Form arguments through unchanged
        if in_register:
            for name in ("name", "id_type", "id_number"):
                del self.fields[name]


class TeamForm(forms.Form):
    name = forms.CharField(label="队伍名称", max_length=100)
    unit_code = forms.CharField(label="所属单位代码", max_length=12)


class MemberForm(forms.Form):
    volunteer = forms.IntegerField(label="志愿者", min_value=1, max_value=2_147_483_647)


class PointForm(forms.Form):
    name = forms.CharField(label="站点名称", max_length=100)
    unit_code = forms.CharField(label="所属村（社区）代码", max_length=12)
    address = forms.CharField(label="地址", max_length=200, required=False)
    hours = forms.CharField(label="开放时间", max_length=100)
    contact_name = forms.CharField(label="联系人", max_length=50)
    contact_phone = forms.CharField(label="联系电话", max_length=20)
    opened_on = forms.DateField(label="建立日期", widget=forms.DateInput(attrs={"type": "date"}))


class ActivityForm(forms.Form):
    title = forms.CharField(label="活动名称", max_length=100)
    unit_code = forms.CharField(label="所属村（社区）代码", max_length=12)
    category = forms.ChoiceField(label="服务类别", choices=ServiceCategory.choices)
    target_group = forms.ChoiceField(label="服务对象", choices=TargetGroup.choices)
    place = forms.CharField(label="活动地点", max_length=200)
    starts_at = forms.DateTimeField(label="开始时间", widget=DATETIME)
    ends_at = forms.DateTimeField(label="结束时间", widget=DATETIME)
    capacity = forms.IntegerField(label="招募人数", min_value=1, max_value=10_000)
    skills_wanted = forms.CharField(label="所需技能", max_length=200, required=False)
    description = forms.CharField(label="活动内容", required=False, widget=forms.Textarea(attrs={"rows": 4}))


class SignUpForm(forms.Form):
    volunteer = forms.IntegerField(label="志愿者", min_value=1, max_value=2_147_483_647, required=False)


class HandCheckForm(forms.Form):
    started_at = forms.DateTimeField(label="签到时间", widget=DATETIME)
    ended_at = forms.DateTimeField(label="签退时间", widget=DATETIME)


class ConfirmForm(forms.Form):
    started_at = forms.DateTimeField(label="开始时间", widget=DATETIME, required=False)
    ended_at = forms.DateTimeField(label="结束时间", widget=DATETIME, required=False)
    reason = forms.CharField(label="修改原因", max_length=200, required=False)


class CheckInForm(forms.Form):
    code = forms.CharField(label="签到码", max_length=300)
    kind = forms.ChoiceField(label="", choices=[("in", "签到"), ("out", "签退")])


class HandVisitForm(forms.Form):
    due_visit = forms.IntegerField(label="探访任务编号", min_value=1)
    team = forms.IntegerField(label="承接队伍编号", min_value=1)
    note = forms.CharField(label="给志愿者的说明", max_length=500, required=False,
                           help_text="只写志愿者需要知道的内容，不要写身份证号")


class HandRequestForm(forms.Form):
    appeal = forms.IntegerField(label="诉求编号", min_value=1)
    team = forms.IntegerField(label="承接队伍编号", min_value=1)
    brief = forms.CharField(label="任务说明", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="只写志愿者需要知道的内容，不要写身份证号和其他居民的信息")


RATING = [("good", "良好"), ("fair", "一般"), ("poor", "较差")]


class CompleteTaskForm(forms.Form):
    started_at = forms.DateTimeField(label="服务开始时间", widget=DATETIME)
    ended_at = forms.DateTimeField(label="服务结束时间", widget=DATETIME)
    outcome = forms.CharField(label="完成情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    method = forms.ChoiceField(label="探访方式", choices=[("home", "入户"), ("phone", "电话"), ("video", "视频")],
                               required=False)
    health = forms.ChoiceField(label="身体状况", choices=[("", "—"), *RATING], required=False)
    home_safety = forms.ChoiceField(label="居家安全", choices=[("", "—"), *RATING], required=False)
    living = forms.ChoiceField(label="生活条件", choices=[("", "—"), *RATING], required=False)
    mood = forms.ChoiceField(label="精神状态", choices=[("", "—"), *RATING], required=False)
    needs = forms.CharField(label="需求", max_length=200, required=False)


class BankForm(forms.Form):
    record = forms.IntegerField(label="服务记录", min_value=1)


class SpendForm(forms.Form):
    hours = forms.CharField(label="使用小时数", max_length=10)
    used_for = forms.IntegerField(label="所用服务的记录编号", min_value=1, help_text="其他志愿者为其提供的为老服务")
    beneficiary = forms.CharField(label="服务对象", max_length=50, help_text="志愿者本人或其指定的家人")


class FamilyForm(forms.Form):
    family_member = forms.CharField(label="可代用家人姓名", max_length=50, required=False)
