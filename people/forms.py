"""Forms for the register's pages. They only shape input; every rule lives in people.validation / services."""

from typing import Any

from django import forms

from accounts.scoping import scope_prefix
from people.models import Resident
from people.selectors import tag_choices
from people.tags import DERIVED_AGE_TAGS
from people.validation import DISABILITY_CATEGORIES, HARDSHIP_CONDITIONS
from places.codes import within
from places.models import OrgUnit

# Above this many villages in scope the unit is typed as a code instead of chosen from a list.
UNIT_SELECT_LIMIT = 800


def village_choices(user: Any) -> list[tuple[str, str]] | None:
    prefix = scope_prefix(user)
    if prefix is None:
        return []
    units = OrgUnit.objects.filter(within("code", prefix), level=OrgUnit.Level.VILLAGE)
    if units.count() > UNIT_SELECT_LIMIT:
        return None
    return [(u.code, u.name) for u in units.order_by("code").only("code", "name")]


def filter_unit_choices(user: Any) -> list[tuple[str, str]]:
    """Units to narrow a list by: the user's subtree, down to villages when that stays short."""
    prefix = scope_prefix(user)
    if prefix is None:
        return []
    units = OrgUnit.objects.filter(within("code", prefix)).exclude(code=prefix.ljust(12, "0"))
    if units.count() > UNIT_SELECT_LIMIT:
        units = units.exclude(level=OrgUnit.Level.VILLAGE)
    indent = {"county": "", "township": "　", "village": "　　"}
    return [("", "全部")] + [(u.code, indent.get(u.level, "") + u.name) for u in units.order_by("code").only("code", "name", "level")]


class ResidentForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_type = forms.ChoiceField(label="证件类型", choices=Resident.IdType.choices, initial=Resident.IdType.ID_CARD)
    id_number = forms.CharField(label="证件号码", max_length=40, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}))
    gender = forms.ChoiceField(label="性别", required=False, choices=[("", "按身份证号码"), *Resident.Gender.choices])
    birth_date = forms.DateField(label="出生日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="居民身份证可不填，由号码得出", error_messages={"invalid": "出生日期格式应为 YYYY-MM-DD"})
    phone = forms.CharField(label="联系电话", max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    unit_code = forms.CharField(label="所属村（社区）", max_length=12)
    household_number = forms.CharField(label="户编号", max_length=40, required=False, help_text="本村（社区）已登记的户编号，可不填")
    relation = forms.ChoiceField(label="与户主关系", choices=Resident.Relation.choices, initial=Resident.Relation.OTHER)
    current_address = forms.CharField(label="现住址", max_length=200, required=False)
    hukou_address = forms.CharField(label="户籍地址", max_length=200, required=False)
    registered_here = forms.BooleanField(label="户籍在本村（社区）", required=False, initial=True)
    tags = forms.MultipleChoiceField(label="人员标签", required=False, widget=forms.CheckboxSelectMultiple)
    disability_category = forms.ChoiceField(label="残疾类别", required=False,
                                            choices=[("", "—"), *DISABILITY_CATEGORIES.items()])
    disability_grade = forms.ChoiceField(label="残疾等级", required=False,
                                         choices=[("", "—"), ("1", "一级"), ("2", "二级"), ("3", "三级"), ("4", "四级")])
    hardship_condition = forms.ChoiceField(label="特殊困难情形", required=False,
                                           choices=[("", "—"), *HARDSHIP_CONDITIONS.items()])

    def __init__(self, *args: Any, user: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tags_field: Any = self.fields["tags"]
        tags_field.choices = [(c, label) for c, label in tag_choices(user) if c not in DERIVED_AGE_TAGS]
        self.editing = editing
        if editing:
            del self.fields["unit_code"]
            self.fields["id_number"].help_text = "留空表示不变；页面不显示完整号码"
            self.fields["phone"].help_text = "留空表示不变"
            self.fields["clear_phone"] = forms.BooleanField(label="清除联系电话", required=False)
        else:
            self.fields["id_number"].required = True
            choices = village_choices(user)
            if choices is not None:
                self.fields["unit_code"] = forms.ChoiceField(label="所属村（社区）", choices=choices)
                if len(choices) == 1:
                    self.fields["unit_code"].initial = choices[0][0]
            else:
                self.fields["unit_code"].help_text = "12位村（社区）代码"
        self.fields["id_number"].error_messages["required"] = "请填写证件号码"
        self.fields["name"].error_messages["required"] = "请填写姓名"

    def service_data(self) -> dict[str, Any]:
        """The cleaned form as the services take it (ID and phone only when typed, on edit)."""
        data = dict(self.cleaned_data)
        details: dict[str, dict[str, Any]] = {}
        if data.get("disability_category") or data.get("disability_grade"):
            details["disabled"] = {"category": data.get("disability_category"), "grade": data.get("disability_grade")}
        if data.get("hardship_condition"):
            details["special_hardship_elderly"] = {"condition": data.get("hardship_condition")}
        out = {k: data[k] for k in ("name", "id_type", "gender", "birth_date", "relation", "current_address",
                                    "hukou_address", "registered_here", "tags") if k in data}
        out["tag_details"] = details
        if not self.editing:
            out["unit_code"] = data["unit_code"]
            out["id_number"] = data["id_number"]
            out["phone"] = data["phone"]
        else:
            if data.get("id_number"):
                out["id_number"] = data["id_number"]
            if data.get("phone"):
                out["phone"] = data["phone"]
            elif data.get("clear_phone"):
                out["phone"] = ""
        return out

    def add_service_errors(self, message_dict: dict[str, list[str]]) -> None:
        mapping = {"household_id": "household_number", "tag_details": "tags"}
        for key, messages in message_dict.items():
            field = mapping.get(key, key)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class HouseholdForm(forms.Form):
    number = forms.CharField(label="户编号", max_length=40, error_messages={"required": "请填写户编号"})
    is_registered = forms.BooleanField(label="户籍户（不勾选表示仅居住）", required=False, initial=True)
    building = forms.CharField(label="楼栋", max_length=20, required=False)
    entrance = forms.CharField(label="单元", max_length=20, required=False)
    room = forms.CharField(label="房号", max_length=20, required=False)
    group_no = forms.CharField(label="村民小组", max_length=20, required=False)
    house_no = forms.CharField(label="门牌号", max_length=20, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    lat = forms.FloatField(label="纬度", required=False, error_messages={"invalid": "纬度应为数字"})
    lng = forms.FloatField(label="经度", required=False, error_messages={"invalid": "经度应为数字"})

    def __init__(self, *args: Any, user: Any, creating: bool = True, members: list[Resident] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if creating:
            choices = village_choices(user)
            field: forms.Field = (forms.ChoiceField(label="所属村（社区）", choices=choices) if choices is not None
                                  else forms.CharField(label="所属村（社区）代码", max_length=12))
            self.fields = {"unit_code": field, **self.fields}
        elif members is not None:
            self.fields["head_id"] = forms.TypedChoiceField(
                label="户主", required=False, coerce=int, empty_value=None,
                choices=[("", "—"), *[(m.pk, m.name) for m in members]])

    def add_service_errors(self, message_dict: dict[str, list[str]]) -> None:
        for key, messages in message_dict.items():
            for message in messages:
                self.add_error(key if key in self.fields else None, message)


class MoveForm(forms.Form):
    to_unit_code = forms.CharField(label="迁入村（社区）代码", max_length=12, help_text="12位代码，可迁往本市任一村（社区）",
                                   error_messages={"required": "请填写迁入村（社区）代码"})
    moved_on = forms.DateField(label="迁移日期", widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": "请填写迁移日期", "invalid": "日期格式应为 YYYY-MM-DD"})
    current_address = forms.CharField(label="新现住址", max_length=200, required=False,
                                      help_text="原村（社区）不会看到新地址")


class MoveInForm(forms.Form):
    id_number = forms.CharField(label="证件号码", max_length=40, error_messages={"required": "请填写证件号码"},
                                widget=forms.TextInput(attrs={"autocomplete": "off"}))
    name = forms.CharField(label="姓名", max_length=50, error_messages={"required": "请填写姓名"})
    to_unit_code = forms.CharField(label="迁入村（社区）", max_length=12)
    moved_on = forms.DateField(label="迁入日期", widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": "请填写迁入日期", "invalid": "日期格式应为 YYYY-MM-DD"})
    household_number = forms.CharField(label="户编号", max_length=40, required=False, help_text="迁入后编入的户，可不填")
    current_address = forms.CharField(label="现住址", max_length=200, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = village_choices(user)
        if choices is not None:
            self.fields["to_unit_code"] = forms.ChoiceField(label="迁入村（社区）", choices=choices)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="新状态", choices=Resident.Status.choices)
    on = forms.DateField(label="日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                         help_text="迁出本市或去世的日期", error_messages={"invalid": "日期格式应为 YYYY-MM-DD"})


class RevealForm(forms.Form):
    reason = forms.CharField(label="查看理由", max_length=300, min_length=4,
                             error_messages={"required": "请说明查看理由", "min_length": "请说明查看理由（至少4个字）"},
                             widget=forms.TextInput(attrs={"autocomplete": "off"}))
