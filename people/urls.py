from django.urls import path

from people import views
from people.io_urls import urlpatterns as io_urlpatterns

app_name = "people"
urlpatterns = [
    path("residents/", views.resident_list, name="residents"),
    path("residents/new/", views.resident_create, name="resident-create"),
    path("residents/move-in/", views.resident_move_in, name="resident-move-in"),
    path("residents/<int:pk>/", views.resident_detail, name="resident"),
    path("residents/<int:pk>/edit/", views.resident_edit, name="resident-edit"),
    path("residents/<int:pk>/reveal/", views.resident_reveal, name="resident-reveal"),
    path("residents/<int:pk>/move/", views.resident_move, name="resident-move"),
    path("residents/<int:pk>/status/", views.resident_status, name="resident-status"),
    path("households/", views.household_list, name="households"),
    path("households/new/", views.household_create, name="household-create"),
    path("households/<int:pk>/", views.household_detail, name="household"),
    path("households/<int:pk>/edit/", views.household_edit, name="household-edit"),
    path("moves/", views.moves, name="moves"),
    path("rights/", views.rights, name="rights"),
    path("rights/<int:user_id>/", views.rights_update, name="rights-update"),
    *io_urlpatterns,
]
