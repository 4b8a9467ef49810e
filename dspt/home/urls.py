"""Each person's home page, mounted at /home/."""

from django.urls import path

from dspt.home import views

app_name = "home"
urlpatterns = [path("", views.home, name="home")]
