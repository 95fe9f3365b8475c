"""System administrator's configuration: categories and their deadlines, the working calendar, Open311 clients."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.admin import ConfigAdmin
from appeals import services, workcal
from appeals.models import ApiClient, CalendarDay, Category


@admin.register(Category)
class CategoryAdmin(ConfigAdmin):
    list_display = ["code", "name", "lead_department_name", "urgent", "accept_hours", "contact_hours", "reply_days",
                    "urgent_hours", "active"]
    list_editable = ["urgent", "accept_hours", "contact_hours", "reply_days", "urgent_hours", "active"]
    readonly_fields = ["code"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the 20 codes are the city's taxonomy (and the Open311 service codes)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(ConfigAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        workcal.clear_cache()

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        super().delete_model(request, obj)
        workcal.clear_cache()


@admin.register(ApiClient)
class ApiClientAdmin(ConfigAdmin):
    list_display = ["name", "key_hint", "contact", "created_at", "revoked_at"]
    readonly_fields = ["key_hint", "created_at", "revoked_at"]
    fields = ["name", "contact", "key_hint", "created_at", "revoked_at"]
    actions = ["revoke"]

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        client, raw = services.issue_api_client(actor=request.user, name=obj.name, contact=obj.contact)
        obj.pk, obj.key_hash, obj.key_hint = client.pk, client.key_hash, client.key_hint
        obj._state.adding = False
        messages.warning(request, f"Open311 api_key（只显示这一次，请妥善交给对方）：{raw}")

    @admin.action(description="吊销所选客户端的 api_key")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset.filter(revoked_at__isnull=True):
            services.revoke_api_client(actor=request.user, client=client)
        messages.success(request, "已吊销。")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
