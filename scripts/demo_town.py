"""The demo town: a generated, fictional town (synthetic data), written in real municipal formats.

The repository cannot ship third-party data, so the demo is generated: deterministic (the same
seed gives byte-identical files), placed in open sea in Sagami Bay (about 139.40 E, 35.20 N) so
that nobody takes it for a real place, and marked synthetic in every file and on every feature
(``source`` / ``出典`` = :data:`SOURCE`, town name :data:`TOWN`).  It is written as GeoJSON and CSV,
one list in Shift-JIS/CP932, the way municipalities publish them, so that ``geo-welfare demo``
exercises the real import path.

Geometry is built in metres in JGD2011 plane rectangular zone IX (EPSG:6677), in a local frame
whose origin is the town centre, and written as lon/lat (EPSG:6668, lon-lat order, 7 decimals,
exterior rings counter-clockwise as RFC 7946 asks).

What the town is built to show a planner:

* its streets are a jittered 150 m grid with three diagonals, cut by a river (デモ川, crossed by
  two bridges only) and a railway (crossed at two level crossings only), so a walk can be many
  times the straight line;
* every area polygon is assembled from one set of faces, so each level tiles the town exactly;
* the hillside neighbourhood :data:`GAP_AREA_NAME` (one of the oldest) has no salon or 地域の縁側
  within :data:`GAP_WALK_M` metres' walk;
* :data:`ACROSS_RIVER_SALON_NAME` stands on the south bank facing the dense blocks by the
  station: a short hop across the water, a long walk round by the bridge.

Run ``python scripts/demo_town.py OUT_DIR`` to write it.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import math
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, box
from shapely.geometry.polygon import orient
from shapely.ops import split

SEED = 20261125
METRIC_EPSG = 6677  # JGD2011 / Japan Plane Rectangular CS IX
OUTPUT_EPSG = 6668  # JGD2011 geographic (lon/lat); within a metre of WGS84 / CRS84
CENTRE_LONLAT = (139.40, 35.20)
SOURCE = "合成データ（デモ用・架空）/ synthetic demo data"
TOWN = "架空市デモ町"
TOWN_EN = "Demo Town (fictional)"
MUNICIPALITY_CODE = "14999"
DESCRIPTION = f"{TOWN} / {TOWN_EN}: {SOURCE}. CC0 1.0. No real place, person or organisation."

HALF = 1500.0  # the town is 3 km × 3 km
SPACING = 150.0  # street grid
STEPS = 20  # grid nodes 0..20 on each axis
JITTER_M = 7.0
RIVER_WIDTH = 30.0
RAILWAY_X = 375.0  # between street columns 12 (x=300) and 13 (x=450)
BRIDGE_COLUMNS = (5, 15)  # the main north-south streets that bridge the river
CROSSING_ROWS = (5, 15)  # the main east-west streets that cross the railway
GAP_WALK_M = 1000.0
GAP_MARGIN_M = 150.0  # salons keep this much more than GAP_WALK_M away, by street, from the gap
GAP_AREA_NAME = "デモ台一丁目"
ACROSS_RIVER_SALON_NAME = "せせらぎサロン"

_to_lonlat = Transformer.from_crs(METRIC_EPSG, OUTPUT_EPSG, always_xy=True)
_from_lonlat = Transformer.from_crs(OUTPUT_EPSG, METRIC_EPSG, always_xy=True)
CENTRE = _from_lonlat.transform(*CENTRE_LONLAT)  # the local origin, in EPSG:6677 metres


# ----------------------------------------------------------------------------------------------
# River, railway and street grid (local metres, origin at the town centre).

def river_centre_y(x: float | np.ndarray) -> float | np.ndarray:
    """The river meanders west to east through the middle of the town (y between 45 and 235 m)."""
    return 140.0 + 95.0 * np.sin(2 * np.pi * (np.asarray(x) + HALF) / 2500.0)


def river_centreline(x_from: float = -HALF, x_to: float = HALF) -> LineString:
    xs = np.linspace(x_from, x_to, int(round((x_to - x_from) / 25.0)) + 1)
    return LineString(np.column_stack([xs, river_centre_y(xs)]))


def river_polygon() -> Polygon:
    """The river, 30 m wide measured square to its course, running 60 m past the town on each side."""
    xs = np.linspace(-HALF - 60, HALF + 60, 125)
    ys = river_centre_y(xs)
    slope = 95.0 * 2 * np.pi / 2500.0 * np.cos(2 * np.pi * (xs + HALF) / 2500.0)
    norm = np.hypot(1.0, slope)
    nx_, ny_ = -slope / norm, 1.0 / norm  # unit normal pointing north
    half = RIVER_WIDTH / 2
    north = np.column_stack([xs + half * nx_, ys + half * ny_])
    south = np.column_stack([xs - half * nx_, ys - half * ny_])[::-1]
    return Polygon(np.vstack([north, south]))


def railway_line() -> LineString:
    return LineString([(RAILWAY_X, -HALF - 60), (RAILWAY_X, HALF + 60)])


def grid_nodes(rng: np.random.Generator) -> dict[tuple[int, int], tuple[float, float]]:
    """Grid corners (i west→east, j south→north), jittered so the streets do not look ruled.

    Corners on the town edge stay on it, so the edge streets are straight."""
    nodes = {}
    for j in range(STEPS + 1):
        for i in range(STEPS + 1):
            x, y = -HALF + i * SPACING, -HALF + j * SPACING
            dx, dy = np.clip(rng.normal(0.0, JITTER_M, 2), -18.0, 18.0)
            if i in (0, STEPS):
                dx = 0.0
            if j in (0, STEPS):
                dy = 0.0
            nodes[(i, j)] = (round(x + float(dx), 2), round(y + float(dy), 2))
    return nodes


ROW_STREETS = {0: "デモ浜通り", 5: "デモ南通り", 10: "デモ中央通り", 15: "デモ北通り", 20: "デモ台通り"}
COLUMN_STREETS = {0: "デモ西通り", 5: "デモ桜通り", 10: "デモ本町通り", 15: "デモ東通り", 20: "デモ海岸通り"}
BRIDGE_NAMES = {5: "デモ西橋", 15: "デモ東橋"}
#: Diagonals through grid corners, one step (±1, ±1) per segment, so they meet the grid only at
#: corners: (first corner, step, number of segments, highway, name).
DIAGONALS = (((1, 1), (1, 1), 9, "tertiary", "デモ旧街道"),
             ((14, 12), (1, 1), 5, "residential", "デモけやき通り"),
             ((1, 19), (1, -1), 3, "footway", "デモ台遊歩道"))
HILLS = box(-HALF, 600.0, -450.0, HALF)  # the north-western hillside: fewer, steeper streets


def build_streets(rng: np.random.Generator, nodes: dict[tuple[int, int], tuple[float, float]]
                  ) -> list[tuple[tuple[int, int], tuple[int, int], str, str | None]]:
    """Noded street segments between grid corners: (corner a, corner b, highway, name).

    No segment touches the river but the two bridges, none the railway but the two level
    crossings; a few hillside blocks lose a street (never disconnecting the network) and a few
    hillside streets are footpaths.  Only the connected network is kept."""
    river, rail = river_polygon(), railway_line()
    candidates: list[tuple[tuple[int, int], tuple[int, int], str, str | None, str]] = []
    for j in range(STEPS + 1):
        for i in range(STEPS + 1):
            if i < STEPS:  # east-west
                main = j % 5 == 0
                candidates.append(((i, j), (i + 1, j), "tertiary" if main else "residential",
                                   ROW_STREETS.get(j), "row"))
            if j < STEPS:  # north-south
                main = i % 5 == 0
                candidates.append(((i, j), (i, j + 1), "tertiary" if main else "residential",
                                   COLUMN_STREETS.get(i), "column"))
    for start, (di, dj), count, highway, name in DIAGONALS:
        for k in range(count):
            a = (start[0] + k * di, start[1] + k * dj)
            candidates.append((a, (a[0] + di, a[1] + dj), highway, name, "diagonal"))

    kept = []
    for a, b, highway, name, direction in candidates:
        line = LineString([nodes[a], nodes[b]])
        if line.intersects(river):
            bridge = direction == "column" and a[0] in BRIDGE_COLUMNS
            if not bridge:
                continue
            if min(Point(nodes[a]).distance(river), Point(nodes[b]).distance(river)) < 20.0:
                raise AssertionError(f"bridge corner too close to the bank at column {a[0]}")
            name = BRIDGE_NAMES[a[0]]
        if line.intersects(rail) and not (direction == "row" and a[1] in CROSSING_ROWS):
            continue
        kept.append((a, b, highway, name))

    # The hillside: some blocks have no through street, some streets are only footpaths.
    graph = nx.Graph()
    graph.add_edges_from((a, b) for a, b, _, _ in kept)
    thinned = []
    for a, b, highway, name in kept:
        draw_drop, draw_foot = rng.random(2)
        hillside = HILLS.contains(LineString([nodes[a], nodes[b]])) and highway == "residential"
        if hillside and draw_drop < 0.22:
            graph.remove_edge(a, b)
            if nx.has_path(graph, a, b) and graph.degree(a) >= 2 and graph.degree(b) >= 2:
                continue
            graph.add_edge(a, b)
        if hillside and draw_foot < 0.15:
            highway = "footway"
        thinned.append((a, b, highway, name))

    largest = max(nx.connected_components(graph), key=lambda c: (len(c), min(c)))
    result = [s for s in thinned if s[0] in largest]
    if len(result) < 0.97 * len(thinned):
        raise AssertionError("the street network fell apart")
    return result


# ----------------------------------------------------------------------------------------------
# Areas: 42 small areas in six east-west bands, six elementary districts (Voronoi cells of their
# schools, each half of the town on its own), and the levels above them.

RAIL = "rail"
#: Bands south → north: (lower boundary, upper boundary, column boundaries west → east).  A
#: boundary is a street row/column index (the line follows the jittered street), the river or
#: the railway, as real 町丁 boundaries follow roads, rivers and railways.
RIVER = "river"
BANDS = ((0, 5, (0, 3, 7, 10, RAIL, 16, 20)),
         (5, 8, (0, 3, 6, 9, 12, 14, 17, 20)),
         (8, RIVER, (0, 2, 5, 7, 9, RAIL, 14, 17, 20)),
         (RIVER, 14, (0, 3, 6, 8, 10, RAIL, 15, 17, 20)),
         (14, 17, (0, 2, 5, 8, 11, RAIL, 16, 20)),
         (17, 20, (0, 3, 6, 10, 13, 16, 20)))

#: 町・字: name, kana, 4-digit code, people per km², ageing tendency, persons per household
#: adjustment, the (band, column) cells it covers (丁目 numbered north → south, west → east).
#: A district with one cell and no 丁目 is an 大字 with a 9-digit KEY_CODE, as e-Stat writes it.
#: Codes run from the town centre outwards, as old 町字 codes often do, not north to south.
DISTRICTS = (
    ("デモ台", "デモダイ", "0060", 3000, 0.44, -0.05, ((5, 0), (5, 1), (4, 0), (4, 1))),
    ("デモ丘", "デモオカ", "0050", 2800, 0.37, 0.00, ((5, 2), (4, 2), (3, 0), (3, 1), (3, 2))),
    ("デモ町", "デモマチ", "0010", 6500, 0.23, -0.20, ((4, 3), (4, 4), (3, 3), (3, 4))),
    ("デモ駅前", "デモエキマエ", "0020", 7500, 0.19, -0.40, ((4, 5), (3, 5))),
    ("デモ北町", "デモキタマチ", "0030", 3000, 0.33, 0.00, ((5, 3), (5, 4), (5, 5))),
    ("デモ東町", "デモヒガシマチ", "0040", 3800, 0.27, 0.05, ((4, 6), (3, 6), (3, 7))),
    ("デモ川端", "デモカワバタ", "0070", 4200, 0.30, 0.00, ((2, 0), (2, 1), (2, 2), (2, 3))),
    ("デモ南町", "デモミナミマチ", "0080", 5500, 0.24, -0.10, ((2, 4), (2, 5), (1, 3), (1, 4))),
    ("デモ新町", "デモシンマチ", "0090", 4500, 0.20, 0.25, ((2, 6), (2, 7), (1, 5), (1, 6))),
    ("デモ西町", "デモニシマチ", "0100", 3000, 0.32, 0.05, ((1, 0), (1, 1), (1, 2))),
    ("デモ浜", "デモハマ", "0110", 2400, 0.34, 0.05, ((0, 2), (0, 3), (0, 4), (0, 5))),
    ("大字デモ原", "オオアザデモハラ", "0120", 700, 0.40, 0.35, ((0, 0),)),
    ("大字デモ沢", "オオアザデモサワ", "0130", 600, 0.39, 0.35, ((0, 1),)),
)
KANJI_NUMBERS = "一二三四五六七八九"

#: Schools (elementary), north of the river then south: code, name, kana, school position.
ELEMENTARY = (("E01", "デモ台小学校区", "デモダイショウガッコウク", (-1000.0, 700.0)),
              ("E02", "デモ本町小学校区", "デモホンマチショウガッコウク", (150.0, 700.0)),
              ("E03", "デモ北小学校区", "デモキタショウガッコウク", (950.0, 1000.0)),
              ("E04", "デモ西小学校区", "デモニシショウガッコウク", (-950.0, -700.0)),
              ("E05", "デモ南小学校区", "デモミナミショウガッコウク", (150.0, -600.0)),
              ("E06", "デモ浜小学校区", "デモハマショウガッコウク", (1000.0, -1000.0)))
#: Junior-high districts: code, name, kana, elementary districts, daily-life area ("" = straddles).
JUNIOR_HIGH = (("J01", "デモ第一中学校区", "デモダイイチチュウガッコウク", ("E01", "E02"), "DL01"),
               ("J02", "デモ第二中学校区", "デモダイニチュウガッコウク", ("E03", "E06"), ""),
               ("J03", "デモ第三中学校区", "デモダイサンチュウガッコウク", ("E04", "E05"), "DL02"))
#: Daily-life areas: the river divides them.
DAILY_LIFE = (("DL01", "北部圏域", "ホクブケンイキ", "north"), ("DL02", "南部圏域", "ナンブケンイキ", "south"))


def _extended_column(nodes, i: int) -> LineString:
    coords = [nodes[(i, j)] for j in range(STEPS + 1)]
    return LineString([(coords[0][0], -HALF - 100)] + coords + [(coords[-1][0], HALF + 100)])


def _boundary_line(nodes, which) -> list[tuple[float, float]]:
    """A band's lower/upper boundary, west → east."""
    if which == RIVER:
        return list(river_centreline().coords)
    return [nodes[(i, which)] for i in range(STEPS + 1)]


