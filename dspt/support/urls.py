from django.urls import path

from dspt.support import views, views_edit, views_records

app_name = "support"
urlpatterns = [
    path("", views.home, name="home"),
    path("work/<str:kind>/", views.work_list, name="work_list"),
    path("activity/", views_records.activity, name="activity"),
    path("activity/periods/", views.activity_periods, name="activity_periods"),
    path("engagements/", views_records.engagements, name="engagements"),
    path("engagements/<int:pk>/", views_edit.engagement_edit, name="engagement_edit"),
    path("engagements/<int:pk>/delete/", views_edit.engagement_delete, name="engagement_delete"),
    path("activity/<int:pk>/", views_edit.activity_edit, name="activity_edit"),
    path("activity/<int:pk>/delete/", views_edit.activity_delete, name="activity_delete"),
    path("outcomes/", views.outcome_measure, name="outcomes"),
    path("compare/", views.compare, name="compare"),
]
