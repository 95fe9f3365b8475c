from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from accounts.backends import address_throttled
from accounts.context import client_ip
from accounts.roles import Role
from places.models import Department, OrgUnit


def invalid_login_message() -> str:
    """One answer for a wrong password, an unknown name and a locked account: which one it was is not said."""
    return (f"用户名或密码不正确，或账户已暂时锁定。连续失败{settings.LOGIN_MAX_FAILURES}次后账户将被锁定"
            f"{settings.LOGIN_LOCK_MINUTES}分钟。")


THROTTLED = "本机登录失败次数过多，请稍后再试。"


class LoginForm(AuthenticationForm):
    error_messages = {"invalid_login": "", "inactive": ""}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # An inactive account gets the same answer as an unknown one.
        self.error_messages = {"invalid_login": invalid_login_message(), "inactive": invalid_login_message()}

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            if address_throttled(client_ip.get()):
                raise ValidationError(THROTTLED, code="throttled") from None
            raise


class CreateUserForm(forms.Form):
    username = forms.CharField(label="用户名", max_length=150, help_text="3至30位小写字母、数字或 . _ -")
    display_name = forms.CharField(label="姓名", max_length=50, required=False)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    unit_code = forms.CharField(label="管辖单位代码（12位）", max_length=12, required=False)
    department = forms.ModelChoiceField(label="所属部门", queryset=Department.objects.all(), required=False)
    is_unit_leader = forms.BooleanField(label="单位负责人（审批本单位及下一级单位的数据权限；须另一名管理员确认）",
                                        required=False)
    password = forms.CharField(label="初始密码（首次登录须修改）", widget=forms.PasswordInput)

    def clean_unit_code(self) -> OrgUnit | None:
        code = self.cleaned_data.get("unit_code", "").strip()
        if not code:
            return None
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None:
            raise ValidationError("区划代码不存在。")
        return unit


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="当前密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                                   help_text="至少8个字符，且包含大写字母、小写字母、数字、符号中的至少三类。")
    new_password2 = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            raise ValidationError("两次输入的新密码不一致。")
        return data
