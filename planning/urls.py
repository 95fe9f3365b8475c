from django.urls import path

from planning import views

app_name = "planning"
urlpatterns = [
    path("", views.home, name="home"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:number>/period/", views.set_report_period, name="task-period"),
    path("units/<str:code>/", views.dashboard, name="dashboard"),
    path("units/<str:code>/indicators/<str:indicator>/", views.indicator_detail, name="indicator"),
    path("units/<str:code>/manual/", views.manual_value, name="manual"),
    path("units/<str:code>/evaluation.pdf", views.evaluation_pdf, name="evaluation-pdf"),
    path("units/<str:code>/evaluation.xlsx", views.evaluation_xlsx, name="evaluation-xlsx"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export.xlsx", views.ledger_export, name="ledger-export"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("assignments/<int:pk>/report/", views.submit_report, name="submit-report"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/review/", views.review_report, name="review"),
    path("reviews/", views.reviews, name="reviews"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
]
