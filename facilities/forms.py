"""Forms: they type and label the input; the services validate and write."""

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from facilities.models import (
    WEEKDAY_LABELS,
    WEEKDAYS,
    Facility,
    FacilityKind,
    FacilityStatus,
    HousedService,
    PointKind,
    ServicePoint,
    SpaceKind,
    SpaceRule,
)
from facilities.services import FacilityInput, PointInput, actor_may_write
from places.models import OrgUnit
from shequ.inputs import MAX_PEOPLE

HOURS_HELP = "HH:MM-HH:MM，如 08:30-17:30；多个时段用逗号分隔；不开放留空"


class UnitCodeField(forms.CharField):
    def __init__(self, **kwargs: Any):
        kwargs.setdefault("label", "所属单位区划代码")
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("min_length", 12)
        kwargs.setdefault("help_text", "12位统计用区划代码")
        super().__init__(**kwargs)


class ScopedForm(forms.Form):
    """Resolves the unit code against the units the user may write to."""

    unit_code = UnitCodeField()

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.unit_id and user.unit.level == OrgUnit.Level.VILLAGE and not self.initial.get("unit_code"):
            self.initial["unit_code"] = user.unit_id

    def clean_unit_code(self) -> OrgUnit:
        code = self.cleaned_data["unit_code"].strip()
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None or not actor_may_write(self.user, code):
            raise ValidationError("区划代码不存在或不在您的管辖范围内。")
        return unit

    def add_service_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                target = {"unit": "unit_code", "opening_hours": "hours_mon", "services": "services"}.get(name, name)
                self.add_error(target if target in self.fields else None, errors)
        else:
            self.add_error(None, exc.messages)


