"""Plan pages: /plans/review/… for reviewers, /plans/<ods_code>/… for the organisation."""

from django.urls import path

from dspt.improvement_plans import views, views_review

app_name = "improvement_plans"
urlpatterns = [
    path("review/", views_review.queue, name="queue"),
    path("review/<int:plan_id>/", views_review.review, name="review"),
    path("review/<int:plan_id>/compare/", views_review.compare, name="compare"),
    path("review/<int:plan_id>/decide/", views_review.decide, name="decide"),
    path("escalations/", views_review.escalations, name="escalations"),
    path("notifications/", views_review.notifications, name="notifications"),
    path("<str:ods_code>/", views.plan_home, name="plan"),
    path(
        "<str:ods_code>/template.xlsx",
        views.template_download,
        {"fmt": "xlsx"},
        name="template_xlsx",
    ),
    path(
        "<str:ods_code>/template.csv", views.template_download, {"fmt": "csv"}, name="template_csv"
    ),
    path(
        "<str:ods_code>/action-plan-template.xlsx",
        views.action_plan_template,
        {"fmt": "xlsx"},
        name="action_plan_xlsx",
    ),
    path(
        "<str:ods_code>/action-plan-template.csv",
        views.action_plan_template,
        {"fmt": "csv"},
        name="action_plan_csv",
    ),
    path("<str:ods_code>/upload/", views.upload, name="upload"),
    path("<str:ods_code>/fill/", views.fill, name="fill"),
    path("<str:ods_code>/actions/<int:index>/", views.row_update, name="row_update"),
    path("<str:ods_code>/updates/", views.update, name="update"),
    path("<str:ods_code>/versions/<int:number>/file", views.version_file, name="version_file"),
]
