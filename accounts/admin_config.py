"""django.contrib.admin with accounts.admin.AuditedAdminSite as Django's default site (every admin change audited).

Its own module: in accounts/apps.py a second AppConfig would compete with AccountsConfig.
"""

from django.contrib.admin.apps import AdminConfig


class AuditedAdminConfig(AdminConfig):
    default_site = "accounts.admin.AuditedAdminSite"
