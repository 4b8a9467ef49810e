from django.urls import path

from dspt.cld import views, views_health, views_releases

app_name = "cld"
urlpatterns = [
    path("", views.home, name="home"),
    path("upload/", views.upload, name="upload"),
    path("specification/", views.specification, name="specification_latest"),
    path("specification/<slug:version>/", views.specification, name="specification"),
    path("timetable/", views.timetable, name="timetable"),
    path("submissions/<int:pk>/", views.submission, name="submission"),
    path("submissions/<int:pk>/progress.json", views.submission_progress, name="progress"),
    path("submissions/<int:pk>/errors.csv", views.submission_errors, name="submission_errors"),
    path(
        "submissions/<int:pk>/trace-results.csv",
        views.submission_trace_results,
        name="trace_results",
    ),
    path("submissions/<int:pk>/process/", views.submission_process, name="process"),
    path("centre/", views.centre, name="centre"),
    path("centre/participation/", views.participation, name="participation"),
    path("centre/participation/<int:pk>/", views.participation_edit, name="participation_edit"),
    path("centre/agreements/", views.agreement_create, name="agreement_create"),
    path("centre/agreements/<int:pk>/toggle/", views.agreement_toggle, name="agreement_toggle"),
    path("centre/health/", views_health.health_datasets, name="health_datasets"),
    path("centre/health/<int:pk>/", views_health.health_dataset, name="health_dataset"),
    path(
        "centre/health/<int:pk>/errors.csv",
        views_health.health_dataset_errors,
        name="health_dataset_errors",
    ),
    path(
        "centre/participation/<int:la_pk>/notices/new/", views_health.notice_new, name="notice_new"
    ),
    path("notices/", views_health.notices, name="notices"),
    path("notices/<int:pk>/edit/", views_health.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/document/", views_health.notice_document, name="notice_document"),
    path("centre/releases/", views_releases.release_create, name="release_create"),
    path("centre/releases/new/", views_releases.release_new, name="release_new"),
    path("releases/", views_releases.releases, name="releases"),
    path("releases/<int:pk>/", views_releases.release_detail, name="release"),
    path(
        "releases/<int:pk>/<slug:what>/", views_releases.release_download, name="release_download"
    ),
]