def small_area_cells(nodes) -> dict[tuple[int, int], Polygon]:
    """The 42 small-area polygons by (band, column)."""
    cells = {}
    for band, (lower, upper, columns) in enumerate(BANDS):
        ring = _boundary_line(nodes, lower) + _boundary_line(nodes, upper)[::-1]
        pieces = [Polygon(ring)]
        for column in columns[1:-1]:
            line = railway_line() if column == RAIL else _extended_column(nodes, column)
            pieces = [part for piece in pieces for part in split(piece, line).geoms]
        pieces.sort(key=lambda p: p.centroid.x)
        if len(pieces) != len(columns) - 1:
            raise AssertionError(f"band {band} split into {len(pieces)} pieces")
        for column, piece in enumerate(pieces):
            cells[(band, column)] = piece
    return cells


def town_halves() -> dict[str, Polygon]:
    river = list(river_centreline().coords)
    return {"north": Polygon(river + [(HALF, HALF), (-HALF, HALF)]),
            "south": Polygon([(-HALF, -HALF), (HALF, -HALF)] + river[::-1])}


def elementary_cells() -> dict[str, Polygon]:
    """Each school's Voronoi cell within its half of the town (they cut across small areas)."""
    halves = town_halves()
    result = {}
    for half, schools in (("north", ELEMENTARY[:3]), ("south", ELEMENTARY[3:])):
        points = shapely.MultiPoint([school[3] for school in schools])
        cells = shapely.voronoi_polygons(points, extend_to=box(-3 * HALF, -3 * HALF, 3 * HALF, 3 * HALF))
        for code, _, _, position in schools:
            cell = next(g for g in cells.geoms if g.contains(Point(position)))
            result[code] = cell.intersection(halves[half])
    return result


