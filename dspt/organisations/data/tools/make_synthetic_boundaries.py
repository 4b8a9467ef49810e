"""Generate the SYNTHETIC local authority and region boundaries shipped for the demo and tests.

Run from anywhere (standard library only):

    python dspt/organisations/data/tools/make_synthetic_boundaries.py

It reads `regions.csv` and `local_authorities.csv` next to the `boundaries/` folder and writes
`boundaries/synthetic_local_authorities.geojson` and `boundaries/synthetic_regions.geojson`.

These shapes are NOT real boundaries. They are a plausible-looking tessellation of England, built so
that demo maps look like a map, every authority and region is one Polygon, neighbours share edges
exactly (no gaps or overlaps) and every authority's cell contains its listed centroid. Operators who
want true boundaries load the ONS files instead (see `data/README.md`).

Method, and why:

1. Project centroids to kilometres (equirectangular at 52.5N: good enough at England's scale).
2. Each authority gets a "radius" from an approximate area (below), so a county is drawn bigger
   than a London borough; plain nearest-centroid (Voronoi) cells would make outer London boroughs
   swallow half the Home Counties.
3. Land = everything within a blob around some centroid (1.25 x radius + 4 km), plus thin corridors
   along each region's minimum spanning tree so islands such as the Isles of Scilly stay attached to
   their region (every region must be one Polygon). Holes inside the land are filled.
4. Each 1 km land cell goes to the authority with the least power distance (d^2 - w); weights start
   at radius^2 and are lowered until every authority wins its own centroid.
5. Stray fragments are merged into their neighbours so every authority is one connected piece.
6. Outlines are traced cell edge by cell edge, split into arcs shared by two neighbours, and each
   arc is simplified once (Douglas-Peucker), so both neighbours get the identical simplified edge.
   Region outlines reuse the same arcs, so regions line up exactly with their authorities.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter, deque
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[1]
OUT_DIR = DATA_DIR / "boundaries"

LAT0 = 52.5
KM_PER_DEG_LAT = 111.2
KM_PER_DEG_LON = 111.32 * math.cos(math.radians(LAT0))
CELL_KM = 1.0  # small enough that the City of London (about 3 km^2) still gets whole cells
MARGIN_KM = 80.0
SIMPLIFY_KM = 1.2
CORRIDOR_KM = 1.6

# Approximate land area in km^2, used only to size the synthetic cells. Unknown codes (an operator's
# newer file) fall back to a typical size for their type.
AREA_KM2: dict[str, float] = {
    # North East
    "E06000047": 2226, "E06000005": 197, "E08000037": 142, "E06000001": 94, "E06000002": 54,
    "E08000021": 113, "E08000022": 82, "E06000057": 5013, "E06000003": 245, "E08000023": 64,
    "E06000004": 204, "E08000024": 137,
    # North West
    "E06000008": 137, "E06000009": 35, "E08000001": 140, "E08000002": 99, "E06000049": 1166,
    "E06000050": 917, "E06000063": 3012, "E06000006": 79, "E08000011": 86, "E10000017": 2903,
    "E08000012": 112, "E08000003": 116, "E08000004": 142, "E08000005": 158, "E08000006": 97,
    "E08000014": 155, "E08000013": 136, "E08000007": 126, "E08000008": 103, "E08000009": 106,
    "E08000010": 188, "E06000007": 181, "E06000064": 3757, "E08000015": 157,
    # Yorkshire and The Humber
    "E08000016": 329, "E08000032": 366, "E08000033": 364, "E08000017": 568, "E06000011": 2479,
    "E06000010": 71, "E08000034": 409, "E08000035": 552, "E06000012": 192, "E06000013": 846,
    "E06000065": 8037, "E08000018": 287, "E08000019": 368, "E08000036": 339, "E06000014": 272,
    # East Midlands
    "E06000015": 78, "E10000007": 2547, "E06000016": 73, "E10000018": 2083, "E10000019": 5921,
    "E06000061": 986, "E06000018": 75, "E10000024": 2085, "E06000017": 382, "E06000062": 1377,
    # West Midlands
    "E08000025": 268, "E08000026": 99, "E08000027": 98, "E06000019": 2180, "E08000028": 86,
    "E06000051": 3197, "E08000029": 178, "E10000028": 2620, "E06000021": 93, "E06000020": 290,
    "E08000030": 104, "E10000031": 1975, "E08000031": 69, "E10000034": 1741,
    # East of England
    "E06000055": 476, "E10000003": 3046, "E06000056": 716, "E10000012": 3465, "E10000015": 1643,
    "E06000032": 43, "E10000020": 5371, "E06000031": 343, "E06000033": 42, "E10000029": 3798,
    "E06000034": 165,
    # London
    "E09000002": 36, "E09000003": 87, "E09000004": 61, "E09000005": 43, "E09000006": 150,
    "E09000007": 22, "E09000001": 3, "E09000008": 87, "E09000009": 56, "E09000010": 81,
    "E09000011": 47, "E09000012": 19, "E09000013": 16, "E09000014": 30, "E09000015": 50,
    "E09000016": 112, "E09000017": 116, "E09000018": 56, "E09000019": 15, "E09000020": 12,
    "E09000021": 37, "E09000022": 27, "E09000023": 35, "E09000024": 38, "E09000025": 36,
    "E09000026": 56, "E09000027": 57, "E09000028": 29, "E09000029": 44, "E09000030": 20,
    "E09000031": 39, "E09000032": 34, "E09000033": 21,
    # South East
    "E06000036": 109, "E06000043": 83, "E06000060": 1565, "E10000011": 1709, "E10000014": 3679,
    "E06000046": 380, "E10000016": 3544, "E06000035": 194, "E06000042": 309, "E10000025": 2605,
    "E06000044": 40, "E06000038": 40, "E06000039": 33, "E06000045": 50, "E10000030": 1663,
    "E06000037": 704, "E10000032": 1991, "E06000040": 198, "E06000041": 179,
    # South West
    "E06000022": 346, "E06000058": 161, "E06000023": 110, "E06000052": 3546, "E10000008": 6564,
    "E06000059": 2491, "E10000013": 2653, "E06000053": 16, "E06000024": 374, "E06000026": 80,
    "E06000066": 3451, "E06000025": 497, "E06000030": 230, "E06000027": 63, "E06000054": 3255,
}  # fmt: skip
DEFAULT_AREA_BY_PREFIX = {"E06": 200.0, "E08": 150.0, "E09": 40.0, "E10": 2500.0}

Point = tuple[int, int]


def read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def to_km(lat: float, lon: float) -> tuple[float, float]:
    return lon * KM_PER_DEG_LON, (lat - LAT0) * KM_PER_DEG_LAT


def main() -> None:
    regions = read_csv("regions.csv")
    authorities = read_csv("local_authorities.csv")
    count = len(authorities)
    sites = [to_km(float(la["latitude"]), float(la["longitude"])) for la in authorities]
    radius = [
        math.sqrt(
            AREA_KM2.get(la["ons_code"], DEFAULT_AREA_BY_PREFIX[la["ons_code"][:3]]) / math.pi
        )
        for la in authorities
    ]
    region_of = [la["region_ons_code"] for la in authorities]

    # Grid covering every centroid with a margin of sea.
    x0 = min(x for x, _ in sites) - MARGIN_KM
    y0 = min(y for _, y in sites) - MARGIN_KM
    width = int((max(x for x, _ in sites) + MARGIN_KM - x0) / CELL_KM) + 1
    height = int((max(y for _, y in sites) + MARGIN_KM - y0) / CELL_KM) + 1

    def centre(ix: int, iy: int) -> tuple[float, float]:
        return x0 + (ix + 0.5) * CELL_KM, y0 + (iy + 0.5) * CELL_KM

    def cell_of(point: tuple[float, float]) -> Point:
        return int((point[0] - x0) / CELL_KM), int((point[1] - y0) / CELL_KM)

    weights = power_weights(sites, radius)
    land = land_mask(sites, radius, region_of, width, height, centre)
    owner = assign_cells(sites, weights, land, width, height, centre)
    for index, site in enumerate(sites):
        ix, iy = cell_of(site)
        owner[iy][ix] = index  # An authority's own centroid is always inside its cell.
    make_connected(owner, [cell_of(site) for site in sites], width, height)

    region_codes = [region["ons_code"] for region in regions]
    region_index = {code: index for index, code in enumerate(region_codes)}
    region_owner = [
        [region_index[region_of[label]] if label >= 0 else -1 for label in row] for row in owner
    ]
    region_pieces = components(region_owner, width, height)
    for index, code in enumerate(region_codes):
        pieces = region_pieces.get(index, [])
        if len(pieces) != 1:
            raise SystemExit(f"region {code} came out in {len(pieces)} pieces; adjust the method")

    nodes = find_nodes(owner, width, height)
    la_rings = trace(owner, width, height)
    region_rings = trace(region_owner, width, height)
    arcs = ArcStore(nodes)
    for rings in (*la_rings.values(), *region_rings.values()):
        for ring in rings:
            arcs.register(ring)
    arcs.simplify()

    def to_lonlat(point: tuple[float, float]) -> list[float]:
        x = x0 + point[0] * CELL_KM
        y = y0 + point[1] * CELL_KM
        return [round(x / KM_PER_DEG_LON, 5), round(LAT0 + y / KM_PER_DEG_LAT, 5)]

    def polygon(rings: list[list[Point]]) -> dict:
        built = [arcs.rebuild(ring) for ring in rings]
        outer = [ring for ring in built if signed_area(ring) > 0]
        holes = [ring for ring in built if signed_area(ring) < 0]
        if len(outer) != 1:
            raise SystemExit(f"expected one outer ring, got {len(outer)}")
        coordinates = []
        for ring in [outer[0], *holes]:
            positions = [to_lonlat(point) for point in [*ring, ring[0]]]
            deduped = [p for i, p in enumerate(positions) if i == 0 or p != positions[i - 1]]
            if deduped[0] != deduped[-1]:
                deduped.append(deduped[0])
            if len(deduped) < 4:
                raise SystemExit("a ring collapsed after simplification")
            coordinates.append(deduped)
        return {"type": "Polygon", "coordinates": coordinates}

    la_features = [
        feature(la["ons_code"], la["name"], polygon(la_rings[index]))
        for index, la in enumerate(authorities)
    ]
    region_features = [
        feature(region["ons_code"], region["name"], polygon(region_rings[index]))
        for index, region in enumerate(regions)
    ]
    write_collection(OUT_DIR / "synthetic_local_authorities.geojson", la_features)
    write_collection(OUT_DIR / "synthetic_regions.geojson", region_features)
    print(f"wrote {len(la_features)} local authority and {len(region_features)} region shapes")
    print(f"grid {width} x {height} km, {count} sites")


def power_weights(sites: list[tuple[float, float]], radius: list[float]) -> list[float]:
    """Start from radius^2 and lower weights until every site beats all others at its own centroid.

    Site i wins its centroid against j when -w_i < d_ij^2 - w_j, i.e. w_j < w_i + d_ij^2. Keeping a
    margin (0.6 d^2) leaves the winning cell a sensible size rather than a sliver.
    """
    weights = [r * r for r in radius]
    changed = True
    while changed:
        changed = False
        for i, (xi, yi) in enumerate(sites):
            for j, (xj, yj) in enumerate(sites):
                if i == j:
                    continue
                limit = weights[i] + 0.6 * ((xi - xj) ** 2 + (yi - yj) ** 2)
                if weights[j] > limit:
                    weights[j] = limit
                    changed = True
    return weights


def land_mask(sites, radius, region_of, width, height, centre) -> list[list[bool]]:
    """Blobs around centroids, MST corridors within each region, then interior holes filled."""
    land = [[False] * width for _ in range(height)]
    reach = [1.25 * r + 4.0 for r in radius]
    for (sx, sy), rho in zip(sites, reach, strict=True):
        paint_near(land, sx, sy, sx, sy, rho, width, height, centre)
    for a, b in region_spanning_edges(sites, region_of):
        (ax, ay), (bx, by) = sites[a], sites[b]
        paint_near(land, ax, ay, bx, by, CORRIDOR_KM, width, height, centre)
    # Anything not reachable from the grid's edge through sea is an inland gap: make it land.
    sea = [[False] * width for _ in range(height)]
    queue: deque[Point] = deque()
    for ix in range(width):
        for iy in (0, height - 1):
            if not land[iy][ix] and not sea[iy][ix]:
                sea[iy][ix] = True
                queue.append((ix, iy))
    for iy in range(height):
        for ix in (0, width - 1):
            if not land[iy][ix] and not sea[iy][ix]:
                sea[iy][ix] = True
                queue.append((ix, iy))
    while queue:
        ix, iy = queue.popleft()
        for nx, ny in ((ix + 1, iy), (ix - 1, iy), (ix, iy + 1), (ix, iy - 1)):
            if 0 <= nx < width and 0 <= ny < height and not land[ny][nx] and not sea[ny][nx]:
                sea[ny][nx] = True
                queue.append((nx, ny))
    return [[not sea[iy][ix] for ix in range(width)] for iy in range(height)]


def paint_near(land, ax, ay, bx, by, reach, width, height, centre) -> None:
    """Mark as land every cell whose centre is within `reach` km of the segment a-b."""
    ox, oy = centre(0, 0)
    low_x = max(0, int((min(ax, bx) - reach - ox) / CELL_KM))
    high_x = min(width - 1, int((max(ax, bx) + reach - ox) / CELL_KM) + 1)
    low_y = max(0, int((min(ay, by) - reach - oy) / CELL_KM))
    high_y = min(height - 1, int((max(ay, by) + reach - oy) / CELL_KM) + 1)
    for iy in range(low_y, high_y + 1):
        for ix in range(low_x, high_x + 1):
            cx, cy = centre(ix, iy)
            if segment_distance(cx, cy, ax, ay, bx, by) <= reach:
                land[iy][ix] = True


def region_spanning_edges(sites, region_of) -> list[tuple[int, int]]:
    """Minimum spanning tree (Prim) of each region's centroids."""
    edges: list[tuple[int, int]] = []
    for region in sorted(set(region_of)):
        members = [i for i, code in enumerate(region_of) if code == region]
        inside = {members[0]}
        while len(inside) < len(members):
            best = min(
                (math.dist(sites[a], sites[b]), a, b)
                for a in inside
                for b in members
                if b not in inside
            )
            edges.append((best[1], best[2]))
            inside.add(best[2])
    return edges


