from django.urls import path

from workforce import views

app_name = "workforce"
urlpatterns = [
    path("", views.index, name="index"),
    path("units/<str:code>/", views.worker_list, name="workers"),
    path("units/<str:code>/new/", views.worker_add, name="worker-add"),
    path("units/<str:code>/import/", views.worker_import, name="import"),
    path("units/<str:code>/export/", views.worker_export, name="export"),
    path("import/template/", views.import_template, name="import-template"),
    path("import/report/", views.import_report, name="import-report"),
    path("units/<str:code>/summary/", views.summary, name="summary"),
    path("workers/<int:pk>/", views.worker_detail, name="worker"),
    path("workers/<int:pk>/edit/", views.worker_edit, name="worker-edit"),
    path("workers/<int:pk>/end/", views.worker_end, name="worker-end"),
    path("trainings/", views.training_list, name="trainings"),
    path("trainings/new/", views.training_add, name="training-add"),
    path("trainings/<int:pk>/", views.training_detail, name="training"),
    path("trainings/<int:pk>/attendance/", views.record_attendance, name="attendance"),
]