def assemble(levels: list[dict[str, Polygon]]) -> list[dict[str, Polygon]]:
    """Rebuild every level from one set of faces, so neighbours share identical edges.

    All boundaries are noded together and polygonised into faces; each face joins the area of
    each level it overlaps most; each area is the coverage union of its faces."""
    lines = [polygon.boundary for level in levels for polygon in level.values()]
    noded = shapely.unary_union(lines, grid_size=0.001)  # snap-rounded to 1 mm: no slivers
    faces = list(shapely.polygonize(list(noded.geoms)).geoms)
    if min(face.area for face in faces) < 1.0:
        raise AssertionError("a sliver face")
    faces.sort(key=lambda f: (round(f.representative_point().x, 3), round(f.representative_point().y, 3)))
    assembled = []
    for level in levels:
        members: dict[str, list[Polygon]] = {key: [] for key in level}
        for face in faces:
            best = max(level, key=lambda key: face.intersection(level[key]).area)
            members[best].append(face)
        rebuilt = {}
        for key, parts in members.items():
            union = shapely.coverage_union_all(parts)
            if union.geom_type != "Polygon" or len(union.interiors):
                raise AssertionError(f"{key} is not a simple polygon")
            if abs(union.area - level[key].area) > 1.0:
                raise AssertionError(f"{key} changed area when assembled")
            rebuilt[key] = union
        assembled.append(rebuilt)
    return assembled


