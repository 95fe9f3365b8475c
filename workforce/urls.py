from django.urls import path

from workforce import views
from workforce import views_elections as ve

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
    path("units/<str:code>/elections/", ve.election_list, name="elections"),
    path("elections/<int:pk>/", ve.election_detail, name="election"),
    path("elections/<int:pk>/candidates/", ve.candidate_add, name="candidate-add"),
    path("elections/<int:pk>/send/", ve.election_send, name="election-send"),
    path("elections/<int:pk>/results/", ve.election_results, name="election-results"),
    path("candidates/<int:pk>/confirm/", ve.candidate_confirm, name="candidate-confirm"),
    path("units/<str:code>/reviews/", ve.review_matrix, name="review-matrix"),
    path("units/<str:code>/reviews/export/", ve.review_matrix_export, name="review-matrix-export"),
    path("reviews/", ve.review_inbox, name="reviews"),
    path("reviews/<int:pk>/answer/", ve.review_answer, name="review-answer"),
    path("units/<str:code>/filings/", ve.filing_list, name="filings"),
    path("workers/<int:pk>/filing/", ve.filing_add, name="filing-add"),
    path("units/<str:code>/reserve/", ve.reserve_list, name="reserve"),
    path("reserve/<int:pk>/leave/", ve.reserve_leave, name="reserve-leave"),
    path("units/<str:code>/monitor/", ve.training_monitor, name="monitor"),
    path("workers/<int:pk>/exams/", ve.exam_add, name="exam-add"),
]
