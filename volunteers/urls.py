from django.urls import path

from volunteers import views

app_name = "volunteers"
urlpatterns = [
    path("", views.volunteer_list, name="volunteers"),
    path("new/", views.volunteer_add, name="volunteer-add"),
    path("people/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("people/<int:pk>/certificate/", views.certificate, name="certificate"),
    path("teams/", views.team_list, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("points/", views.point_list, name="points"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/new/", views.activity_add, name="activity-add"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/code/", views.activity_code, name="activity-code"),
    path("activities/<int:pk>/signup/", views.activity_signup, name="signup"),
    path("signups/<int:pk>/cancel/", views.signup_cancel, name="signup-cancel"),
    path("signups/<int:pk>/by-hand/", views.signup_by_hand, name="signup-by-hand"),
    path("records/<int:pk>/confirm/", views.record_confirm, name="record-confirm"),
    path("register/", views.register, name="register"),
    path("me/", views.me, name="me"),
    path("checkin/", views.checkin, name="checkin"),
    path("party/", views.party_members, name="party"),
    path("party/reports/<int:pk>/confirm/", views.party_report_confirm, name="party-confirm"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/<str:figure>.xlsx", views.dashboard_export, name="dashboard-export"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("people/<int:pk>/time-bank/", views.time_bank, name="time-bank"),
]