# ----------------------------------------------------------------------------------------------
# Output: deterministic GeoJSON (fixed property order, 7 decimals, one feature per line) and CSV.

def _lonlat(coords) -> list[list[float]]:
    array = np.asarray(coords, dtype=float)
    lon, lat = _to_lonlat.transform(array[:, 0] + CENTRE[0], array[:, 1] + CENTRE[1])
    result: list[list[float]] = []
    for a, b in zip(lon.tolist(), lat.tolist()):
        point = [round(a, 7), round(b, 7)]
        if not result or result[-1] != point:
            result.append(point)
    return result


def lonlat_point(x: float, y: float) -> tuple[float, float]:
    """(lon, lat) of a local point, rounded to 7 decimals as written."""
    lon, lat = _lonlat([(x, y)])[0]
    return lon, lat


def _geometry(geometry) -> dict:
    if geometry.geom_type == "Point":
        return {"type": "Point", "coordinates": _lonlat(geometry.coords)[0]}
    if geometry.geom_type == "LineString":
        return {"type": "LineString", "coordinates": _lonlat(geometry.coords)}
    if geometry.geom_type == "Polygon":
        polygon = orient(shapely.normalize(geometry), sign=1.0)  # canonical start, CCW exterior
        return {"type": "Polygon",
                "coordinates": [_lonlat(ring.coords) for ring in (polygon.exterior, *polygon.interiors)]}
    raise TypeError(geometry.geom_type)