def segment_distance(px, py, ax, ay, bx, by) -> float:
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def assign_cells(sites, weights, land, width, height, centre) -> list[list[int]]:
    """Least power distance, searched block by block among the few sites that can win there."""
    block = 16
    owner = [[-1] * width for _ in range(height)]
    for by in range(0, height, block):
        for bx in range(0, width, block):
            # Bound each site's power distance over the block; keep only sites whose best case
            # beats the best worst case.
            bx0, by0 = centre(bx, by)
            bx1, by1 = centre(min(bx + block, width) - 1, min(by + block, height) - 1)
            lows, highs = [], []
            for (sx, sy), w in zip(sites, weights, strict=True):
                nx = min(max(sx, bx0), bx1) - sx
                ny = min(max(sy, by0), by1) - sy
                fx = max(abs(sx - bx0), abs(sx - bx1))
                fy = max(abs(sy - by0), abs(sy - by1))
                lows.append(nx * nx + ny * ny - w)
                highs.append(fx * fx + fy * fy - w)
            cutoff = min(highs)
            candidates = [i for i, low in enumerate(lows) if low <= cutoff]
            for iy in range(by, min(by + block, height)):
                for ix in range(bx, min(bx + block, width)):
                    if not land[iy][ix]:
                        continue
                    cx, cy = centre(ix, iy)
                    owner[iy][ix] = min(
                        candidates,
                        key=lambda i: (
                            (cx - sites[i][0]) ** 2 + (cy - sites[i][1]) ** 2 - weights[i]
                        ),
                    )
    return owner


