from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("keepalive/", views.keepalive, name="keepalive"),
    path("session/", views.session_status, name="session"),
    path("manage/", views.manage_users, name="manage"),
    path("manage/<int:user_id>/<slug:action>/", views.manage_user_action, name="manage-action"),
    path("changes/", views.changes, name="changes"),
    path("changes/<int:change_id>/<slug:decision>/", views.change_decide, name="change-decide"),
    path("rights/", views.right_requests, name="rights"),
    path("rights/<int:grant_id>/<slug:decision>/", views.right_decide, name="right-decide"),
    path("password/", views.password_change, name="password"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token-revoke"),
    path("audit/", views.audit_log, name="audit"),
    path("audit/verify/", views.audit_verify, name="audit-verify"),
]
