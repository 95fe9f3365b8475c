OPEN_ROUTES = {
    "": "home page: shows only the signed-in user's own unit",
    "elder-mode/": "toggles a display preference",
    "accessibility/": "static help page",
    "api/": "API root (no data)",
    "api/docs": "OpenAPI documentation",
    "api/openapi.json": "OpenAPI schema",
}
