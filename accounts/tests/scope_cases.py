OPEN_ROUTES = {
    "accounts/login/": "sign-in form",
    "accounts/logout/": "sign-out",
    "accounts/keepalive/": "resets the caller's own idle clock",
    "accounts/session/": "the caller's own session time left",
    "accounts/manage/": "security administrator only (accounts/tests/test_admin_posts.py)",
    "accounts/manage/<int:user_id>/<slug:action>/": "security administrator only (accounts/tests/test_admin_posts.py)",
    "accounts/audit/": "auditor only (accounts/tests/test_admin_posts.py)",
    "api/auth/token": "exchanges the caller's own credentials for a token",
    "api/auth/me": "the caller's own account",
}
