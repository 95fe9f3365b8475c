"""Forms of the deliberation pages: shape only; the rules live in services."""

from django import forms

from deliberation.models import Basis, Category, FourStep, MeetingKind, Motion, Origin, Rating, Resource

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProposeForm(forms.Form):
    title = forms.CharField(label="议题", max_length=100)
    body = forms.CharField(label="内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    public_name = forms.CharField(label="公开署名（可不填）", max_length=50, required=False,
                                  help_text="议题页面上显示的称呼，如“3号楼居民”；不填则不显示姓名")


class StaffTopicForm(forms.Form):
    unit_code = forms.CharField(label="村（社区）代码", max_length=12, help_text="12位区划代码")
    origin = forms.ChoiceField(label="来源", choices=[(Origin.STAFF, Origin.STAFF.label), (Origin.PARTY, Origin.PARTY.label)])
    title = forms.CharField(label="议题", max_length=100)
    body = forms.CharField(label="内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


class FromRequestsForm(forms.Form):
    appeals = forms.CharField(label="诉求受理编号", max_length=2000, help_text="一个或多个，用逗号或空格分隔；须属于同一村（社区）")
    title = forms.CharField(label="议题", max_length=100)
    body = forms.CharField(label="内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class AcceptForm(forms.Form):
    procedure = forms.ChoiceField(label="议事形式", choices=MeetingKind.choices)
    major_matter = forms.BooleanField(label="重大事项，按四议两公开办理", required=False)


class DeclineForm(forms.Form):
    reason = forms.CharField(label="不予受理理由（公开）", max_length=300)


class StepForm(forms.Form):
    step = forms.ChoiceField(label="步骤", choices=FourStep.choices)
    done_on = forms.DateField(label="日期", widget=DATE)
    note = forms.CharField(label="说明", max_length=300, required=False)


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label="会议类型", choices=MeetingKind.choices)
    basis = forms.ChoiceField(label="参会范围", choices=Basis.choices)
    starts_at = forms.DateTimeField(label="召开时间", widget=DATETIME, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label="地点", max_length=100)
    agenda = forms.CharField(label="议程和材料", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    invited_parties = forms.CharField(label="列席单位", max_length=300, required=False,
                                      help_text="驻区单位、业委会、物业、社会组织等")
    allow_proxy = forms.BooleanField(label="允许委托投票", required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(label="决议内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class PublicityForm(forms.Form):
    starts_on = forms.DateField(label="公示开始", widget=DATE)
    ends_on = forms.DateField(label="公示结束", widget=DATE)


class ProjectForm(forms.Form):
    title = forms.CharField(label="项目名称", max_length=100)
    owner = forms.CharField(label="责任人/单位", max_length=100)
    budget = forms.DecimalField(label="预算（元）", min_value=0, max_digits=12, decimal_places=2, required=False)
    source = forms.CharField(label="资金来源", max_length=100, required=False)


class AttendForm(forms.Form):
    resident = forms.IntegerField(label="居民档案编号", min_value=1)
    proxy_for = forms.IntegerField(label="委托人档案编号（委托投票时填）", min_value=1, required=False)


class MotionForm(forms.Form):
    text = forms.CharField(label="表决事项", max_length=300)
    method = forms.ChoiceField(label="表决方式", choices=Motion.Method.choices)


class HandsForm(forms.Form):
    yes = forms.IntegerField(label="赞成", min_value=0, max_value=100000)
    no = forms.IntegerField(label="反对", min_value=0, max_value=100000)
    abstain = forms.IntegerField(label="弃权", min_value=0, max_value=100000)


class BallotForm(forms.Form):
    choice = forms.ChoiceField(label="您的意见", choices=[("yes", "赞成"), ("no", "反对"), ("abstain", "弃权")],
                               widget=forms.RadioSelect)


class TextForm(forms.Form):
    text = forms.CharField(label="内容", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class RateForm(forms.Form):
    level = forms.TypedChoiceField(label="评价", choices=Rating.Level.choices, coerce=int, widget=forms.RadioSelect)


class CodeForm(forms.Form):
    code = forms.CharField(label="签到码", max_length=300)


class NeedForm(forms.Form):
    unit_code = forms.CharField(label="村（社区）代码", max_length=12)
    title = forms.CharField(label="需求", max_length=100)
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    target_group = forms.CharField(label="服务对象", max_length=50, required=False)
    urgency = forms.TypedChoiceField(label="紧急程度", choices=[(1, "一般"), (2, "较急"), (3, "紧急")], coerce=int, initial=2)
    wanted_day = forms.ChoiceField(label="希望时间", required=False, choices=[
        ("", "不限"), ("mon", "周一"), ("tue", "周二"), ("wed", "周三"), ("thu", "周四"), ("fri", "周五"),
        ("sat", "周六"), ("sun", "周日")])


class ResourceForm(forms.Form):
    unit_code = forms.CharField(label="村（社区）代码", max_length=12)
    name = forms.CharField(label="资源名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Resource.Kind.choices)
    category = forms.ChoiceField(label="类别", choices=Category.choices)
    capacity = forms.IntegerField(label="可承接需求数", min_value=1, max_value=10000, initial=1)
    days = forms.CharField(label="开放日", max_length=40, required=False, help_text="如 mon,sat,sun；空为每天")
    hours = forms.CharField(label="开放时间", max_length=50, required=False)


class SurveyForm(forms.Form):
    unit_code = forms.CharField(label="发放范围（区划代码）", max_length=12, help_text="村（社区）、乡镇（街道）或县（市、区）")
    title = forms.CharField(label="问卷名称", max_length=100)
    satisfaction = forms.BooleanField(label="使用市级《城乡社区服务群众满意度调查》标准模板", required=False)
    anonymous = forms.BooleanField(label="匿名", required=False, initial=True)
    questions = forms.CharField(label="题目（不用模板时）", required=False, max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 5}),
                                help_text="每行一题：题型|题目|选项1,选项2|仅当第N题回答为X（N:X）。"
                                          "题型 single 单选、multiple 多选、scale 1–5分、text 文字、matrix 矩阵")


def parse_questions(text: str) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        spec: dict[str, object] = {"kind": parts[0], "text": parts[1] if len(parts) > 1 else ""}
        if len(parts) > 2 and parts[2]:
            spec["options"] = [o.strip() for o in parts[2].replace("，", ",").split(",") if o.strip()]
        if len(parts) > 3 and ":" in parts[3]:
            n, _, answer = parts[3].partition(":")
            spec["show_if"] = [int(n) if n.strip().isdigit() else 0, answer.strip()]
        out.append(spec)
    return out
