from django.urls import path

from web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("elder-mode/", views.toggle_elder_mode, name="elder-mode"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