def components(grid, width, height) -> dict[int, list[set[Point]]]:
    """4-connected pieces of every label (sea, -1, excluded), found in one sweep."""
    seen = [[False] * width for _ in range(height)]
    pieces: dict[int, list[set[Point]]] = {}
    for iy in range(height):
        for ix in range(width):
            label = grid[iy][ix]
            if label < 0 or seen[iy][ix]:
                continue
            piece = {(ix, iy)}
            queue = deque([(ix, iy)])
            seen[iy][ix] = True
            while queue:
                cx, cy = queue.popleft()
                for nx, ny in ((cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1)):
                    if (
                        0 <= nx < width
                        and 0 <= ny < height
                        and not seen[ny][nx]
                        and grid[ny][nx] == label
                    ):
                        seen[ny][nx] = True
                        piece.add((nx, ny))
                        queue.append((nx, ny))
            pieces.setdefault(label, []).append(piece)
    return pieces


def make_connected(owner, home: list[Point], width, height) -> None:
    """Give every fragment cut off from its authority's centroid to the neighbour it touches most."""
    for _ in range(50):
        moved = False
        for label, pieces in components(owner, width, height).items():
            for piece in pieces:
                if home[label] in piece:
                    continue
                touching: Counter[int] = Counter()
                for cx, cy in piece:
                    for nx, ny in ((cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1)):
                        if 0 <= nx < width and 0 <= ny < height:
                            other = owner[ny][nx]
                            if other not in (label, -1):
                                touching[other] += 1
                new_owner = touching.most_common(1)[0][0] if touching else -1
                for cx, cy in piece:
                    owner[cy][cx] = new_owner
                moved = True
        if not moved:
            return
    raise SystemExit("could not make every authority one piece")


