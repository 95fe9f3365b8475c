from django.urls import path

from safety import views

app_name = "safety"
urlpatterns = [
    path("", views.index, name="index"),
    path("readiness/<str:code>/", views.readiness, name="readiness"),
    path("readiness/<str:code>/export.xlsx", views.readiness_export, name="readiness-export"),
    path("plans/<str:code>/", views.plan, name="plan"),
    path("plans/<str:code>/edit/", views.plan_edit, name="plan-edit"),
    path("plans/<str:code>/roles/", views.plan_role, name="plan-role"),
    path("plans/<str:code>/needs/", views.plan_need, name="plan-need"),
    path("plans/<str:code>/assets/", views.plan_asset, name="plan-asset"),
    path("warnings/", views.warning_list, name="warnings"),
    path("warnings/new/", views.warning_new, name="warning-new"),
    path("warnings/<int:pk>/", views.warning_detail, name="warning"),
    path("warnings/<int:pk>/escalate/", views.warning_escalate, name="warning-escalate"),
    path("calls/", views.calls, name="calls"),
    path("calls/<int:pk>/done/", views.call_done, name="call-done"),
    path("broadcast/", views.broadcast, name="broadcast"),
    path("places/", views.places, name="places"),
    path("places/<int:pk>/", views.place_detail, name="place"),
    path("inspections/<int:pk>/corrected/", views.inspection_corrected, name="inspection-corrected"),
    path("police/", views.police, name="police"),
    path("help/", views.help_list, name="help"),
    path("help/figures/", views.help_figures, name="help-figures"),
    path("help/<int:pk>/", views.help_detail, name="help-plan"),
    path("help/<int:pk>/contact/", views.help_contact, name="help-contact"),
]
