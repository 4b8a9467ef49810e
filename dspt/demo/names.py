"""Invented names and codes for the synthetic England. No real company or trust names.

Names are built from plain English word parts ("Meadow" + "bank" + "Care Home"); codes follow
the ODS shapes (docs/rules.md §3): care locations V + 4, providers A or C + 3, trusts R + 2.
"""

from __future__ import annotations

from random import Random

STEMS = [
    "Meadow",
    "Holly",
    "Oak",
    "Willow",
    "Ash",
    "Beech",
    "Elm",
    "Birch",
    "Cedar",
    "Rowan",
    "Hazel",
    "Maple",
    "Heather",
    "Primrose",
    "Bramble",
    "Fern",
    "Clover",
    "Lavender",
    "Juniper",
    "Laurel",
    "Linden",
    "Alder",
    "Aspen",
    "Poplar",
    "Hawthorn",
    "Sycamore",
    "Chestnut",
    "Walnut",
    "Cherry",
    "Damson",
    "Rose",
    "Lily",
    "Iris",
    "Violet",
    "Daisy",
    "Bluebell",
    "Foxglove",
    "Snowdrop",
    "Marigold",
    "Poppy",
    "Sorrel",
    "Thyme",
    "Sage",
    "Fennel",
    "Silver",
    "Golden",
    "Green",
    "White",
    "Brook",
    "River",
    "Mill",
    "Church",
    "Castle",
    "Park",
    "Hill",
    "Vale",
    "Glen",
    "Moor",
    "Heath",
    "Lake",
    "Well",
    "Stone",
    "Kings",
    "Queens",
    "North",
    "South",
    "East",
    "West",
    "High",
    "Long",
    "Fair",
    "Bright",
    "Clear",
    "Sunny",
    "Lark",
    "Wren",
    "Robin",
    "Finch",
    "Swallow",
    "Kestrel",
    "Heron",
    "Otter",
    "Badger",
    "Fox",
    "Hart",
    "Deer",
    "Amber",
    "Coral",
    "Ivy",
    "Myrtle",
    "Tansy",
    "Yarrow",
    "Briar",
    "Thorn",
    "Copper",
    "Harvest",
    "Autumn",
    "Summer",
    "Winter",
]
SUFFIXES = [
    "bank",
    "field",
    "wood",
    "brook",
    "lea",
    "croft",
    "dale",
    "mead",
    "view",
    "haven",
    "gate",
    "side",
    "hurst",
    "ley",
    "combe",
    "ford",
    "ridge",
    "stead",
    "worth",
    "holme",
    "thorpe",
    "cote",
    "garth",
    "acre",
    "fold",
    "hollow",
    "mere",
    "wick",
    "bury",
    "down",
]
SURNAMES = [
    "Ashworth",
    "Bellamy",
    "Carver",
    "Dunmore",
    "Ellery",
    "Fairbairn",
    "Garside",
    "Hollins",
    "Ingram",
    "Jessop",
    "Kershaw",
    "Lomax",
    "Marsden",
    "Nuttall",
    "Ormerod",
    "Pickles",
    "Quarmby",
    "Rishworth",
    "Sutcliffe",
    "Tattersall",
    "Uttley",
    "Varley",
    "Whiteley",
    "Yardley",
    "Ackroyd",
    "Brearley",
    "Crowther",
    "Dransfield",
    "Eastwood",
    "Firth",
    "Greenwood",
    "Haigh",
]
CARE_HOME_KINDS = (
    "Care Home",
    "House",
    "Lodge",
    "Court",
    "Manor",
    "Grange",
    "Hall",
    "Residential Home",
)
NURSING_KINDS = ("Nursing Home", "Care Centre", "Manor Nursing Home", "Hall Nursing Home")
LD_KINDS = ("House", "Cottage", "Lodge", "Bungalow", "Close")
GROUP_NOUNS = (
    "Care Group",
    "Healthcare Ltd",
    "Living Ltd",
    "Care Partnership",
    "Support Services Ltd",
    "Care Homes Ltd",
    "Lifecare Ltd",
    "Community Care Ltd",
)
TRUST_KINDS = (
    "Hospitals NHS Foundation Trust",
    "Hospitals NHS Trust",
    "Teaching Hospitals NHS Foundation Trust",
    "Community Healthcare NHS Trust",
    "Mental Health NHS Foundation Trust",
    "Partnership NHS Foundation Trust",
    "Ambulance Service NHS Trust",
)
CODE_CHARS = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def place(rng: Random) -> str:
    """An invented place-like word: 'Meadowbank', 'Hollyfield'."""
    return rng.choice(STEMS) + rng.choice(SUFFIXES)


def care_home_name(rng: Random, nursing: bool, small_ld: bool) -> str:
    kinds = NURSING_KINDS if nursing else LD_KINDS if small_ld else CARE_HOME_KINDS
    return f"{place(rng)} {rng.choice(kinds)}"


def service_name(rng: Random, service: str, area_name: str) -> str:
    """A non-care-home location's name for its main service."""
    p = place(rng)
    options = {
        "domiciliary": (
            f"{p} Home Care",
            f"{p} Care at Home",
            f"{rng.choice(STEMS)} Homecare Services",
            f"{p} Home Care - {area_name}",
        ),
        "supported_living": (f"{p} Supported Living", f"{p} Support", f"{p} Court"),
        "extra_care": (f"{p} Court Extra Care", f"{rng.choice(STEMS)} Gardens Extra Care"),
        "shared_lives": (f"{area_name} Shared Lives", f"{p} Shared Lives Scheme"),
    }.get(service, (f"{p} Care Services", f"{p} Community Support"))
    return rng.choice(options)


def provider_name(rng: Random, locations: int, first_location: str) -> str:
    if locations == 1:
        base = first_location.split(" - ")[0]
        return rng.choice(
            (
                f"{base} Ltd",
                f"{base} Limited",
                f"{rng.choice(SURNAMES)} Care Ltd",
                f"{place(rng)} Care Ltd",
            )
        )
    return f"{place(rng)} {rng.choice(GROUP_NOUNS)}"


def trust_name(rng: Random) -> str:
    if rng.random() < 0.3:
        return f"{place(rng)} and {place(rng)} {rng.choice(TRUST_KINDS)}"
    return f"{place(rng)} {rng.choice(TRUST_KINDS)}"


class CodeMaker:
    """Draws unique codes; the same rng sequence gives the same codes."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, prefixes: str, length: int) -> str:
        """A code of `length` characters starting with one of `prefixes`.

        When that many characters are nearly used up (a demo ten times England's size has more
        providers than four-character codes), it takes a character more rather than loop on.
        """
        base, width = len(CODE_CHARS), length - 1
        tries = 0
        while True:
            tries += 1
            if tries > 50:
                width, tries = width + 1, 0
            n = self.rng.randrange(base**width)
            tail = []
            for _ in range(width):
                n, r = divmod(n, base)
                tail.append(CODE_CHARS[r])
            code = self.rng.choice(prefixes) + "".join(tail)
            if code not in self.used:
                self.used.add(code)
                return code

    def digits(self, prefix: str, count: int) -> str:
        """`prefix` and `count` digits, e.g. a CQC ID "1-" + 10 digits."""
        while True:
            code = prefix + str(self.rng.randrange(10**count)).zfill(count)
            if code not in self.used:
                self.used.add(code)
                return code


def postcode(rng: Random, districts: tuple[str, ...]) -> str:
    district = rng.choice(districts)
    return f"{district} {rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
