from django.urls import path

from web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("elder-mode/", views.toggle_elder_mode, name="elder-mode"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
]
