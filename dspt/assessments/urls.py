"""Assessment pages, mounted at /assessments/."""

from django.urls import path

from dspt.assessments import views, views_caf, views_publish

app_name = "assessments"
urlpatterns = [
    path("<str:ods_code>/", views.overview, name="overview"),
    path("<str:ods_code>/start/", views.start, name="start"),
    path("<str:ods_code>/caf/", views_caf.overview, name="caf_overview"),
    path("<str:ods_code>/caf/start/", views_caf.start, name="caf_start"),
    path("<str:ods_code>/caf/publish/", views_caf.publish, name="caf_publish"),
    path("<str:ods_code>/caf/outcomes/<str:outcome_id>/", views_caf.outcome, name="caf_outcome"),
    path("<str:ods_code>/standards/<int:number>/", views.standard, name="standard"),
    path("<str:ods_code>/profile/", views_publish.profile, name="profile"),
    path("<str:ods_code>/action-plan/", views_publish.action_plan, name="action_plan"),
    path("<str:ods_code>/publish/", views_publish.publish, name="publish"),
    path("<str:ods_code>/published/", views_publish.published, name="published"),
    path("<str:ods_code>/documents/<int:document_id>/", views_publish.document, name="document"),
    path(
        "<str:ods_code>/documents/<int:document_id>/remove/",
        views_publish.remove_document,
        name="remove_document",
    ),
]
