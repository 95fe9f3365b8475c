from django.urls import path

from places import views

app_name = "places"
urlpatterns = [
    path("<str:code>/", views.unit_detail, name="unit"),
    path("<str:code>/children/", views.unit_children_partial, name="children"),
    path("<str:code>/bodies/", views.edit_bodies, name="bodies"),
]
