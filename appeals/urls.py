from django.urls import path

from appeals import views

app_name = "appeals"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.file_new, name="new"),
    path("suggest/", views.suggest, name="suggest"),
    path("communities/", views.communities, name="communities"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("track/", views.track, name="track"),
    path("track/rate/", views.track_rate, name="track-rate"),
    path("mine/", views.mine, name="mine"),
    path("mine/<str:tracking_no>/", views.mine_detail, name="mine-detail"),
    path("mine/<str:tracking_no>/rate/", views.mine_rate, name="mine-rate"),
    path("intake/", views.intake, name="intake"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", views.export, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<str:action>/", views.act, name="act"),
    path("extensions/<int:pk>/decide/", views.decide_extension, name="extension-decide"),
    path("rectifications/<int:pk>/callback/", views.callback, name="callback"),
    path("contests/<int:pk>/decide/", views.decide_contest, name="contest-decide"),
    path("assists/<int:pk>/reply/", views.assist_reply, name="assist-reply"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
