from importlib.util import find_spec

from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from shequ.api import api

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("units/", include("places.urls")),
    path("", include("ops.urls")),
    path("", include("web.urls")),
]

# Each domain app that has a urls.py gets its own prefix.
DOMAIN_URL_PREFIXES = {
    "people": "people/",
    "facilities": "facilities/",
    "appeals": "appeals/",
    "care": "care/",
    "workforce": "workforce/",
    "exchange": "exchange/",
    "planning": "plan/",
    "volunteers": "volunteers/",
    "duties": "duties/",
    "activities": "activities/",
    "deliberation": "deliberation/",
    "socialorgs": "socialorgs/",
    "safety": "safety/",
}
for app, prefix in DOMAIN_URL_PREFIXES.items():
    if app in settings.INSTALLED_APPS and find_spec(f"{app}.urls") is not None:
        urlpatterns.insert(-1, path(prefix, include(f"{app}.urls")))
if "volunteers" in settings.INSTALLED_APPS:  # the public check of a volunteer service certificate (its QR)
    from volunteers.views import verify as verify_certificate

    urlpatterns.insert(-1, path("v/<str:code>/", verify_certificate, name="verify-certificate"))
if "duties" in settings.INSTALLED_APPS:  # the public check of a community certificate (its QR)
    from duties.views import verify as verify_duties_certificate

    urlpatterns.insert(-1, path("c/<str:code>/", verify_duties_certificate, name="verify-duties-certificate"))
if "appeals" in settings.INSTALLED_APPS and find_spec("appeals.open311.urls") is not None:
    urlpatterns.insert(-1, path("open311/v2/", include("appeals.open311.urls")))
# Media (photos, exports, uploads) is never served as public files, not even in demo mode:
# each module serves its files through a view that applies the scoping rule.
