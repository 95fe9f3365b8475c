"""Django admin is the system administrator's configuration desk, and nobody else's (三权分立).

Every change made there is an accounts.AuditEntry with the values before and after, which the auditor reads
at /accounts/audit/ (django_admin_log, which only the admin shows, is not enough). The site is installed as
Django's default admin site (accounts.apps.AuditedAdminConfig), and its register() gives every ModelAdmin, of
every app, the auditing mixin: no app has to remember it.
"""

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import audit
from accounts.roles import Role


def is_system_admin(request: HttpRequest) -> bool:
    user: Any = request.user
    return bool(user.is_active and user.is_authenticated and user.role == Role.SYSTEM_ADMIN)


def snapshot(obj: models.Model) -> dict[str, str]:
    """Every concrete field as text, the way the audit log keeps it."""
    return {f.name: f.value_to_string(obj) for f in obj._meta.concrete_fields}


def _fresh(obj: models.Model) -> dict[str, str]:
    if obj.pk is None:
        return {}
    stored = type(obj)._default_manager.filter(pk=obj.pk).first()
    return snapshot(stored) if stored is not None else {}


def record_admin_change(request: HttpRequest, verb: str, obj: models.Model, before: dict[str, str],
                        after: dict[str, str]) -> None:
    if verb == "change":
        changed = [k for k in after if before.get(k) != after.get(k)]
        before, after = {k: before.get(k, "") for k in changed}, {k: after[k] for k in changed}
        if not changed:
            return
    user: Any = request.user
    audit.record(actor=user, action=f"admin.{verb}", obj=obj,
                 detail={"model": obj._meta.label, "object": str(obj)[:200], "before": before, "after": after})


class AuditingMixin:
    """Writes an audit row for each add, change and delete (one row per object in a bulk delete and in inlines)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = _fresh(obj) if change else {}
        super().save_model(request, obj, form, change)  # type: ignore[misc]  # the stubs make ModelAdmin generic over the model; this mixin serves every model
        record_admin_change(request, "change" if change else "add", obj, before, snapshot(obj))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        before, label = snapshot(obj), obj.pk
        super().delete_model(request, obj)  # type: ignore[misc]  # the stubs make ModelAdmin generic over the model; this mixin serves every model
        obj.pk = label
        record_admin_change(request, "delete", obj, before, {})

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        doomed = [(obj, snapshot(obj)) for obj in queryset]
        super().delete_queryset(request, queryset)  # type: ignore[misc]  # the stubs make ModelAdmin generic over the model; this mixin serves every model
        for obj, before in doomed:
            record_admin_change(request, "delete", obj, before, {})

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        before = {f.instance.pk: _fresh(f.instance) for f in formset.forms if f.instance.pk is not None}
        doomed = [(f.instance, snapshot(f.instance)) for f in getattr(formset, "deleted_forms", []) if f.instance.pk]
        super().save_formset(request, form, formset, change)  # type: ignore[misc]  # the stubs make ModelAdmin generic over the model; this mixin serves every model
        for obj in formset.new_objects:
            record_admin_change(request, "add", obj, {}, snapshot(obj))
        for obj, _fields in formset.changed_objects:
            record_admin_change(request, "change", obj, before.get(obj.pk, {}), snapshot(obj))
        for obj, old in doomed:
            record_admin_change(request, "delete", obj, old, {})


class AuditedAdminSite(admin.AdminSite):
    site_header = "社区服务信息系统 · 系统配置"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request)

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, AuditingMixin):
            admin_class = type(f"Audited{admin_class.__name__}", (AuditingMixin, admin_class), {"__module__": admin_class.__module__})
        super().register(model_or_iterable, admin_class, **options)


class ConfigAdmin(admin.ModelAdmin):
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
