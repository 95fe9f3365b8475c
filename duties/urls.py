from django.urls import path

from duties import views

app_name = "duties"
urlpatterns = [
    path("", views.task_list, name="tasks"),
    path("tasks/new/", views.task_new, name="task-new"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/object/", views.task_object, name="task-object"),
    path("tasks/<int:pk>/answer/", views.task_answer, name="task-answer"),
    path("list/", views.work_list, name="list"),
    path("list/publish/", views.publish, name="publish"),
    path("admissions/", views.admission_list, name="admissions"),
    path("admissions/<int:pk>/", views.admission_detail, name="admission"),
    path("report/", views.report, name="report"),
    path("certificates/", views.certificate_list, name="certificates"),
    path("certificates/items/", views.certificate_items, name="certificate-items"),
    path("certificates/new/", views.certificate_new, name="certificate-new"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate-pdf"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:pk>/", views.catalogue_item, name="catalogue-item"),
    path("catalogue/<int:pk>/proxy/", views.proxy_new, name="proxy-new"),
    path("proxy/", views.proxy_list, name="proxies"),
    path("proxy/<int:pk>/", views.proxy_detail, name="proxy"),
    path("proxy/materials/<int:pk>/", views.proxy_material, name="proxy-material"),
    path("mine/", views.mine, name="mine"),
    path("assessments/", views.assessment_list, name="assessments"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
]
