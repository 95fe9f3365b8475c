from django.urls import path

from facilities import views

app_name = "facilities"
urlpatterns = [
    path("", views.facility_list, name="list"),
    path("export/", views.facility_export, name="export"),
    path("new/", views.facility_create, name="create"),
    path("<int:pk>/", views.facility_detail, name="detail"),
    path("<int:pk>/edit/", views.facility_edit, name="edit"),
    path("<int:pk>/photos/", views.photo_add, name="photo-add"),
    path("photos/<int:pk>/", views.photo_file, name="photo-file"),
    path("photos/<int:pk>/delete/", views.photo_delete, name="photo-delete"),
    path("import/", views.import_page, name="import"),
    path("templates/<str:which>/", views.import_template, name="template"),
    path("points/", views.point_list, name="points"),
    path("points/export/", views.point_export, name="point-export"),
    path("points/new/", views.point_create, name="point-create"),
    path("points/<int:pk>/", views.point_detail, name="point"),
    path("points/<int:pk>/edit/", views.point_edit, name="point-edit"),
    path("units/<str:code>/", views.unit_overview, name="unit"),
    path("units/<str:code>/profile/", views.profile_edit, name="profile"),
    path("units/<str:code>/map/", views.unit_map, name="map"),
    path("spaces/", views.space_list, name="spaces"),
    path("spaces/new/", views.space_create, name="space-create"),
    path("spaces/<int:pk>/", views.space_detail, name="space"),
    path("bookings/", views.booking_list, name="bookings"),
    path("bookings/<int:pk>/", views.booking_detail, name="booking"),
    path("bookings/<int:pk>/approve/", views.booking_approve, name="booking-approve"),
    path("bookings/<int:pk>/reject/", views.booking_reject, name="booking-reject"),
    path("bookings/<int:pk>/cancel/", views.booking_cancel, name="booking-cancel"),
]
