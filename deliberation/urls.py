from django.urls import path

from deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("", views.topic_list, name="topics"),
    path("new/", views.topic_new, name="topic-new"),
    path("from-requests/", views.from_requests, name="from-requests"),
    path("topics/<int:pk>/", views.topic_detail, name="topic"),
    path("topics/<int:pk>/print/", views.topic_print, name="topic-print"),
    path("topics/<int:pk>/act/", views.topic_act, name="topic-act"),
    path("topics/<int:pk>/support/", views.topic_support, name="support"),
    path("topics/<int:pk>/object/", views.topic_object, name="object"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection-answer"),
    path("public/<str:token>/", views.publicity_page, name="publicity"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/code/", views.meeting_code, name="meeting-code"),
    path("meetings/<int:pk>/act/", views.meeting_act, name="meeting-act"),
    path("meetings/<int:pk>/minutes/", views.minutes_correct, name="minutes-correct"),
    path("motions/<int:pk>/ballot/", views.ballot, name="ballot"),
    path("checkin/", views.checkin, name="checkin"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/act/", views.project_act, name="project-act"),
    path("lists/", views.lists, name="lists"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("surveys/", views.survey_list, name="surveys"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey"),
    path("surveys/<int:pk>/act/", views.survey_act, name="survey-act"),
    path("surveys/<int:pk>/export/", views.survey_export, name="survey-export"),
]
