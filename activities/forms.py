"""Forms of the activities pages: shape only; the rules live in services."""

from django import forms

from activities.models import ArchiveKind, Audience, FundingSource, Kind, Pilot, PilotKind, ProjectKind, Rating, Retention
from shequ.inputs import date_validator

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ActivityForm(forms.Form):
    title = forms.CharField(label="活动名称", max_length=100)
    kind = forms.ChoiceField(label="活动类别", choices=Kind.choices)
    audience = forms.ChoiceField(label="参与对象", choices=Audience.choices)
    organiser = forms.CharField(label="组织单位", max_length=100, help_text="社区居委会、社会组织等")
    unit_code = forms.CharField(label="所属村（社区）代码", max_length=12, help_text="12位区划代码")
    space = forms.TypedChoiceField(label="预约场地", coerce=int, required=False, empty_value=None,
                                   help_text="选择后按场地预约规则占用该时段")
    facility = forms.TypedChoiceField(label="活动设施", coerce=int, required=False, empty_value=None)
    place = forms.CharField(label="活动地点", max_length=200, required=False, help_text="未选场地、设施时填写")
    starts_at = forms.DateTimeField(label="开始时间", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label="结束时间", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    capacity = forms.IntegerField(label="名额", min_value=1, max_value=10_000)
    description = forms.CharField(label="活动内容", widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000)

    def __init__(self, *args: object, spaces: list[tuple[int, str]] = (), facilities: list[tuple[int, str]] = (),  # type: ignore[assignment]  # tuples are read only
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Django's own Form arguments
        self.fields["space"].choices = [("", "—"), *spaces]  # type: ignore[attr-defined]  # a ChoiceField
        self.fields["facility"].choices = [("", "—"), *facilities]  # type: ignore[attr-defined]  # a ChoiceField

    def clean(self) -> dict[str, object]:
        """The time order shows with the other field errors at once (the service checks it again)."""
        data = super().clean() or {}
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", "结束时间应晚于开始时间。")
        return data


class CheckInForm(forms.Form):
    code = forms.CharField(label="签到码", max_length=300)


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label="评价", choices=Rating.choices, coerce=int, widget=forms.RadioSelect)
    rating_note = forms.CharField(label="评价意见", max_length=200, required=False, help_text="不满意时请写明原因")


class PhotoForm(forms.Form):
    photo = forms.ImageField(label="活动照片")


class ProjectForm(forms.Form):
    name = forms.CharField(label="项目名称", max_length=100)
    kind = forms.ChoiceField(label="项目类型", choices=ProjectKind.choices)
    unit_code = forms.CharField(label="所属村（社区）代码", max_length=12)
    facility = forms.TypedChoiceField(label="提升的设施", coerce=int, required=False, empty_value=None,
                                      help_text="新建项目留空并填写新设施名称")
    facility_name = forms.CharField(label="新设施名称", max_length=100, required=False)
    contractor = forms.CharField(label="承建单位", max_length=100, required=False)
    planned_start = forms.DateField(label="计划开工日期", widget=DATE, validators=[date_validator(label="计划开工日期")])
    planned_end = forms.DateField(label="计划完工日期", widget=DATE, validators=[date_validator(label="计划完工日期")])

    def __init__(self, *args: object, facilities: list[tuple[int, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]  # read only
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # Django's own Form arguments
        self.fields["facility"].choices = [("", "—"), *facilities]  # type: ignore[attr-defined]  # a ChoiceField


class FundingForm(forms.Form):
    source = forms.ChoiceField(label="资金来源", choices=FundingSource.choices)
    amount = forms.DecimalField(label="金额（万元）", max_digits=12, decimal_places=2, min_value=0)


class MilestoneForm(forms.Form):
    reached_on = forms.DateField(label="日期", widget=DATE)
    title = forms.CharField(label="节点", max_length=100, help_text="如 开工、主体完工、竣工")
    photo = forms.ImageField(label="照片", required=False)


class InspectForm(forms.Form):
    inspected_on = forms.DateField(label="验收日期", widget=DATE)
    note = forms.CharField(label="验收意见", max_length=200, required=False)


class CompleteForm(forms.Form):
    completed_on = forms.DateField(label="投入使用日期", widget=DATE)
    building_area = forms.DecimalField(label="完工建筑面积（㎡）", max_digits=10, decimal_places=2)
    activity_area = forms.DecimalField(label="居民活动区域面积（㎡）", max_digits=10, decimal_places=2, required=False)


class PilotForm(forms.Form):
    kind = forms.ChoiceField(label="试点类型", choices=PilotKind.choices)
    unit_code = forms.CharField(label="单位代码", max_length=12)
    body = forms.CharField(label="命名（批准）单位", max_length=100)
    designated_on = forms.DateField(label="命名日期", widget=DATE)
    period_end = forms.DateField(label="试点期满日期", widget=DATE)


class EvaluateForm(forms.Form):
    result = forms.ChoiceField(label="评估结果", choices=[c for c in Pilot.Result.choices if c[0]])
    evaluation = forms.CharField(label="评估意见", max_length=500, required=False)
    evaluated_on = forms.DateField(label="评估日期", widget=DATE)


class MeetingForm(forms.Form):
    unit_code = forms.CharField(label="乡镇（街道）代码", max_length=12)
    held_on = forms.DateField(label="召开日期", widget=DATE)
    agenda = forms.CharField(label="议题", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    members = forms.CharField(label="成员单位", widget=forms.Textarea(attrs={"rows": 4}), help_text="每行一个")
    attendance = forms.CharField(label="出席单位", widget=forms.Textarea(attrs={"rows": 4}), help_text="每行一个")
    decisions = forms.CharField(label="议定事项", widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)


class TaskForm(forms.Form):
    assignee = forms.CharField(label="承办单位", max_length=100)
    task = forms.CharField(label="任务", max_length=300)
    due_on = forms.DateField(label="完成时限", widget=DATE)


class TaskDoneForm(forms.Form):
    done_on = forms.DateField(label="完成日期", widget=DATE)
    outcome = forms.CharField(label="完成情况", max_length=300)


class ArchiveForm(forms.Form):
    title = forms.CharField(label="题名", max_length=200)
    unit_code = forms.CharField(label="所属村（社区）代码", max_length=12)
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label="档案类别", choices=ArchiveKind.choices)
    retention = forms.ChoiceField(label="保管期限", choices=[("", "按类别默认"), *Retention.choices], required=False)
    file = forms.FileField(label="文件")


class DestroyForm(forms.Form):
    note = forms.CharField(label="销毁说明", max_length=200, help_text="鉴定意见、批准人")