def write_geojson(path: Path, features: list[tuple[dict, object]]) -> None:
    head = {"type": "FeatureCollection", "name": path.stem, "description": DESCRIPTION}
    lines = [json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1] + ',"features":[']
    for number, (properties, geometry) in enumerate(features):
        feature = {"type": "Feature", "properties": properties, "geometry": _geometry(geometry)}
        comma = "," if number < len(features) - 1 else ""
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")) + comma)
    lines.append("]}")
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))


def write_csv(path: Path, header: list[str], rows: list[list[object]], encoding: str) -> None:
    """CSV as spreadsheets save it for municipal portals: CRLF line ends, minimal quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


# ----------------------------------------------------------------------------------------------
# Resources.

RESOURCE_HEADER = ["ID", "名称", "名称_カナ", "種別", "運営主体", "住所", "緯度", "経度", "開催日", "開始時間", "終了時間",
                   "対象者", "参加費", "定員", "バリアフリー", "相談対応", "電話番号", "公開", "最終確認日", "出典"]
POPULATION_HEADER = ["KEY_CODE", "地域名", "総数", "0～14歳", "15～64歳", "65歳以上", "75歳以上", "世帯数", "出典"]
#: Salon names (hiragana part) in ID order; ひまわり is S01.
SALON_LABELS = ["ひまわり", "さくら", "あおぞら", "ふれあい", "いきいき", "なごみ", "えがお", "ほほえみ", "すずらん", "つばき",
                "かえで", "わかば", "こすもす", "たんぽぽ", "ゆうゆう", "のぞみ", "やすらぎ", "あじさい", "もみじ", "しおさい",
                "みどり", "はなみずき", "いちょう", "なのはな", "きずな", "まつぼっくり", "どんぐり", "ひだまり", "おひさま"]
SCHEDULES = ["毎週火曜", "第1・第3木曜日", "第2・第4水曜", "月2回", "隔週金曜", "毎月第3土曜日", "平日", "不定期（要問合せ）",
             "毎週月曜", "第2・第4金曜", "毎週水曜", "第1月曜", "毎週木曜（祝日休み）", "第4日曜日", "隔月第2火曜"]
TIMES = [("10:00", "12:00"), ("13:30", "15:30"), ("10:00", "11:30"), ("14:00", "16:00"), ("09:30", "11:30")]
DEMENTIA = "認知症の方とご家族"
TARGETS = ["高齢者", "どなたでも", "65歳以上の方", "地域の高齢者とボランティア", DEMENTIA]
TARGET_SHARES = [0.35, 0.25, 0.15, 0.17, 0.08]
FEES = ["100円", "無料", "200円", "300円（お茶代）", "実費"]
FLAGS = ["あり", "なし", ""]
CANDIDATE_KINDS = ("公民館", "集会所", "空き家", "空き店舗")
EMPTY_SHOPS = ("旧デモ台ストア", "旧さかえ商店", "旧デモ書店", "旧みなと青果店")


def _kana(hiragana: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in hiragana)


def _date(rng: np.random.Generator) -> str:
    return (datetime.date(2025, 4, 1) + datetime.timedelta(days=int(rng.integers(0, 540)))).isoformat()


def _address(rng: np.random.Generator, area_name: str) -> str:
    return f"{TOWN}{area_name}{int(rng.integers(1, 25))}番{int(rng.integers(1, 30))}号"


class _Town:
    """The generated layers in local metres, shared by the writers below."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.nodes = grid_nodes(self.rng)
        self.streets = build_streets(self.rng, self.nodes)
        self.graph = nx.Graph()
        for a, b, _, _ in self.streets:
            self.graph.add_edge(a, b, length=math.dist(self.nodes[a], self.nodes[b]))
        self.river = river_polygon()
        cells = small_area_cells(self.nodes)
        elementary = elementary_cells()
        halves = town_halves()
        self.cells, self.elementary, self.halves = assemble([cells, elementary, halves])
        self.town = shapely.coverage_union_all(list(self.cells.values()))
        self._name_small_areas()

    # -- small areas and population -----------------------------------------------------------
    def _name_small_areas(self) -> None:
        self.areas = []  # (KEY_CODE, S_NAME, polygon, district row)
        for district in DISTRICTS:
            name, _, code, _, _, _, members = district
            for number, cell in enumerate(members, start=1):
                if len(members) == 1:
                    self.areas.append((f"{MUNICIPALITY_CODE}{code}", name, self.cells[cell], district))
                else:
                    self.areas.append((f"{MUNICIPALITY_CODE}{code}{number:02d}", f"{name}{KANJI_NUMBERS[number - 1]}丁目",
                                       self.cells[cell], district))
        self.areas.sort(key=lambda a: a[0])

    def area_at(self, x: float, y: float) -> tuple[str, str]:
        point = Point(x, y)
        for code, name, polygon, _ in self.areas:
            if polygon.covers(point):
                return code, name
        raise ValueError((x, y))

    def population(self) -> list[list[object]]:
        rng = self.rng
        raw = []
        for code, name, polygon, (_, _, _, density, ageing, pph_shift, _) in self.areas:
            total = int(round(polygon.area / 1e6 * density * math.exp(rng.normal(0.0, 0.12))))
            raw.append((code, name, total, ageing + rng.normal(0.0, 0.012), pph_shift))
        low, high = min(r[3] for r in raw), max(r[3] for r in raw)
        rows = []
        for code, name, total, score, pph_shift in raw:
            rate = 0.182 + (score - low) / (high - low) * (0.448 - 0.182)
            old = int(round(total * rate))
            oldest = min(old, int(round(old * (0.42 + 0.6 * (rate - 0.18) + rng.normal(0.0, 0.02)))))
            young = int(round(total * max(0.05, 0.155 - 0.2 * (rate - 0.18) + rng.normal(0.0, 0.008))))
            working = total - old - young
            households = int(round(total / (2.45 - 1.0 * (rate - 0.18) + pph_shift + rng.normal(0.0, 0.05))))
            rows.append([code, name, total, young, working, old, oldest, households, SOURCE])
        self.population_rows = rows
        return rows

    # -- placing things next to streets -------------------------------------------------------
    def beside_street(self, node, rng: np.random.Generator, keep_south_of_river: bool = False
                      ) -> tuple[float, float]:
        """A point 6–18 m to the side of a street leaving ``node``, off the water and the railway."""
        neighbours = sorted(self.graph.neighbors(node))
        for _ in range(50):
            other = neighbours[int(rng.integers(0, len(neighbours)))]
            t, offset, side = rng.uniform(0.2, 0.45), rng.uniform(6.0, 18.0), (-1.0, 1.0)[int(rng.integers(0, 2))]
            (ax, ay), (bx, by) = self.nodes[node], self.nodes[other]
            length = math.hypot(bx - ax, by - ay)
            px, py = ax + t * (bx - ax) - side * offset * (by - ay) / length, \
                ay + t * (by - ay) + side * offset * (bx - ax) / length
            point = Point(px, py)
            if point.distance(self.river) < 10 or abs(px - RAILWAY_X) < 10 or max(abs(px), abs(py)) > HALF - 5:
                continue
            if keep_south_of_river and py > river_centre_y(px):
                continue
            if LineString([(ax, ay), (px, py)]).intersects(self.river) or \
                    LineString([(ax, ay), (px, py)]).intersects(railway_line()):
                continue
            return round(px, 2), round(py, 2)
        raise AssertionError(f"no place beside the street at {node}")


