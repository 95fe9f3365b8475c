"""Django admin is the system administrator's configuration desk, and nobody else's (三权分立)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.roles import Role


def is_system_admin(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_active and user.is_authenticated and user.role == Role.SYSTEM_ADMIN)


admin.site.has_permission = is_system_admin  # type: ignore[method-assign]
admin.site.site_header = "社区服务信息系统 · 系统配置"


class ConfigAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Register configuration models (holidays, deadlines, API clients …) with this."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_system_admin(request)
