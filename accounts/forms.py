from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.roles import Role
from places.models import Department, OrgUnit


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码不正确。连续失败5次后账户将被锁定15分钟。",
        "inactive": "该账户已停用。",
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        try:
            return super().clean()
        except ValidationError:
            user = User.objects.filter(username=username).first() if username else None
            if user is not None and user.is_locked():
                raise ValidationError("登录失败次数过多，账户已锁定，请15分钟后再试。", code="locked") from None
            raise


class CreateUserForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150)
    display_name = forms.CharField(label="姓名", max_length=50, required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    unit_code = forms.CharField(label="管辖单位代码（12位）", max_length=12, required=False)
    department = forms.ModelChoiceField(label="所属部门", queryset=Department.objects.all(), required=False)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput)

    def clean_unit_code(self) -> OrgUnit | None:
        code = self.cleaned_data.get("unit_code", "").strip()
        if not code:
            return None
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise ValidationError("区划代码不存在。")
        return unit
