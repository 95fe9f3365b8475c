OPEN_ROUTES = {
    "healthz": "liveness probe: {'status': 'ok'}, reads nothing",
    "readyz": "readiness probe: names failed checks (database, migrations, worker heartbeat, disk), no place data",
}
