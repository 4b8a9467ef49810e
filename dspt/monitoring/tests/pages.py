"""Helpers for page tests: one person per monitoring remit, and reading a downloaded CSV."""

import csv
import io
import re

import pytest

from dspt.accounts.models import Membership, OrgRole, OversightRole, User


def csv_rows(response) -> list[dict]:
    """A CSV download's rows, keyed by heading (the file starts with a byte-order mark)."""
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def csv_file(text: str, name: str = "list.csv") -> io.BytesIO:
    """An uploaded CSV file holding `text`."""
    f = io.BytesIO(text.encode())
    f.name = name
    return f


def xlsx_file(data: bytes) -> io.BytesIO:
    """An uploaded workbook of these bytes."""
    f = io.BytesIO(data)
    f.name = "list.xlsx"
    return f


def square(code: str, x: int, key: str = "ons_code") -> dict:
    """A one-degree square GeoJSON feature for a boundary file, its code under `key`."""
    ring = [[x, 50], [x + 1, 50], [x + 1, 51], [x, 51], [x, 50]]
    return {
        "type": "Feature",
        "properties": {key: code},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


def map_areas(body: str) -> dict[str, tuple[str, str]]:
    """The drawn map's areas on a page: name -> (fill colour, title)."""
    svg = body.split('class="app-svg app-map"')[1].split("</svg>")[0]
    found = re.findall(r'<path d="[^"]+" fill="(#[0-9a-f]{6})"[^>]*><title>([^<]+)</title>', svg)
    return {title.split(":")[0]: (fill, title) for fill, title in found}


def make_user(key: str, **kw) -> User:
    # No password: tests sign in with force_login, and hashing is slow by design.
    user = User(username=key, email=f"{key}@example.org", **kw)
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def people(world):
    """One person per remit. The commissioner acts for Newcastle's council."""
    from dspt.organisations.models import Organisation, OrgType

    council = Organisation.objects.create(
        name="Newcastle City Council",
        ods_code="E08000021",
        org_type=OrgType.LOCAL_AUTHORITY,
        local_authority=world.las["la1"],
    )
    other_council = Organisation.objects.create(
        name="Camden Council",
        ods_code="E09000007",
        org_type=OrgType.LOCAL_AUTHORITY,
        local_authority=world.las["la3"],
    )
    p = {
        "programme": make_user("programme", oversight_role=OversightRole.PROGRAMME),
        "admin": make_user("admin", oversight_role=OversightRole.PLATFORM_ADMIN),
        "lso_north": make_user(
            "lso_north", oversight_role=OversightRole.LSO, lso=world.lsos["north"]
        ),
        "lso_london": make_user(
            "lso_london", oversight_role=OversightRole.LSO, lso=world.lsos["london"]
        ),
        "commissioner": make_user(
            "commissioner", oversight_role=OversightRole.COMMISSIONER, commissioner_for=council
        ),
        "other_commissioner": make_user(
            "other_commissioner",
            oversight_role=OversightRole.COMMISSIONER,
            commissioner_for=other_council,
        ),
        "reviewer": make_user("reviewer", oversight_role=OversightRole.REVIEWER),
        "member": make_user("member"),
    }
    Membership.objects.create(user=p["member"], organisation=world.orgs["L1"], role=OrgRole.ADMIN)
    p["council"], p["other_council"] = council, other_council
    return p


@pytest.fixture
def programme(client, people):
    """The test client signed in as the national programme team."""
    client.force_login(people["programme"])
    return client
