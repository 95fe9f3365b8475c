"""Excel import/export routes (owned by the register's import/export work)."""

from django.urls import URLPattern, path

from people import views_io

urlpatterns: list[URLPattern] = [
    path("import/", views_io.import_start, name="import"),
    path("import/template.xlsx", views_io.template_download, name="import-template"),
    path("export/", views_io.export_start, name="export"),
    path("jobs/", views_io.job_list, name="jobs"),
    path("jobs/<int:pk>/", views_io.job_detail, name="job"),
    path("jobs/<int:pk>/progress/", views_io.job_progress, name="job-progress"),
    path("jobs/<int:pk>/result.xlsx", views_io.job_result, name="job-result"),
    path("jobs/<int:pk>/errors.xlsx", views_io.job_error_report, name="job-errors"),
]
