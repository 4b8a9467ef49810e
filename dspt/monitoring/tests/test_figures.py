"""Compliance tables on the hand-built world (answers worked out in world.py's docstring)."""

from datetime import date

import pytest

from dspt.assessments.models import Level, Publication
from dspt.monitoring.figures import Scope, compliance_table, total
from dspt.monitoring.sql import BUCKETS

JUL_15 = date(2024, 7, 15)


def counts(row):
    """locations, compliant, then the seven status buckets in the row's order."""
    return tuple(row[k] for k in ("locations", "compliant", *BUCKETS))


def by_group(rows):
    return {r["group"]: counts(r) for r in rows}


def test_national_total_leaves_out_dormant_non_social_care_and_head_offices(world):
    r = total(JUL_15)
    # 11 locations: L1..L11 (L12 dormant, L13 not adult social care, the trust, head offices out)
    #            loc comp app met exc exp nc np nr
    assert counts(r) == (11, 6, 1, 2, 3, 1, 1, 2, 1)
    assert r["compliance_pct"] == pytest.approx(600 / 11)


def test_row_format_is_the_contract_and_sorted_by_group(world):
    rows = compliance_table("region", JUL_15)
    assert [r["group"] for r in rows] == ["London", "North East"]
    assert list(rows[0]) == [
        "group",
        "locations",
        "compliant",
        "compliance_pct",
        "approaching",
        "met",
        "exceeded",
        "expired",
        "not_compliant",
        "not_published",
        "not_registered",
    ]


def test_provider_size_from_beds_versus_locations(world):
    got = by_group(compliance_table("provider_size", JUL_15))
    assert got == {
        # P1: 2 locations but 1,100 beds → Large: L1 met, L2 expired
        "Large": (2, 1, 0, 1, 0, 1, 0, 0, 0),
        # P2 (5 locations) + P3 (1 location, 61 beds): L3-5 exceeded, L6 np, L7 nc, L8 approaching
        "Medium": (6, 4, 1, 0, 3, 0, 1, 1, 0),
        # P4 (60 beds; its dormant 500-bed site not counted) + P5: L9 nr, L10 np, L11 met
        "Micro/Small": (3, 1, 0, 1, 0, 0, 0, 1, 1),
    }


def test_scope_across_local_authorities_and_regions(world):
    got = by_group(compliance_table("scope", JUL_15))
    assert got == {
        "Local": (2, 1, 1, 0, 0, 0, 0, 0, 1),  # P3 (L8), P4 (L9): one LA each
        "National": (2, 1, 0, 1, 0, 0, 0, 1, 0),  # P5: Newcastle and Camden, two regions
        "Regional": (7, 4, 0, 1, 3, 1, 1, 1, 0),  # P1, P2: Newcastle + Sunderland
    }


def test_single_service_type_rule(world):
    got = by_group(compliance_table("service_type", JUL_15))
    # L2 has two service types and L11 none: neither is counted.
    assert got == {
        "Care home service with nursing": (1, 1, 1, 0, 0, 0, 0, 0, 0),  # L8
        "Care home service without nursing": (2, 1, 0, 1, 0, 0, 0, 0, 1),  # L1, L9
        "Domiciliary care service": (5, 3, 0, 0, 3, 0, 1, 1, 0),  # L3-L7
        "Supported living service": (1, 0, 0, 0, 0, 0, 0, 1, 0),  # L10
    }


def test_client_groups_count_a_location_in_each_group_it_serves(world):
    got = by_group(compliance_table("client_group", JUL_15))
    # L1 serves older people and dementia: counted in both.
    assert got["Dementia"] == (2, 2, 1, 1, 0, 0, 0, 0, 0)  # L1 met, L8 approaching
    # L1, L2, L3-L7, L9
    assert got["Older people"] == (8, 4, 0, 1, 3, 1, 1, 1, 1)
    assert got["Not known"] == (1, 1, 0, 1, 0, 0, 0, 0, 0)  # L11
    assert sum(v[0] for v in got.values()) == 12  # 11 locations, L1 twice


