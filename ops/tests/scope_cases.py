OPEN_ROUTES = {
    "healthz": "liveness probe: {'status': 'ok'}, reads nothing",
    "readyz": "readiness probe: names failed checks (database, migrations, worker heartbeat, disk), no place data",
    "metrics": "Prometheus metrics: counts and timings per route name and task queue, no place data; "
               "only for METRICS_ALLOWED_IPS or METRICS_TOKEN",
}
