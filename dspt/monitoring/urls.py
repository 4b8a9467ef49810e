from django.urls import path

from dspt.monitoring.views import (
    at_dates,
    breakdown,
    dashboard,
    locations,
    maps,
    programme,
    report,
    vfm,
    watchlist,
)

app_name = "monitoring"
urlpatterns = [
    path("", dashboard.home, name="home"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("breakdowns/", breakdown.breakdown_page, name="breakdowns"),
    path("at-dates/", at_dates.at_dates_page, name="at_dates"),
    path("series/", programme.series, name="series"),
    path("change/", programme.change, name="change"),
    path("targets/", programme.targets, name="targets"),
    path("targeting/", programme.targeting, name="targeting"),
    path("new-locations/", programme.new_locations, name="new_locations"),
    path("map/<str:level>/", maps.area_map, name="map"),
    path("locations/", locations.locations, name="locations"),
    path("region-by-local-authority/", programme.region_month, name="region_month"),
    path("value-for-money/", vfm.value_for_money, name="vfm"),
    path("report/", report.report, name="report"),
    path("report.pdf", report.report_pdf, name="report_pdf"),
    path("watchlist/", watchlist.watchlist, name="watchlist"),
    path("watchlist/upload/", watchlist.upload, name="watchlist_upload"),
    path("watchlist/seen/", watchlist.seen, name="watchlist_seen"),
    path("alerts/", watchlist.notifications, name="notifications"),
]
