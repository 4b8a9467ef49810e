"""The monitoring sub-navigation, by remit."""

from django.urls import reverse

from dspt.monitoring.access import Remit


def subnav(remit: Remit) -> list[tuple[str, str]]:
    """Links to the pages this person may use, in the order they are usually needed."""
    r = reverse
    if remit.national:
        return [
            (r("monitoring:dashboard"), "Dashboard"),
            (r("monitoring:breakdowns"), "Breakdowns"),
            (r("monitoring:at_dates"), "Several dates"),
            (r("monitoring:series"), "Monthly series"),
            (r("monitoring:change"), "Year-on-year change"),
            (r("monitoring:targets"), "Targets"),
            (r("monitoring:targeting"), "Targeting lists"),
            (r("monitoring:new_locations"), "New locations"),
            (r("monitoring:map", args=["local_authority"]), "Maps"),
            (r("monitoring:locations"), "Locations"),
            (r("monitoring:region_month"), "Region by local authority"),
            (r("monitoring:vfm"), "Value for money"),
            (r("monitoring:report"), "Monthly report"),
            (r("support:home"), "LSO work"),
            (r("support:compare"), "Compare LSOs"),
            (r("support:activity_periods"), "LSO activity"),
            (r("accounts:tokens"), "API tokens"),
        ]
    links = [
        (r("monitoring:dashboard"), "Area dashboard"),
        (r("monitoring:breakdowns"), "Breakdowns"),
        (r("monitoring:at_dates"), "Several dates"),
        (r("monitoring:series"), "Monthly series"),
        (r("monitoring:change"), "Year-on-year change"),
        (r("monitoring:new_locations"), "New locations"),
        (r("monitoring:map", args=["local_authority"]), "Maps"),
        (r("monitoring:locations"), "Locations"),
        (r("monitoring:region_month"), "Region by local authority"),
    ]
    if remit.lso_code:
        links += [
            (r("support:home"), "LSO work"),
            (r("support:compare"), "Compare LSOs"),
            (r("support:activity_periods"), "LSO activity"),
        ]
    if remit.commissioner_id:
        links = [(r("monitoring:watchlist"), "Watchlist"), *links]
    return [*links, (r("accounts:tokens"), "API tokens")]
