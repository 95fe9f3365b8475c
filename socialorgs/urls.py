from django.urls import path

from socialorgs import views

app_name = "socialorgs"
urlpatterns = [
    path("", views.org_list, name="orgs"),
    path("new/", views.org_add, name="org-add"),
    path("orgs/<int:pk>/", views.org_detail, name="org"),
    path("export.xlsx", views.org_export, name="org-export"),
    path("public/", views.public_orgs, name="public"),
    path("filings/", views.filing_list, name="filings"),
    path("filings/<int:pk>/", views.filing_detail, name="filing"),
    path("bases/", views.base_list, name="bases"),
    path("bases/<int:pk>/", views.base_detail, name="base"),
    path("social-work/", views.social_work, name="social-work"),
    path("cases/new/", views.case_add, name="case-add"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("purchases/", views.purchase_list, name="purchases"),
    path("purchases/export.xlsx", views.purchase_export, name="purchase-export"),
    path("purchases/<int:pk>/", views.purchase_detail, name="purchase"),
    path("public/purchases/<int:pk>/", views.purchase_public, name="purchase-public"),
    path("charity/", views.donation_list, name="donations"),
    path("charity/<int:pk>/", views.donation_detail, name="donation"),
    path("charity/<int:pk>/receipt.pdf", views.donation_receipt, name="receipt"),
    path("public/charity/<str:code>/", views.charity_public, name="charity-public"),
    path("units/<str:code>/", views.forces, name="forces"),
]
