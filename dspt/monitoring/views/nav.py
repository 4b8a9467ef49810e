"""The monitoring sub-navigation, by remit."""

from django.urls import reverse

from dspt.monitoring.access import Remit


def subnav(remit: Remit) -> list[tuple[str, str]]:
    """Links to the pages this person may use, in the order they are usually needed: the
    national programme's pages among everyone's, LSO work for LSOs too, the watchlist first
    for a commissioner."""
    r, national = reverse, remit.national
    links = [
        (r("monitoring:dashboard"), "Dashboard" if national else "Area dashboard"),
        (r("monitoring:breakdowns"), "Breakdowns"),
        (r("monitoring:at_dates"), "Several dates"),
        (r("monitoring:series"), "Monthly series"),
        (r("monitoring:change"), "Year-on-year change"),
    ]
    if national:
        links += [
            (r("monitoring:targets"), "Targets"),
            (r("monitoring:targeting"), "Targeting lists"),
        ]
    links += [
        (r("monitoring:new_locations"), "New locations"),
        (r("monitoring:map", args=["local_authority"]), "Maps"),
        (r("monitoring:locations"), "Locations"),
        (r("monitoring:region_month"), "Region by local authority"),
    ]
    if national:
        links += [
            (r("monitoring:vfm"), "Value for money"),
            (r("monitoring:report"), "Monthly report"),
        ]
    if national or remit.lso_code:
        links += [
            (r("support:home"), "LSO work"),
            (r("support:compare"), "Compare LSOs"),
            (r("support:activity_periods"), "LSO activity"),
        ]
    if remit.commissioner_id and not national:
        links = [(r("monitoring:watchlist"), "Watchlist"), *links]
    return [*links, (r("accounts:tokens"), "API tokens")]