def generate(out_dir: Path, seed: int = SEED) -> dict[str, Path]:
    """Write every demo file into ``out_dir``; returns {logical name: path}."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    town = _Town(seed)
    rng = town.rng
    paths: dict[str, Path] = {}

    def path(name: str) -> Path:
        paths[name.split(".")[0]] = out_dir / name
        return out_dir / name

    nodes = town.nodes
    # -- the physical town --------------------------------------------------------------------
    write_geojson(path("streets.geojson"), [
        ({"highway": highway, "name": name, "source": SOURCE}, LineString([nodes[a], nodes[b]]))
        for a, b, highway, name in town.streets])
    write_geojson(path("water.geojson"), [({"waterway": "river", "name": "デモ川", "source": SOURCE}, town.river)])
    write_geojson(path("railway.geojson"), [({"railway": "rail", "name": "架空鉄道デモ線", "source": SOURCE},
                                             railway_line())])

    # -- areas --------------------------------------------------------------------------------
    write_geojson(path("municipality.geojson"), [({"code": MUNICIPALITY_CODE, "name": TOWN, "name_en": TOWN_EN,
                                                   "source": SOURCE}, town.town)])
    write_geojson(path("daily_life_areas.geojson"), [
        ({"code": code, "name": name, "name_kana": kana, "source": SOURCE}, town.halves[half])
        for code, name, kana, half in DAILY_LIFE])
    junior = {code: shapely.coverage_union_all([town.elementary[e] for e in members])
              for code, _, _, members, _ in JUNIOR_HIGH}
    write_geojson(path("junior_high_districts.geojson"), [
        ({"code": code, "name": name, "name_kana": kana, "parent_code": parent, "source": SOURCE}, junior[code])
        for code, name, kana, _, parent in JUNIOR_HIGH])
    parent_of = {e: code for code, _, _, members, _ in JUNIOR_HIGH for e in members}
    write_geojson(path("elementary_districts.geojson"), [
        ({"code": code, "name": name, "name_kana": kana, "parent_code": parent_of[code], "source": SOURCE},
         town.elementary[code]) for code, name, kana, _ in ELEMENTARY])

    population = town.population()
    by_code = {row[0]: row for row in population}
    write_geojson(path("small_areas.geojson"), [
        ({"KEY_CODE": code, "S_NAME": name, "JINKO": by_code[code][2], "SETAI": by_code[code][7], "source": SOURCE},
         polygon) for code, name, polygon, _ in town.areas])
    write_csv(path("population_by_age.csv"), POPULATION_HEADER, population, "utf-8-sig")

    # -- where gathering places may go: far enough, by street, from the gap neighbourhood --------
    gap_polygon = next(polygon for _, name, polygon, _ in town.areas if name == GAP_AREA_NAME)
    gap_nodes = sorted(n for n in town.graph.nodes if gap_polygon.covers(Point(nodes[n])))
    near_gap = nx.multi_source_dijkstra_path_length(town.graph, gap_nodes, cutoff=GAP_WALK_M + GAP_MARGIN_M,
                                                    weight="length")
    density = {code: by_code[code][2] / (polygon.area / 1e6) for code, _, polygon, _ in town.areas}

    def allowed(node, river_clearance: float = 40.0) -> bool:
        x, y = nodes[node]
        return (node not in near_gap and Point(x, y).distance(town.river) > river_clearance
                and max(abs(x), abs(y)) < HALF - 60)

    usable = [n for n in sorted(town.graph.nodes) if allowed(n)]
    taken: list[tuple[float, float]] = []

    def spaced(node, gap: float) -> bool:
        return all(math.dist(nodes[node], p) >= gap for p in taken)

    # 地域の縁側: about one per elementary district, near its school, where the gap rule allows.
    engawa_resources = []
    for code, _, _, (sx, sy) in ELEMENTARY:
        district = town.elementary[code]
        options = [n for n in usable if district.contains(Point(nodes[n]))]
        node = min(options, key=lambda n: (math.dist(nodes[n], (sx + 140.0, sy - 90.0)), n))
        engawa_resources.append((code, node))
        taken.append(nodes[node])

    # Salons: the across-river one first, then 29 more drawn where people live (denser → likelier).
    across_node = min((n for n in sorted(town.graph.nodes)
                       if 0.0 < nodes[n][0] < 300.0 and nodes[n][1] < river_centre_y(nodes[n][0])
                       and Point(nodes[n]).distance(town.river) > 20.0),
                      key=lambda n: (Point(nodes[n]).distance(town.river), n))
    taken.append(nodes[across_node])
    salon_nodes = [across_node]
    weights = np.array([density[town.area_at(*nodes[n])[0]] ** 1.5 for n in usable])
    order = rng.choice(len(usable), size=len(usable), replace=False, p=weights / weights.sum())
    for index in order:
        node = usable[int(index)]
        if len(salon_nodes) == 30:
            break
        if spaced(node, 230.0):
            salon_nodes.append(node)
            taken.append(nodes[node])
    if len(salon_nodes) != 30:
        raise AssertionError("not enough room for 30 salons")

    salon_points = []
    for node in salon_nodes:
        x, y = town.beside_street(node, rng, keep_south_of_river=node == across_node)
        code, area_name = town.area_at(x, y)
        salon_points.append((code, x, y, node == across_node, area_name))
    # IDs follow the list's usual order: by district code, then west → east.
    salon_points.sort(key=lambda s: (s[0], s[1]))
    across_rank = next(k for k, s in enumerate(salon_points) if s[3])
    labels = [label for label in SALON_LABELS]
    labels.insert(across_rank, ACROSS_RIVER_SALON_NAME.removesuffix("サロン"))
    staff_only = {6, 18}  # two salons for people referred by staff (dementia support)
    # Every kind of schedule text at least once (one is not machine-readable), the rest drawn.
    schedule_picks = [SCHEDULES[int(k)] for k in rng.choice(len(SCHEDULES), size=30)]
    for slot, text in zip(rng.permutation(29)[:8] + 1, SCHEDULES[:8]):
        schedule_picks[int(slot)] = text
    schedule_picks[0] = "第1・第3木曜日"  # S01 ひまわりサロン, the first row, is the example the docs quote
    salon_rows = []
    for k, (code, x, y, across, area_name) in enumerate(salon_points):
        number = k + 1
        label = labels[k]
        kind = "通いの場" if (number % 4 == 0 and not across and k not in staff_only) else "サロン"
        name = f"{label}{'百歳体操の会' if kind == '通いの場' else 'サロン'}"
        kana = _kana(label) + ("ヒャクサイタイソウノカイ" if kind == "通いの場" else "サロン")
        schedule = schedule_picks[k]
        opens, closes = TIMES[int(rng.integers(0, len(TIMES)))] if k else ("13:30", "15:30")
        if schedule.startswith("不定期"):
            opens = closes = ""
        target = DEMENTIA if k in staff_only else TARGETS[int(rng.choice(len(TARGETS), p=TARGET_SHARES))]
        capacity = "" if rng.random() < 0.2 else str(int(rng.integers(10, 41)))
        operator = ["デモ町社会福祉協議会", f"{area_name.rstrip('一二三四五六七八九丁目')}自治会", "NPO法人デモささえあい",
                    f"ボランティアグループ{label}"][int(rng.integers(0, 4))]
        lon, lat = lonlat_point(x, y)
        salon_rows.append([
            f"S{number:02d}", name, kana, kind, operator, _address(rng, area_name), f"{lat:.7f}", f"{lon:.7f}",
            schedule, opens, closes, target, FEES[int(rng.integers(0, len(FEES)))], capacity,
            FLAGS[int(rng.integers(0, 3))], FLAGS[int(rng.integers(0, 3))],
            f"000-0000-{1000 + number}", "職員のみ" if k in staff_only else "公開", _date(rng), SOURCE])
    write_csv(path("salons.csv"), RESOURCE_HEADER, salon_rows, "utf-8-sig")

    engawa_rows = []
    engawa_days = ["平日", "月水金", "毎週火・木曜", "平日", "月水金", "毎週火・木曜"]
    for number, (code, node) in enumerate(engawa_resources, start=1):
        x, y = town.beside_street(node, rng)
        _, area_name = town.area_at(x, y)
        school = next(e for e in ELEMENTARY if e[0] == code)
        district_name = school[1].removesuffix("小学校区")
        lon, lat = lonlat_point(x, y)
        engawa_rows.append([
            f"N{number:02d}", f"地域の縁側 {district_name}のえんがわ", f"チイキノエンガワ {school[2].removesuffix('ショウガッコウク')}ノエンガワ",
            "地域の縁側", f"{district_name}縁側運営委員会", _address(rng, area_name), f"{lat:.7f}", f"{lon:.7f}",
            engawa_days[number - 1], "10:00", "16:00", "どなたでも", ["無料", "100円"][number % 2],
            "" if number == 3 else str(int(rng.integers(10, 31))), FLAGS[number % 2], "あり",
            f"000-0000-{2000 + number}", "公開", _date(rng), SOURCE])
    write_csv(path("engawa.csv"), RESOURCE_HEADER, engawa_rows, "cp932")

    # -- 地域包括支援センター: one per junior-high district (J01, J02, J03) ------------------------------------------
    centre_targets = (("デモ北部地域包括支援センター", (-450.0, 700.0)), ("デモ東部地域包括支援センター", (800.0, -150.0)),
                      ("デモ南部地域包括支援センター", (-350.0, -700.0)))
    support = []
    for number, (name, target) in enumerate(centre_targets, start=1):
        node = min(sorted(town.graph.nodes), key=lambda n: math.dist(nodes[n], target))
        x, y = town.beside_street(node, rng)
        support.append(({"name": name, "address": _address(rng, town.area_at(x, y)[1]),
                         "telephoneNumber": f"000-0000-{3000 + number}", "availableDate": "月火水木金",
                         "startTime": "08:30", "endTime": "17:15", "availableDateNote": "祝日・年末年始休み",
                         "kind": "地域包括支援センター", "source": SOURCE}, Point(x, y)))
    write_geojson(path("support_centres.geojson"), support)

    # -- candidate sites: mostly where the walk to any gathering place is long ------------------
    resources = [n for n in salon_nodes] + [n for _, n in engawa_resources]
    reach = nx.multi_source_dijkstra_path_length(town.graph, resources, weight="length")
    far = [n for n in sorted(town.graph.nodes, key=lambda n: (-reach[n], n))
           if max(abs(nodes[n][0]), abs(nodes[n][1])) < HALF - 60 and Point(nodes[n]).distance(town.river) > 40]
    chosen: list = []
    for node in far:  # the nine least served, at least 250 m apart
        if len(chosen) == 9:
            break
        if all(math.dist(nodes[node], nodes[c]) >= 250.0 for c in chosen):
            chosen.append(node)
    others = [n for n in usable if all(math.dist(nodes[n], nodes[c]) >= 250.0 for c in chosen)]
    chosen += [others[int(k)] for k in sorted(rng.choice(len(others), size=3, replace=False))]
    candidates, names = [], set()
    for number, node in enumerate(chosen, start=1):
        kind = CANDIDATE_KINDS[(number - 1) % 4]
        x, y = town.beside_street(node, rng)
        _, area_name = town.area_at(x, y)
        district = area_name.rstrip("一二三四五六七八九丁目")
        variants = {"公民館": [f"{district}公民館", f"{district}公民館分館", f"{district}公民館北分館"],
                    "集会所": [f"{area_name}集会所", f"{area_name}第二集会所", f"{area_name}第三集会所"],
                    "空き家": [f"空き家バンク物件 A-{number:02d}（{area_name}）"],
                    "空き店舗": [f"{EMPTY_SHOPS[(number - 1) // 4]}（空き店舗）"]}[kind]
        name = next(v for v in variants if v not in names)
        names.add(name)
        candidates.append(({"ID": f"K{number:02d}", "name": name, "kind": kind,
                            "address": _address(rng, area_name), "source": SOURCE}, Point(x, y)))
    write_geojson(path("candidate_sites.geojson"), candidates)
    return paths


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python scripts/demo_town.py OUT_DIR", file=sys.stderr)
        return 2
    for name, written in generate(Path(args[0])).items():
        print(f"{name}: {written}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
