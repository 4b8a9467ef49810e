"""Independent assessment pages, mounted at /assurance/."""

from django.urls import path

from dspt.assurance import views, views_firms, views_oversight

app_name = "assurance"
urlpatterns = [
    path("reviews/", views.assessor_reviews, name="assessor_reviews"),
    path("reviews/<int:pk>/", views.review, name="review"),
    path(
        "reviews/<int:pk>/documents/<int:document_id>/",
        views.review_document,
        name="review_document",
    ),
    path("oversight/", views_oversight.page, name="oversight"),
    path("firms/", views_firms.page, name="firms"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/report.pdf", views.report_download_pdf, name="report_pdf"),
    path("reports/<int:pk>/report.xlsx", views.report_download_xlsx, name="report_xlsx"),
    path("<str:ods_code>/", views.organisation, name="organisation"),
    path("<str:ods_code>/reviews/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
