"""Forms: the one-minute visit form, reassignment, rules, emergency records and notices."""

import datetime as dt
import secrets
from typing import Any

from django import forms
from django.utils import timezone

from care.models import SHELTER_FACILITIES, Frequency, Method, NoticeKind, Rating, ShelterKind
from people.tags import RESTRICTED_TAGS, Tag
from shequ.inputs import EARLIEST_EVENT, MAX_PEOPLE, date_validator


class MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiImageField(forms.ImageField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultiImageField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class VisitForm(forms.Form):
    visited_at = forms.DateTimeField(label="探访时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
                                     input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                     validators=[date_validator(label="探访时间", latest=dt.date.max)])
    # The four checks start unset: a hurried worker must look and choose, not save a pre-filled "all well".
    method = forms.ChoiceField(label="方式", choices=Method.choices, widget=forms.RadioSelect, initial=Method.HOME)
    health = forms.ChoiceField(label="身体状况", choices=Rating.choices, widget=forms.RadioSelect,
                            error_messages={"required": "请按实际情况选择身体状况。"})
    home_safety = forms.ChoiceField(label="居家安全", choices=Rating.choices, widget=forms.RadioSelect,
                            error_messages={"required": "请按实际情况选择居家安全。"})
    living = forms.ChoiceField(label="生活条件", choices=Rating.choices, widget=forms.RadioSelect,
                            error_messages={"required": "请按实际情况选择生活条件。"})
    mood = forms.ChoiceField(label="精神状态", choices=Rating.choices, widget=forms.RadioSelect,
                            error_messages={"required": "请按实际情况选择精神状态。"})
    needs = forms.CharField(label="需求", max_length=200, required=False)
    needs_action = forms.BooleanField(label="需要跟进（转介服务）", required=False)
    notes = forms.CharField(label="备注（仅有权限人员可见）", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    visitor_name = forms.CharField(label="探访人（志愿者代为探访时填写）", max_length=50, required=False)
    photos = MultiImageField(label="照片", required=False, widget=MultiFileInput(attrs={"accept": "image/*", "capture": "environment"}))
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    # One key per rendered form: submitting it twice (a double-click, a resend) stores one visit.
    submission_key = forms.CharField(max_length=40, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("visited_at", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
            self.initial.setdefault("submission_key", secrets.token_urlsafe(18))


class AssignForm(forms.Form):
    worker: forms.ModelChoiceField = forms.ModelChoiceField(label="社区工作人员", queryset=None, required=False,
                                                            empty_label="（不指定）")
    volunteer_name = forms.CharField(label="或志愿者姓名", max_length=50, required=False)

    def __init__(self, *args: Any, workers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers  # type: ignore[attr-defined]  # the stubs' Field has no choices/queryset; this field is a (Model)ChoiceField


class ReferralForm(forms.Form):
    category = forms.ChoiceField(label="生成服务诉求（接诉即办）", required=False)
    service = forms.CharField(label="或转介给（服务或部门）", max_length=100, required=False)
    reason = forms.CharField(label="事由", max_length=300)

    def __init__(self, *args: Any, with_requests: bool = False, **kwargs: Any) -> None:
        from care.services import REFERRAL_CATEGORIES

        super().__init__(*args, **kwargs)
        if with_requests:
            self.fields["category"].choices = [("", "（不生成诉求）"), *REFERRAL_CATEGORIES]  # type: ignore[attr-defined]  # the stubs' Field has no choices/queryset; this field is a (Model)ChoiceField
        else:
            del self.fields["category"]
            self.fields["service"].label = "转介给（服务或部门）"
            self.fields["service"].required = True
            self.fields["service"].initial = "乡镇（街道）社会救助服务站"


class RuleForm(forms.Form):
    tag = forms.ChoiceField(label="人员类别", choices=[(t.value, t.label) for t in Tag if t not in RESTRICTED_TAGS])
    frequency = forms.ChoiceField(label="探访频次", choices=Frequency.choices)
    active = forms.BooleanField(label="启用", required=False, initial=True)


class OfficerForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    trained_on = forms.DateField(label="培训日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                 validators=[date_validator(label="培训日期", past=True)])
    appointed_on = forms.DateField(label="任职日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                   validators=[date_validator(label="任职日期", past=True)])


class ShelterForm(forms.Form):
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=ShelterKind.choices)
    capacity = forms.IntegerField(label="可容纳人数", min_value=1, max_value=MAX_PEOPLE)
    address = forms.CharField(label="地址", max_length=200, required=False)
    lat = forms.FloatField(label="纬度", required=False, min_value=-90, max_value=90)
    lng = forms.FloatField(label="经度", required=False, min_value=-180, max_value=180)
    facilities = forms.MultipleChoiceField(label="设施", choices=SHELTER_FACILITIES, required=False, widget=forms.CheckboxSelectMultiple)


class DrillForm(forms.Form):
    held_on = forms.DateField(label="演练日期", widget=forms.DateInput(attrs={"type": "date"}),
                              validators=[date_validator(label="演练日期", earliest=EARLIEST_EVENT, past=True)])
    scenario = forms.CharField(label="演练科目", max_length=100)
    participants = forms.IntegerField(label="参加人数", min_value=1, max_value=MAX_PEOPLE)
    lessons = forms.CharField(label="经验与不足", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NoticeForm(forms.Form):
    unit = forms.ChoiceField(label="发送范围")
    kind = forms.ChoiceField(label="类别", choices=NoticeKind.choices)
    title = forms.CharField(label="标题", max_length=100)
    body = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, units: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = units  # type: ignore[attr-defined]  # the stubs' Field has no choices/queryset; this field is a (Model)ChoiceField
