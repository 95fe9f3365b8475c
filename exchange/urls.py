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
]
