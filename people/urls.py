from people.io_urls import urlpatterns as io_urlpatterns

app_name = "people"
urlpatterns = [
    *io_urlpatterns,
]
