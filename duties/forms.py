"""Forms of the duties pages: shape only; the rules live in services."""

from django import forms

from duties.models import CertificateItem, TaskKind
from shequ.inputs import date_validator

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TaskForm(forms.Form):
    title = forms.CharField(label="任务名称", max_length=100)
    kind = forms.ChoiceField(label="任务类型", choices=TaskKind.choices)
    item_code = forms.CharField(label="清单事项编码", max_length=20, required=False,
                                help_text="引用现行社区工作事项清单中的事项；清单外的任务填写已获准的准入申请")
    admission = forms.IntegerField(label="已获准的准入申请编号", required=False, min_value=1, max_value=2**31 - 1)
    unit_codes = forms.CharField(label="接收单位代码", max_length=2000,
                                 help_text="村（社区）或乡镇（街道）的12位代码，多个以空格或逗号分隔")
    deadline = forms.DateField(label="完成期限", widget=DATE, validators=[date_validator(label="完成期限", latest=None)])
    hours = forms.DecimalField(label="每个社区预计工时（小时）", min_value=0, max_value=1000, decimal_places=1)
    funding = forms.CharField(label="经费保障", max_length=200, required=False,
                              help_text="协助政府事项须写明部门提供的经费和工作条件")

    def clean_unit_codes(self) -> list[str]:
        return [c for c in self.cleaned_data["unit_codes"].replace(",", " ").replace("，", " ").split() if c][:200]


class AdmissionForm(forms.Form):
    title = forms.CharField(label="任务名称", max_length=100)
    kind = forms.ChoiceField(label="任务类型", choices=TaskKind.choices)
    reason = forms.CharField(label="申请理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    funding = forms.CharField(label="经费保障", max_length=200)
    hours = forms.DecimalField(label="每个社区预计工时（小时）", min_value=0, max_value=1000, decimal_places=1)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="审核结论", choices=[("approve", "准予（附条件）"), ("reject", "不予准入")],
                                 widget=forms.RadioSelect)
    conditions = forms.CharField(label="准入条件", max_length=300, required=False)
    reason = forms.CharField(label="审核意见 / 不予准入的理由", max_length=300, required=False)


class PublishForm(forms.Form):
    effective_on = forms.DateField(label="生效日期", widget=DATE, validators=[date_validator(label="生效日期", latest=None)])
    reason = forms.CharField(label="调整原因", max_length=300)
    items = forms.CharField(label="清单事项", widget=forms.Textarea(attrs={"rows": 12}), max_length=200_000,
                            help_text="每行一项：编码|名称|类别（依法履职事项/协助政府事项/负面清单事项）|责任部门|经费|工作条件|依据")

    def clean_items(self) -> list[dict[str, str]]:
        keys = ["code", "name", "kind", "department", "funding", "conditions", "basis"]
        rows = []
        for line in self.cleaned_data["items"].splitlines():
            if line.strip():
                cells = [c.strip() for c in line.split("|")]
                rows.append(dict(zip(keys, cells + [""] * (len(keys) - len(cells)), strict=False)))
        return rows


class CertificateForm(forms.Form):
    item = forms.ModelChoiceField(label="证明事项", queryset=CertificateItem.objects.filter(active=True))
    purpose = forms.CharField(label="用途", max_length=200)
    asking_department = forms.CharField(label="要求出具的部门", max_length=100, required=False)


class ProxyForm(forms.Form):
    applicant = forms.CharField(label="申请人姓名（工作人员代为发起时填写）", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    note = forms.CharField(label="说明", max_length=300, required=False)


class AssessmentForm(forms.Form):
    unit_code = forms.CharField(label="乡镇（街道）代码", max_length=12)
    year = forms.IntegerField(label="年度", min_value=2020, max_value=2100)
    indicators = forms.CharField(label="指标体系", widget=forms.Textarea(attrs={"rows": 8}), max_length=20_000,
                                 help_text="每行一项：名称|权重|来源（computed 系统计算 / scored 评估打分）|指标代码|一票否决（是/否）")

    def clean_indicators(self) -> list[dict[str, object]]:
        rows = []
        for line in self.cleaned_data["indicators"].splitlines():
            if line.strip():
                cells = [c.strip() for c in line.split("|")] + [""] * 5
                rows.append({"name": cells[0], "weight": cells[1], "source": cells[2], "code": cells[3],
                             "veto": cells[4] in ("是", "yes", "true", "1")})
        return rows