def find_nodes(owner, width, height) -> set[Point]:
    """Grid corners where three or more owners meet, or two meet diagonally: arcs end there."""

    def at(ix: int, iy: int) -> int:
        return owner[iy][ix] if 0 <= ix < width and 0 <= iy < height else -1

    nodes: set[Point] = set()
    for vy in range(height + 1):
        for vx in range(width + 1):
            sw, se, nw, ne = at(vx - 1, vy - 1), at(vx, vy - 1), at(vx - 1, vy), at(vx, vy)
            distinct = len({sw, se, nw, ne})
            if distinct >= 3 or (distinct == 2 and sw == ne and se == nw and sw != se):
                nodes.add((vx, vy))
    return nodes


def trace(grid, width, height) -> dict[int, list[list[Point]]]:
    """Closed rings (first point not repeated) for every label, exterior anticlockwise.

    Each cell side facing a different label becomes a directed edge with the cell on its left;
    edges are chained preferring a left turn, which keeps cells touching only at a corner apart.
    """

    def at(ix: int, iy: int) -> int:
        return grid[iy][ix] if 0 <= ix < width and 0 <= iy < height else -1

    outgoing: dict[int, dict[Point, list[Point]]] = {}
    for iy in range(height):
        for ix in range(width):
            label = grid[iy][ix]
            if label < 0:
                continue
            edges = outgoing.setdefault(label, {})
            if at(ix, iy - 1) != label:
                edges.setdefault((ix, iy), []).append((ix + 1, iy))
            if at(ix + 1, iy) != label:
                edges.setdefault((ix + 1, iy), []).append((ix + 1, iy + 1))
            if at(ix, iy + 1) != label:
                edges.setdefault((ix + 1, iy + 1), []).append((ix, iy + 1))
            if at(ix - 1, iy) != label:
                edges.setdefault((ix, iy + 1), []).append((ix, iy))

    rings: dict[int, list[list[Point]]] = {}
    for label, edges in outgoing.items():
        for start in sorted(edges):
            while edges.get(start):
                ring = [start]
                previous, current = start, edges[start].pop()
                while current != start:
                    ring.append(current)
                    direction = (current[0] - previous[0], current[1] - previous[1])
                    options = edges[current]
                    left = (-direction[1], direction[0])
                    right = (direction[1], -direction[0])
                    for turn in (left, direction, right):
                        candidate = (current[0] + turn[0], current[1] + turn[1])
                        if candidate in options:
                            options.remove(candidate)
                            previous, current = current, candidate
                            break
                    else:
                        raise SystemExit("broken outline while tracing")
                rings.setdefault(label, []).append(ring)
    return rings


