from typing import Any

from django import forms

from appeals.models import Category, Channel, LocationKind, RatingLevel


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> Any:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [item for item in items if item]


class FileForm(forms.Form):
    # What is required is checked by services.file_appeal, every problem at once (not one per submit here).
    category = forms.ModelChoiceField(Category.objects.filter(active=True), to_field_name="code", label="诉求类别", required=False,
                                      empty_label="请选择（输入内容后会自动推荐）",
                                      error_messages={"invalid_choice": "未知的诉求类别，请从列表中选择。"})
    description = forms.CharField(label="诉求内容", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4}))
    photos = MultipleFileField(label="照片（最多3张，JPEG/PNG，每张不超过10MB）", required=False,
                               widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png"}))
    location_kind = forms.ChoiceField(label="发生位置", choices=LocationKind.choices, initial=LocationKind.ADDRESS,
                                      widget=forms.RadioSelect)
    address = forms.CharField(label="地址", max_length=200, required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    community = forms.CharField(label="所在村（社区）", max_length=12, required=False)
    contact_name = forms.CharField(label="联系人", max_length=50, required=False)
    phone = forms.CharField(label="手机号码", max_length=20, required=False)
    public_name = forms.BooleanField(label="同意公开我的姓名", required=False)


class IntakeForm(FileForm):
    channel = forms.ChoiceField(label="受理渠道", choices=[(c.value, c.label) for c in (Channel.PHONE, Channel.IN_PERSON, Channel.HOTLINE)])
    resident_id = forms.IntegerField(label="居民登记编号（可选）", required=False)


class RateForm(forms.Form):
    level = forms.TypedChoiceField(label="评价", choices=RatingLevel.choices, coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(label="评价内容", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
