from django.urls import path

from dspt.frameworks import views

app_name = "frameworks"
urlpatterns = [
    path("deadlines/", views.deadlines, name="deadlines"),
]
