from django.urls import path

from dspt.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read/", views.read, name="read_all"),
    path("<int:note_id>/read/", views.read, name="read"),
]
