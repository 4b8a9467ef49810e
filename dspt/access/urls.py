from django.urls import path

from dspt.access import views

app_name = "access"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("centre/", views.queue, name="queue"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/amend/", views.amend, name="amend"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/decide/", views.decide, name="decide"),
]
