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
    path("audit/", views.audit_log, name="audit"),
]
