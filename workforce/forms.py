"""Forms of the workforce pages: shape only; the rules live in services."""

from django import forms

from workforce.models import Gender, Position, TrainingKind, TrainingLevel

DATE = forms.DateInput(attrs={"type": "date"})


class WorkerForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    gender = forms.ChoiceField(label="性别", choices=Gender.choices)
    position = forms.ChoiceField(label="岗位", choices=Position.choices)
    phone = forms.CharField(label="联系电话", max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
                            help_text="修改时留空表示不变")
    started_on = forms.DateField(label="任职日期", widget=DATE)


class EndForm(forms.Form):
    ended_on = forms.DateField(label="离任日期", widget=DATE)


class TrainingForm(forms.Form):
    title = forms.CharField(label="培训名称", max_length=200)
    level = forms.ChoiceField(label="培训层级", choices=TrainingLevel.choices)
    kind = forms.ChoiceField(label="培训类别", choices=TrainingKind.choices)
    starts_on = forms.DateField(label="开始日期", widget=DATE)
    ends_on = forms.DateField(label="结束日期", widget=DATE)
    organiser = forms.CharField(label="主办单位", max_length=100, required=False)
    unit = forms.ChoiceField(label="组织单位（区划）")

    def __init__(self, *args: object, units: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # *args/**kwargs pass Django's own Form arguments through unchanged
        self.fields["unit"].choices = units  # type: ignore[attr-defined]  # the stubs' Field has no choices/queryset; this field is a (Model)ChoiceField


class AttendanceForm(forms.Form):
    worker = forms.IntegerField(label="社区工作者", widget=forms.HiddenInput)
    completed = forms.BooleanField(label="已结业", required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")
    dry_run = forms.BooleanField(label="只校验，不写入（试导入）", required=False)
