import prometheus_client
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ops import health
from ops import metrics as metrics_module


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


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus text format, for scrapers METRICS_ALLOWED_IPS or METRICS_TOKEN admit; 403 for anyone else."""
    if not metrics_module.allowed(request):
        return HttpResponse("禁止访问：指标仅对监控系统开放", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(metrics_module.exposition(), content_type=prometheus_client.CONTENT_TYPE_LATEST)