class ArcStore:
    """Splits rings into arcs between nodes and simplifies each arc once for all its users.

    An arc is stored under a canonical key (a fixed direction, and for a ring with no node on it a
    fixed start), so the two neighbours that share it, walking it in opposite directions, get the
    very same simplified points.
    """

    def __init__(self, nodes: set[Point]) -> None:
        self.nodes = nodes
        self.rings: list[list[Point]] = []
        self.simple: dict[tuple[Point, ...], list[Point]] = {}

    def split(self, ring: list[Point]) -> tuple[list[list[Point]], bool]:
        """The ring's arcs, each starting and ending on a node; or the whole ring if it has none."""
        positions = [i for i, point in enumerate(ring) if point in self.nodes]
        if not positions:
            return [[*ring, ring[0]]], True
        rotated = ring[positions[0] :] + ring[: positions[0]]
        arcs: list[list[Point]] = []
        current = [rotated[0]]
        for point in rotated[1:]:
            current.append(point)
            if point in self.nodes:
                arcs.append(current)
                current = [point]
        current.append(rotated[0])
        arcs.append(current)
        return arcs, False

    @staticmethod
    def canonical(arc: list[Point], free_loop: bool) -> tuple[tuple[Point, ...], bool]:
        """The arc's key, and whether the key runs against the arc's direction."""
        if free_loop:
            body = arc[:-1]
            start = body.index(min(body))
            body = body[start:] + body[:start]
            arc = [*body, body[0]]
        backward = arc[::-1]  # For a loop this still starts at the same (smallest) point.
        return (tuple(arc), False) if arc <= backward else (tuple(backward), True)

    def register(self, ring: list[Point]) -> None:
        self.rings.append(ring)

    def simplify(self) -> None:
        """Simplify every arc, then undo simplification wherever it would collapse a ring."""
        keys: dict[tuple[Point, ...], None] = {}
        for ring in self.rings:
            arcs, free_loop = self.split(ring)
            for arc in arcs:
                keys[self.canonical(arc, free_loop)[0]] = None
        for key in keys:
            self.simple[key] = simplify_arc(list(key))
        while True:
            broken = False
            for ring in self.rings:
                rebuilt = self.rebuild(ring)
                if len(set(rebuilt)) >= 3 and signed_area(rebuilt) * signed_area(ring) > 0:
                    continue
                arcs, free_loop = self.split(ring)
                for arc in arcs:
                    key = self.canonical(arc, free_loop)[0]
                    if self.simple[key] != list(key):
                        self.simple[key] = list(key)
                        broken = True
            if not broken:
                return

    def rebuild(self, ring: list[Point]) -> list[Point]:
        """The ring from simplified arcs, in its own direction (first point not repeated)."""
        arcs, free_loop = self.split(ring)
        out: list[Point] = []
        for arc in arcs:
            key, against = self.canonical(arc, free_loop)
            simple = self.simple[key]
            if against:
                simple = simple[::-1]
            out.extend(simple[:-1])
        return out


