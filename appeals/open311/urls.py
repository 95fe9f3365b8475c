"""Open311 GeoReport v2, mounted at /open311/v2/ by shequ/urls.py."""

from django.urls import path

from appeals.open311 import views

urlpatterns = [
    path("discovery.<str:fmt>", views.discovery, name="open311-discovery"),
    path("services.<str:fmt>", views.services_list, name="open311-services"),
    path("services/<str:code>.<str:fmt>", views.service_definition, name="open311-service"),
    path("requests.<str:fmt>", views.requests_endpoint, name="open311-requests"),
    path("requests/<str:request_id>.<str:fmt>", views.request_detail, name="open311-request"),
    path("tokens/<str:token>.<str:fmt>", views.token_detail, name="open311-token"),
]
