from django.urls import path

from care import views

app_name = "care"
urlpatterns = [
    path("", views.home, name="home"),
    path("my/", views.my_visits, name="my"),
    path("residents/<int:resident_id>/", views.resident_history, name="resident"),
    path("residents/<int:resident_id>/visit/", views.visit_form, name="visit-new"),
    path("residents/<int:resident_id>/opt-in/", views.resident_opt_in, name="resident-opt-in"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("visits/<int:pk>/photos/<int:photo_id>/", views.visit_photo, name="photo"),
    path("visits/<int:pk>/refer/", views.refer, name="refer"),
    path("due/<int:pk>/assign/", views.assign, name="assign"),
    path("compliance/<str:code>/", views.compliance, name="compliance"),
    path("compliance/<str:code>/pending/", views.pending, name="pending"),
    path("compliance/<str:code>/export.xlsx", views.compliance_export, name="export"),
    path("rules/", views.rules, name="rules"),
    path("emergency/<str:code>/", views.readiness, name="readiness"),
    path("emergency/<str:code>/export.xlsx", views.readiness_export, name="readiness-export"),
    path("emergency/<str:code>/officers/new/", views.officer_new, name="officer-new"),
    path("officers/<int:pk>/end/", views.officer_end, name="officer-end"),
    path("emergency/<str:code>/shelters/new/", views.shelter_new, name="shelter-new"),
    path("emergency/<str:code>/drills/new/", views.drill_new, name="drill-new"),
    path("notices/", views.notices, name="notices"),
    path("notices/new/", views.notice_new, name="notice-new"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/rates/", views.notice_rates, name="notice-rates"),
    path("notices/<int:pk>/resend/", views.notice_resend, name="notice-resend"),
    path("ack/<str:token>/", views.acknowledge, name="ack"),
    path("opt-in/", views.opt_in, name="opt-in"),
]
