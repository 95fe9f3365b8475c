"""The JSON API: /api/, OpenAPI at /api/docs. Token or session auth, the same scoping as the pages."""

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.conf import settings
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer
from ninja.security import django_auth

from accounts.api import TokenAuth
from accounts.api import router as auth_router
from places.api import router as units_router
from shequ import apierrors


class ChineseJSONRenderer(JSONRenderer):
    """UTF-8 JSON: Chinese names stay readable instead of \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


class ShequAPI(NinjaAPI):
    """The API whose schema declares the error answers of every operation (shequ.apierrors)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        apierrors.document_errors(schema)
        return schema


api = ShequAPI(
    renderer=ChineseJSONRenderer(),
    title="Shequ 社区服务信息系统 API",
    version="1",
    description="衡水市城乡社区服务信息系统。除区划树与规划任务等公开信息外，均需登录（Bearer 令牌或会话）。",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)
apierrors.install(api)
api.add_router("/auth", auth_router)
api.add_router("/units", units_router)

# Each domain app that has an api.py mounts its router here.
DOMAIN_API_PREFIXES = {
    "people": "/people",
    "facilities": "/facilities",
    "appeals": "/appeals",
    "care": "/care",
    "workforce": "/workforce",
    "exchange": "/exchange",
    "planning": "/plan",
    "volunteers": "/volunteers",
    "duties": "/duties",
    "activities": "/activities",
    "deliberation": "/deliberation",
    "socialorgs": "/socialorgs",
    "safety": "/safety",
}
for app, prefix in DOMAIN_API_PREFIXES.items():
    if app in settings.INSTALLED_APPS and find_spec(f"{app}.api") is not None:
        api.add_router(prefix, import_module(f"{app}.api").router)
