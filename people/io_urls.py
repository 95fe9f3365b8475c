"""Excel import/export routes (owned by the register's import/export work)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
