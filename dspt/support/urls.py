from django.urls import path

from dspt.support import views, views_records

app_name = "support"
urlpatterns = [
    path("", views.home, name="home"),
    path("work/<str:kind>/", views.work_list, name="work_list"),
    path("activity/", views_records.activity, name="activity"),
    path("engagements/", views_records.engagements, name="engagements"),
    path("outcomes/", views.outcome_measure, name="outcomes"),
    path("compare/", views.compare, name="compare"),
]