def simplify_arc(points: list[Point]) -> list[Point]:
    tolerance = SIMPLIFY_KM / CELL_KM
    if points[0] != points[-1]:
        return douglas_peucker(points, tolerance)
    # A loop: split at its point farthest from the start so each half is an ordinary arc.
    far = max(range(len(points)), key=lambda i: math.dist(points[0], points[i]))
    return douglas_peucker(points[: far + 1], tolerance)[:-1] + douglas_peucker(
        points[far:], tolerance
    )


def douglas_peucker(points: list[Point], tolerance: float) -> list[Point]:
    """Keep the end points and every point farther than `tolerance` from the simplified line."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        best, index = -1.0, -1
        for i in range(first + 1, last):
            distance = segment_distance(points[i][0], points[i][1], ax, ay, bx, by)
            if distance > best:
                best, index = distance, i
        if index >= 0 and best > tolerance:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def signed_area(ring: list[Point]) -> float:
    return 0.5 * sum(
        a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1], strict=True)
    )


def feature(ons_code: str, name: str, geometry: dict) -> dict:
    return {
        "type": "Feature",
        "properties": {"ons_code": ons_code, "name": name},
        "geometry": geometry,
    }


def write_collection(path: Path, features: list[dict]) -> None:
    """One feature per line, so a regenerated file gives a readable diff."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in features]
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        handle.write('{"type":"FeatureCollection","features":[\n')
        handle.write(",\n".join(lines))
        handle.write("\n]}\n")


if __name__ == "__main__":
    main()
