from django.urls import path

from dspt.statuses import views

app_name = "statuses"
urlpatterns = [
    path("", views.search, name="search"),
    path("status/<str:ods_code>/", views.organisation_status, name="organisation"),
    path("about/", views.about, name="about"),
]
