from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ops import health


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and answers: no database, no disk."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: 200 when every check passes, 503 naming each failed check."""
    failed = health.failures()
    checks = {name: (failed.get(name) or "ok") for name in health.CHECKS}
    return JsonResponse({"status": "fail" if failed else "ok", "checks": checks}, status=503 if failed else 200)