class FacilityForm(ScopedForm):
    name = forms.CharField(label="设施名称", max_length=100)
    kind = forms.ChoiceField(label="设施类型", choices=FacilityKind.choices)
    status = forms.ChoiceField(label="状态", choices=FacilityStatus.choices, initial=FacilityStatus.IN_USE)
    built_on = forms.DateField(label="建成日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    opened_on = forms.DateField(label="投入使用日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    closed_on = forms.DateField(label="停用日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    building_area = forms.DecimalField(label="建筑面积（㎡）", min_value=0, max_digits=10, decimal_places=2, initial=0)
    activity_area = forms.DecimalField(label="居民活动区域面积（㎡）", min_value=0, max_digits=10, decimal_places=2, initial=0)
    office_area = forms.DecimalField(label="办公面积（㎡）", min_value=0, max_digits=10, decimal_places=2, initial=0)
    services = forms.MultipleChoiceField(label="入驻服务", choices=HousedService.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    has_ramp = forms.BooleanField(label="无障碍坡道", required=False)
    has_accessible_toilet = forms.BooleanField(label="无障碍卫生间", required=False)
    has_lift = forms.BooleanField(label="电梯", required=False)
    has_tactile_paving = forms.BooleanField(label="盲道", required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    lng = forms.FloatField(label="经度", required=False)
    lat = forms.FloatField(label="纬度", required=False)
    note = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for key, label in zip(WEEKDAYS, WEEKDAY_LABELS):
            self.fields[f"hours_{key}"] = forms.CharField(label=f"{label}开放时间", max_length=60, required=False,
                                                          help_text=HOURS_HELP if key == "mon" else "")

    @classmethod
    def initial_for(cls, facility: Facility) -> dict[str, Any]:
        initial = {name: getattr(facility, name) for name in FacilityInput.FIELDS if name != "opening_hours"}
        hours = (list(facility.opening_hours or []) + [""] * 7)[:7]
        initial |= {f"hours_{k}": h for k, h in zip(WEEKDAYS, hours)}
        initial |= {"unit_code": facility.unit_id, "services": [s.service for s in facility.services.all()]}
        return initial

    def to_input(self) -> FacilityInput:
        data = self.cleaned_data
        values = {name: data.get(name) for name in FacilityInput.FIELDS if name != "opening_hours"}
        for name in ("name", "address", "note"):
            values[name] = values[name] or ""
        return FacilityInput(
            unit=data["unit_code"], opening_hours=[data.get(f"hours_{k}", "") for k in WEEKDAYS],
            services=list(data.get("services") or []), **values,  # type: ignore[arg-type]  # cleaned_data values are typed Any-ish objects; the form's fields give each its type
        )


class PointForm(ScopedForm):
    name = forms.CharField(label="网点名称", max_length=100)
    kind = forms.ChoiceField(label="网点类型", choices=PointKind.choices)
    operator = forms.CharField(label="经营主体", max_length=100, required=False)
    status = forms.ChoiceField(label="状态", choices=FacilityStatus.choices, initial=FacilityStatus.IN_USE)
    opened_on = forms.DateField(label="开业日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    closed_on = forms.DateField(label="停业日期", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    opening_hours = forms.CharField(label="营业时间", max_length=60, required=False, help_text=HOURS_HELP)
    address = forms.CharField(label="地址", max_length=200, required=False)
    lng = forms.FloatField(label="经度", required=False)
    lat = forms.FloatField(label="纬度", required=False)

    @classmethod
    def initial_for(cls, point: ServicePoint) -> dict[str, Any]:
        return {name: getattr(point, name) for name in PointInput.FIELDS} | {"unit_code": point.unit_id}

    def to_input(self) -> PointInput:
        data = self.cleaned_data
        values = {name: data.get(name) for name in PointInput.FIELDS if name != "built_on"}
        for name in ("operator", "opening_hours", "address"):
            values[name] = values[name] or ""
        return PointInput(unit=data["unit_code"], **values)  # type: ignore[arg-type]  # cleaned_data values are typed Any-ish objects; the form's fields give each its type


class ProfileForm(forms.Form):
    total_building_area = forms.DecimalField(label="社区总建筑面积（㎡）", min_value=0, max_digits=12, decimal_places=2)
    commercial_service_area = forms.DecimalField(label="商业和综合服务设施面积（㎡）", min_value=0, max_digits=12, decimal_places=2,
                                                 help_text="占比由系统计算，规划要求不低于10%")
    is_relocation_community = forms.BooleanField(label="“空心村”治理集中安置社区", required=False)


class PhotoForm(forms.Form):
    image = forms.FileField(label="照片（JPEG、PNG 或 WebP，不超过 8 MB）")
    caption = forms.CharField(label="说明", max_length=100, required=False)


class ImportForm(forms.Form):
    which = forms.ChoiceField(label="导入内容", choices=[("facilities", "服务设施"), ("points", "便民服务网点"),
                                                    ("profiles", "社区建筑面积")])
    file = forms.FileField(label="Excel 文件（.xlsx）")


class SpaceForm(ScopedForm):
    name = forms.CharField(label="场地名称", max_length=100)
    kind = forms.ChoiceField(label="场地类型", choices=SpaceKind.choices)
    facility = forms.ModelChoiceField(label="所在设施", queryset=Facility.objects.none(), required=False,
                                      help_text="设施功能室请选择所在设施；驻区单位的场地留空并填写提供单位")
    host = forms.CharField(label="提供单位", max_length=100, required=False)
    capacity = forms.IntegerField(label="容纳人数（车位）", min_value=1, max_value=MAX_PEOPLE, initial=20)
    rule = forms.ChoiceField(label="预约规则", choices=SpaceRule.choices)
    opens_at = forms.TimeField(label="每天开放开始", initial=dt.time(8, 0), widget=forms.TimeInput(attrs={"type": "time"}))
    closes_at = forms.TimeField(label="每天开放结束", initial=dt.time(20, 0), widget=forms.TimeInput(attrs={"type": "time"}))
    slot_minutes = forms.IntegerField(label="每个时段（分钟）", min_value=15, initial=60)
    weekdays = forms.MultipleChoiceField(label="开放星期", choices=list(enumerate(WEEKDAY_LABELS)),
                                         initial=[str(i) for i in range(7)], widget=forms.CheckboxSelectMultiple)
    rules_text = forms.CharField(label="使用须知", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["facility"].queryset = Facility.objects.visible_to(self.user)  # type: ignore[attr-defined]  # the stubs' Field has no choices/queryset; this field is a (Model)ChoiceField


class BookingForm(forms.Form):
    starts_at = forms.DateTimeField(label="开始时间", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    slots = forms.IntegerField(label="连续时段数", min_value=1, max_value=48, initial=1)
    purpose = forms.CharField(label="用途", max_length=200)
    attendees = forms.IntegerField(label="人数", min_value=1, max_value=MAX_PEOPLE, initial=1)
    organisation = forms.CharField(label="以组织名义预约（可空）", max_length=100, required=False)


class DecisionForm(forms.Form):
    note = forms.CharField(label="意见", max_length=200, required=False)
