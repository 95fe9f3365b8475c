from django.urls import path

from exchange import views

app_name = "exchange"
urlpatterns = [
    path("", views.index, name="index"),
    path("datasets/<slug:code>/", views.dataset_detail, name="dataset"),
    path("datasets/<slug:code>/upload/", views.upload, name="upload"),
    path("datasets/<slug:code>/template/", views.template, name="template"),
    path("batches/<int:pk>/", views.batch_detail, name="batch"),
    path("batches/<int:pk>/errors/", views.batch_errors, name="batch-errors"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:pk>/approve/", views.agreement_approve, name="agreement-approve"),
    path("agreements/<int:pk>/revoke/", views.agreement_revoke, name="agreement-revoke"),
]
