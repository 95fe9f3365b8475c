"""Forms of the workforce pages: shape only; the rules live in services."""

from django import forms

from workforce.models import ElectionKind, Gender, Position, QualificationLevel, ReserveSource, TrainingKind, TrainingLevel

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
    hours = forms.DecimalField(label="学时", max_digits=5, decimal_places=1, required=False, initial=8,
                               help_text="结业计入的学时，空 = 8")
    unit = forms.ChoiceField(label="组织单位（区划）")

    def __init__(self, *args: object, units: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # *args/**kwargs pass Django's own Form arguments through unchanged
        self.fields["unit"].choices = units  # type: ignore[attr-defined]  # the stubs' Field has no choices/queryset; this field is a (Model)ChoiceField


class AttendanceForm(forms.Form):
    worker = forms.IntegerField(label="社区工作者", widget=forms.HiddenInput)
    completed = forms.BooleanField(label="已结业", required=False)
    hours = forms.DecimalField(label="实际学时", max_digits=5, decimal_places=1, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")
    dry_run = forms.BooleanField(label="只校验，不写入（试导入）", required=False)


class ElectionForm(forms.Form):
    kind = forms.ChoiceField(label="选举类别", choices=ElectionKind.choices)
    election_date = forms.DateField(label="选举日期", widget=DATE)
    term_starts_on = forms.DateField(label="任期开始", widget=DATE)
    term_ends_on = forms.DateField(label="任期结束", widget=DATE)
    review_days = forms.IntegerField(label="联审时限（工作日）", min_value=1, max_value=30, initial=5)


class CandidateForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18,
                                widget=forms.TextInput(attrs={"autocomplete": "off"}),
                                help_text="与居民登记相同的校验；已登记的居民自动关联")
    nominated_for = forms.ChoiceField(label="拟任职务", choices=Position.choices[:4])


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(label="审查意见", choices=[("pass", "通过"), ("fail", "不通过")])
    reason = forms.CharField(label="理由", max_length=300, required=False, help_text="不通过时必填")


class FilingForm(forms.Form):
    filed_on = forms.DateField(label="备案日期", widget=DATE)
    approval = forms.CharField(label="批复文号", max_length=100)
    documents = forms.CharField(label="备案材料", max_length=300, required=False)


class ReserveForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=18, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    source = forms.ChoiceField(label="来源", choices=ReserveSource.choices)
    joined_on = forms.DateField(label="入库日期", widget=DATE)
    assessment = forms.CharField(label="考察评价", max_length=300, required=False)
    training = forms.CharField(label="培养措施", max_length=300, required=False)


class ExamForm(forms.Form):
    year = forms.IntegerField(label="考试年度", min_value=2008, max_value=2100)
    level = forms.ChoiceField(label="级别", choices=QualificationLevel.choices)
    passed = forms.BooleanField(label="通过", required=False)
