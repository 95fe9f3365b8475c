from django.urls import path

from activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_list, name="activities"),
    path("new/", views.activity_add, name="activity-add"),
    path("<int:pk>/", views.activity_detail, name="activity"),
    path("<int:pk>/signup/", views.activity_signup, name="signup"),
    path("<int:pk>/code/", views.activity_code, name="activity-code"),
    path("<int:pk>/attendance/", views.activity_attendance, name="attendance"),
    path("<int:pk>/photos/", views.activity_photo, name="activity-photo"),
    path("<int:pk>/archive/", views.activity_archive, name="activity-archive"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("participations/<int:pk>/cancel/", views.participation_cancel, name="cancel"),
    path("participations/<int:pk>/rate/", views.participation_rate, name="rate"),
    path("checkin/", views.checkin, name="checkin"),
    path("me/", views.me, name="me"),
    path("figures/", views.figures, name="figures"),
    path("actions/<int:number>/", views.action_evidence, name="evidence"),
    path("projects/", views.project_list, name="projects"),
    path("projects/programme/", views.programme, name="programme"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/funding/", views.project_funding, name="project-funding"),
    path("projects/<int:pk>/milestone/", views.project_milestone, name="project-milestone"),
    path("projects/<int:pk>/inspect/", views.project_inspect, name="project-inspect"),
    path("projects/<int:pk>/complete/", views.project_complete, name="project-complete"),
    path("projects/<int:pk>/archive/", views.project_archive, name="project-archive"),
    path("pilots/", views.pilot_list, name="pilots"),
    path("pilots/<int:pk>/evaluate/", views.pilot_evaluate, name="pilot-evaluate"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("tasks/<int:pk>/done/", views.task_done, name="task-done"),
    path("archive/", views.archive_list, name="archive"),
    path("archive/export/", views.archive_export, name="archive-export"),
    path("archive/<int:pk>/file/", views.archive_file, name="archive-file"),
    path("archive/<int:pk>/destroy/", views.archive_destroy, name="archive-destroy"),
]