def test_care_home_rating_and_areas(world):
    assert by_group(compliance_table("care_home", JUL_15)) == {
        "Care home": (4, 2, 1, 1, 0, 1, 0, 0, 1),  # L1 met, L2 exp, L8 app, L9 nr
        "Non-care home": (7, 4, 0, 1, 3, 0, 1, 2, 0),  # L3-5 exc, L6 np, L7 nc, L10 np, L11 met
    }
    rating = by_group(compliance_table("rating", JUL_15))
    assert rating["Not known"] == (1, 1, 0, 1, 0, 0, 0, 0, 0)  # L11 has no rating
    assert rating["Requires improvement"][0] == 5
    assert by_group(compliance_table("lso", JUL_15))["Care London"] == (3, 2, 1, 1, 0, 0, 0, 0, 1)
    assert by_group(compliance_table("icb", JUL_15))["ICB Alpha"][0] == 8
    la = by_group(compliance_table("local_authority", JUL_15))
    assert la["Sunderland"] == (3, 0, 0, 0, 0, 1, 1, 1, 0)  # L2 exp, L6 np, L7 nc


def test_expiry_at_the_deadline_valid_on_the_day_expired_the_day_after(world):
    la2 = {r["group"]: r for r in compliance_table("local_authority", date(2024, 6, 30))}
    # L2 (2022-23 publication) still met on 30 June 2024; L6 np; L7 nc.
    assert la2["Sunderland"]["met"] == 1 and la2["Sunderland"]["expired"] == 0
    la2 = {r["group"]: r for r in compliance_table("local_authority", date(2024, 7, 1))}
    assert la2["Sunderland"]["met"] == 0 and la2["Sunderland"]["expired"] == 1


def test_head_office_coverage_and_cyber_essentials_lapse(world):
    r = {r["group"]: r for r in compliance_table("local_authority", JUL_15)}
    assert r["Newcastle"]["exceeded"] == 3  # L3-L5 by their head office's publication
    # After the certificate ends (31 Mar 2025) the covered sites read Standards Met.
    r = {r["group"]: r for r in compliance_table("local_authority", date(2025, 4, 1))}
    assert r["Newcastle"]["exceeded"] == 0 and r["Newcastle"]["met"] == 4  # L1, L3-L5


def test_population_on_a_past_date_counts_only_locations_then_registered_with_cqc(world):
    # L11 registered with CQC on 1 Jan 2024.
    assert total(date(2023, 12, 31))["locations"] == 10
    assert total(date(2024, 1, 1))["locations"] == 11


def test_scoped_to_an_lso_area(world):
    r = total(JUL_15, Scope("lso", "LSO1", "Care North"))
    # L1 met, L2 exp, L3-5 exc, L6 np, L7 nc, L10 np
    assert counts(r) == (8, 4, 0, 1, 3, 1, 1, 2, 0)
    assert r["group"] == "Care North"


def test_figures_follow_a_publication_and_a_plan_approval(world):
    assert total(JUL_15)["compliant"] == 6
    Publication.objects.create(
        organisation=world.orgs["L6"],
        edition="2023-24",
        published_on=date(2024, 7, 1),
        level=Level.MET,
    )
    assert total(JUL_15)["compliant"] == 7
    # Approving L7's plan turns its Not Met into Approaching from that day.
    pub = Publication.objects.get(organisation=world.orgs["L7"])
    pub.plan_approved_on = date(2024, 7, 10)
    pub.save()
    r = total(JUL_15)
    assert (r["compliant"], r["approaching"], r["not_compliant"]) == (8, 2, 0)


def test_figures_follow_an_area_moving_to_another_lso(world):
    assert {r["group"] for r in compliance_table("lso", JUL_15)} == {"Care London", "Care North"}
    world.las["la3"].lso = world.lsos["north"]
    world.las["la3"].save()
    assert by_group(compliance_table("lso", JUL_15))["Care North"][0] == 11


def test_unknown_dimension_is_a_clear_error(world):
    with pytest.raises(ValueError, match="Unknown dimension 'colour'"):
        compliance_table("colour", JUL_15)
