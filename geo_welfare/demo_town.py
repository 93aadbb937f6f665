"""The demo town: a generated, fictional town (synthetic data), written in real municipal formats.

The repository cannot ship third-party data, so the demo is generated: deterministic (the same
seed gives byte-identical files), placed in open sea in Sagami Bay so that nobody takes it for a
real place, and marked synthetic on every feature.  It is written as GeoJSON and CSV (one list in
Shift-JIS/CP932) so that ``geo-welfare demo`` exercises the real import path.

Its streets are a jittered grid cut by a river (crossed by two bridges) and a railway (crossed
at two level crossings), so a walk can be several times longer than the straight line.  One
older hillside neighbourhood in the north-west has no salon within walking reach (a gap for
planners), and one salon sits just across the river from a dense neighbourhood.

Run ``python -m geo_welfare.demo_town OUT_DIR`` to write it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import sys
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, Polygon, box
from shapely.ops import unary_union

SEED = 20261125
METRIC_EPSG = 6677  # JGD2011 / Japan Plane Rectangular CS IX (Kanagawa)
CENTRE_LONLAT = (139.40, 35.20)
HALF = 1500.0  # the town is 3 km × 3 km
SPACING = 150.0
RIVER_WIDTH = 30.0
RAILWAY_X = 375.0  # between two street columns
BRIDGE_COLUMNS = (-600.0, 900.0)
CROSSING_ROWS = (-900.0, 900.0)
SOURCE = "合成データ（デモ用・架空）/ synthetic demo data"
TOWN = "架空市デモ町"
MUNICIPALITY_CODE = "14999"

_to_lonlat = Transformer.from_crs(METRIC_EPSG, 6668, always_xy=True)
_from_lonlat = Transformer.from_crs(6668, METRIC_EPSG, always_xy=True)
CENTRE = _from_lonlat.transform(*CENTRE_LONLAT)


# ----------------------------------------------------------------------------------------------
# Geometry in local metres (origin at the town centre), converted on output.

def river_centre_y(x: float) -> float:
    """The river meanders west to east across the middle of the town."""
    return 120.0 + 110.0 * math.sin(2 * math.pi * (x + HALF) / 2400.0)


def river_polygon() -> Polygon:
    xs = np.linspace(-HALF - 50, HALF + 50, 241)
    north = [(x, river_centre_y(x) + RIVER_WIDTH / 2) for x in xs]
    south = [(x, river_centre_y(x) - RIVER_WIDTH / 2) for x in xs[::-1]]
    return Polygon(north + south)


def railway_line() -> LineString:
    return LineString([(RAILWAY_X, -HALF - 50), (RAILWAY_X, HALF + 50)])


def street_nodes(rng: np.random.Generator) -> dict[tuple[int, int], tuple[float, float]]:
    """Grid intersections, jittered a little so the streets do not look ruled."""
    steps = int(2 * HALF / SPACING) + 1
    nodes = {}
    for i in range(steps):
        for j in range(steps):
            x, y = -HALF + i * SPACING, -HALF + j * SPACING
            edge = i in (0, steps - 1) or j in (0, steps - 1)
            dx, dy = (0.0, 0.0) if edge else rng.normal(0, 8.0, 2)
            nodes[(i, j)] = (round(x + dx, 2), round(y + dy, 2))
    return nodes


def streets(rng: np.random.Generator) -> list[tuple[LineString, str, str]]:
    """Noded street segments (geometry, highway, name) avoiding the river and railway but at crossings."""
    nodes = street_nodes(rng)
    river = river_polygon()
    rail = railway_line()
    result = []
    for (i, j), start in nodes.items():
        for (di, dj) in ((1, 0), (0, 1)):
            neighbour = (i + di, j + dj)
            if neighbour not in nodes:
                continue
            segment = LineString([start, nodes[neighbour]])
            vertical = di == 0
            column_x, row_y = -HALF + i * SPACING, -HALF + j * SPACING
            if segment.intersects(river):
                if not (vertical and column_x in BRIDGE_COLUMNS):
                    continue
            if segment.intersects(rail):
                if not (not vertical and row_y in CROSSING_ROWS):
                    continue
            main = (i % 5 == 0) if vertical else (j % 5 == 0)
            highway = "tertiary" if main else "residential"
            name = (f"デモ{'南北' if vertical else '東西'}通り{(i if vertical else j) // 5 + 1}" if main else "")
            if (vertical and column_x in BRIDGE_COLUMNS and segment.intersects(river)):
                name = f"デモ橋{BRIDGE_COLUMNS.index(column_x) + 1}"
            result.append((segment, highway, name))
    return result


def small_area_cells() -> list[tuple[str, str, Polygon]]:
    """About 40 census-style small areas: a 7 × 6 block grid (KEY_CODE, name, polygon)."""
    columns, rows = 7, 6
    width, height = 2 * HALF / columns, 2 * HALF / rows
    areas = []
    for row in range(rows):
        for column in range(columns):
            cell = box(-HALF + column * width, -HALF + row * height,
                       -HALF + (column + 1) * width, -HALF + (row + 1) * height)
            block = row + 1
            chome = column + 1
            district = ("南" if row < 3 else "北") + ("西" if column < 3 else "東")
            name = f"デモ町{district}{block}条{chome}丁目"
            code = f"{MUNICIPALITY_CODE}{block:03d}{chome:03d}"
            areas.append((code, name, cell))
    return areas


SCHOOL_POINTS = [(-1000.0, -900.0), (200.0, -1000.0), (1050.0, -700.0),
                 (-1050.0, 800.0), (100.0, 1000.0), (1000.0, 900.0)]


def elementary_districts() -> list[Polygon]:
    """Six elementary districts: Voronoi cells of the schools, clipped to the town (they cut across 町丁)."""
    town = box(-HALF, -HALF, HALF, HALF)
    cells = shapely.voronoi_polygons(shapely.MultiPoint(SCHOOL_POINTS), extend_to=town.buffer(1000))
    ordered = []
    for point in SCHOOL_POINTS:
        cell = next(g for g in cells.geoms if g.contains(Point(point)))
        ordered.append(shapely.set_precision(cell.intersection(town), 0.01))
    return ordered


# ----------------------------------------------------------------------------------------------
# Output: deterministic GeoJSON and CSV.

def _to_output(geometry) -> dict:
    moved = shapely.transform(geometry, lambda xy: np.column_stack(
        _to_lonlat.transform(xy[:, 0] + CENTRE[0], xy[:, 1] + CENTRE[1])))
    return json.loads(shapely.to_geojson(shapely.set_precision(moved, 1e-7)))


def _point_lonlat(x: float, y: float) -> tuple[float, float]:
    lon, lat = _to_lonlat.transform(x + CENTRE[0], y + CENTRE[1])
    return round(lon, 7), round(lat, 7)


def write_geojson(path: Path, features: list[tuple[dict, object]]) -> None:
    collection = {"type": "FeatureCollection", "name": path.stem, "features": [
        {"type": "Feature", "properties": properties, "geometry": _to_output(geometry)}
        for properties, geometry in features]}
    path.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def write_csv(path: Path, header: list[str], rows: list[list[object]], encoding: str) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))


# ----------------------------------------------------------------------------------------------
# The town.

SALON_SCHEDULES = ["毎週火曜", "第1・第3木曜日", "第2・第4水曜", "月2回", "隔週金曜", "毎月第3土曜日", "平日",
                   "毎週月曜", "第2・第4金曜", "毎週水曜", "第1月曜", "毎週木曜", "不定期（要問合せ）", "隔月第2火曜"]
SALON_TIMES = [("10:00", "12:00"), ("13:30", "15:30"), ("10:00", "11:30"), ("14:00", "16:00")]
TARGETS = ["高齢者", "どなたでも", "認知症の方とご家族", "65歳以上の方"]
FEES = ["100円", "無料", "200円", "300円（お茶代）"]
SALON_NAMES = ["ひまわり", "さくら", "あおぞら", "ふれあい", "いきいき", "なごみ", "えがお", "ほほえみ", "すずらん",
               "つばき", "かえで", "わかば", "こすもす", "たんぽぽ", "ゆうゆう", "のぞみ", "やすらぎ", "あじさい",
               "もみじ", "しおさい", "みどり", "はなみずき", "せせらぎ", "いちょう", "なのはな", "きずな", "まつぼっくり",
               "どんぐり", "ひだまり", "おひさま"]
RESOURCE_HEADER = ["ID", "名称", "名称_カナ", "種別", "運営主体", "住所", "緯度", "経度", "開催日", "開始時間", "終了時間",
                   "対象者", "参加費", "定員", "バリアフリー", "相談対応", "電話番号", "公開", "最終確認日", "出典"]

#: The hillside neighbourhood left without a salon: blocks 5–6 (north) in columns 1–2 (west).
GAP_BOX = box(-HALF, 500.0, -HALF + 2 * (2 * HALF / 7), HALF)
#: The salon placed just south of the river, facing a dense block north of it, far from both bridges.
ACROSS_RIVER_SALON = "S30"


def _area_at(areas, x: float, y: float) -> tuple[str, str]:
    point = Point(x, y)
    for code, name, cell in areas:
        if cell.covers(point):
            return code, name
    raise ValueError((x, y))


def generate(out_dir: Path, seed: int = SEED) -> dict[str, Path]:
    """Write every demo file into ``out_dir``; returns {logical name: path}."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths: dict[str, Path] = {}

    def path(name: str) -> Path:
        paths[name.split(".")[0]] = out_dir / name
        return out_dir / name

    street_list = streets(rng)
    write_geojson(path("streets.geojson"), [({"highway": highway, "name": name, "source": SOURCE}, segment)
                                             for segment, highway, name in street_list])
    write_geojson(path("water.geojson"), [({"waterway": "river", "name": "デモ川", "source": SOURCE}, river_polygon())])
    write_geojson(path("railway.geojson"), [({"railway": "rail", "name": "架空鉄道デモ線", "source": SOURCE},
                                             railway_line())])

    areas = small_area_cells()
    elementary = elementary_districts()
    junior = [unary_union([elementary[0], elementary[1]]), unary_union([elementary[2], elementary[5]]),
              unary_union([elementary[3], elementary[4]])]
    daily = [unary_union([junior[0], junior[1]]), junior[2]]
    town = unary_union([cell for _, _, cell in areas])
    write_geojson(path("municipality.geojson"), [({"code": MUNICIPALITY_CODE, "name": TOWN, "source": SOURCE}, town)])
    write_geojson(path("daily_life_areas.geojson"), [
        ({"code": "DL01", "name": "南部圏域", "name_kana": "なんぶけんいき", "source": SOURCE}, daily[0]),
        ({"code": "DL02", "name": "北部圏域", "name_kana": "ほくぶけんいき", "source": SOURCE}, daily[1])])
    junior_names = ["デモ第一中学校区", "デモ第二中学校区", "デモ第三中学校区"]
    junior_parent = ["DL01", "DL01", "DL02"]
    write_geojson(path("junior_high_districts.geojson"), [
        ({"code": f"J0{k + 1}", "name": junior_names[k], "parent_code": junior_parent[k], "source": SOURCE}, junior[k])
        for k in range(3)])
    elementary_parent = ["J01", "J01", "J02", "J03", "J03", "J02"]
    elementary_names = ["デモ南小学校区", "デモ駅前小学校区", "デモ東小学校区", "デモ丘小学校区", "デモ北小学校区", "デモ浜小学校区"]
    write_geojson(path("elementary_districts.geojson"), [
        ({"code": f"E0{k + 1}", "name": elementary_names[k], "parent_code": elementary_parent[k], "source": SOURCE},
         elementary[k]) for k in range(6)])

    # Population: older on the north-western hills, younger by the station (railway at the centre).
    station = (RAILWAY_X, 0.0)
    population_rows, area_features = [], []
    for code, name, cell in areas:
        centre = cell.centroid
        hills = max(0.0, (-centre.x + centre.y) / (2 * HALF))  # 0 at the station side … 1 on the NW hills
        near_station = math.hypot(centre.x - station[0], centre.y - station[1]) < 700
        aging = 0.22 + 0.21 * hills + rng.normal(0, 0.02) - (0.03 if near_station else 0.0)
        aging = float(np.clip(aging, 0.181, 0.449))
        total = int(rng.integers(450, 1150))
        if cell.intersects(GAP_BOX) and centre.y > 500:
            aging = float(np.clip(aging + 0.06, 0.181, 0.449))
        age_65 = int(round(total * aging))
        age_75 = int(round(age_65 * rng.uniform(0.45, 0.62)))
        age_0_14 = int(round(total * rng.uniform(0.07, 0.16) * (1.2 if near_station else 1.0)))
        age_15_64 = total - age_65 - age_0_14
        households = int(round(total / rng.uniform(2.0, 2.5)))
        population_rows.append([code, name, total, age_0_14, age_15_64, age_65, age_75, households, SOURCE])
        area_features.append(({"KEY_CODE": code, "S_NAME": name, "JINKO": total, "SETAI": households,
                               "source": SOURCE}, cell))
    write_geojson(path("small_areas.geojson"), area_features)
    write_csv(path("population_by_age.csv"),
              ["KEY_CODE", "地域名", "総数", "0～14歳", "15～64歳", "65歳以上", "75歳以上", "世帯数", "出典"],
              population_rows, "utf-8-sig")

    # Resources sit on street intersections (on the street, so snapping adds nothing).
    nodes = sorted({(round(x, 2), round(y, 2)) for segment, _, _ in street_list for x, y in segment.coords})

    def usable(x: float, y: float) -> bool:
        return (not GAP_BOX.buffer(900).contains(Point(x, y)) and abs(y - river_centre_y(x)) > 60
                and abs(x - RAILWAY_X) > 40 and abs(x) < HALF - 100 and abs(y) < HALF - 100)

    candidates = [node for node in nodes if usable(*node)]
    chosen = [candidates[k] for k in sorted(rng.choice(len(candidates), size=29, replace=False))]
    # S30: on the south bank, midway between the bridges, facing a dense block across the water.
    across_x = 150.0
    across_node = min((n for n in nodes if n[1] < river_centre_y(n[0]) - 20 and abs(n[0] - across_x) < 80),
                      key=lambda n: abs(n[0] - across_x) + abs(n[1] - (river_centre_y(n[0]) - 70)))
    chosen.append(across_node)
    salon_rows = []
    staff_only = {"S07", "S19"}
    for number, (x, y) in enumerate(chosen, start=1):
        identifier = f"S{number:02d}"
        code, area_name = _area_at(areas, x, y)
        lon, lat = _point_lonlat(x, y)
        opens, closes = SALON_TIMES[number % len(SALON_TIMES)]
        schedule = SALON_SCHEDULES[number % len(SALON_SCHEDULES)]
        if schedule.startswith("不定期"):
            opens = closes = ""
        kind = "通いの場" if number % 4 == 0 else "サロン"
        label = SALON_NAMES[number - 1]
        name = f"{label}{'体操の会' if kind == '通いの場' else 'サロン'}"
        capacity = "" if number % 7 == 0 else str(int(rng.integers(10, 41)))
        salon_rows.append([
            identifier, name, "", kind, f"{area_name}町内会" if number % 3 else "デモ町社会福祉協議会",
            f"架空市{area_name}{number}番地", lat, lon, schedule, opens, closes, TARGETS[number % len(TARGETS)],
            FEES[number % len(FEES)], capacity, ["あり", "なし", ""][number % 3], ["なし", "あり", ""][number % 3],
            f"0466-00-{1000 + number:04d}", "職員のみ" if identifier in staff_only else "公開",
            f"2026-{(number % 9) + 1:02d}-{(number % 27) + 1:02d}", SOURCE])
    write_csv(path("salons.csv"), RESOURCE_HEADER, salon_rows, "utf-8-sig")

    engawa_rows = []
    for number, (sx, sy) in enumerate(SCHOOL_POINTS, start=1):
        x, y = min((n for n in nodes if GAP_BOX.contains(Point(n)) is False or number != 4),
                   key=lambda n: math.hypot(n[0] - sx - 120, n[1] - sy - 60))
        _, area_name = _area_at(areas, x, y)
        lon, lat = _point_lonlat(x, y)
        engawa_rows.append([
            f"N{number:02d}", f"地域の縁側 {elementary_names[number - 1].replace('小学校区', '')}の家", "", "地域の縁側",
            "デモ町縁側運営委員会", f"架空市{area_name}{number}番地", lat, lon, ["平日", "月水金", "毎週火曜"][number % 3],
            "10:00", "16:00", "どなたでも", "無料", "15", "あり", "あり", f"0466-00-{2000 + number:04d}", "公開",
            "2026-10-15", SOURCE])
    write_csv(path("engawa.csv"), RESOURCE_HEADER, engawa_rows, "cp932")

    centre_points = [(-700.0, -600.0), (800.0, -450.0), (300.0, 750.0)]
    centre_names = ["デモ南部地域包括支援センター", "デモ東部地域包括支援センター", "デモ北部地域包括支援センター"]
    support = []
    for number, (px, py) in enumerate(centre_points):
        x, y = min(nodes, key=lambda n: math.hypot(n[0] - px, n[1] - py))
        support.append(({"ID": f"C{number + 1}", "name": centre_names[number],
                         "address": f"架空市{_area_at(areas, x, y)[1]}", "telephoneNumber": f"0466-00-{3000 + number:04d}",
                         "availableDate": "月火水木金", "startTime": "08:30", "endTime": "17:15",
                         "availableDateNote": "祝日・年末年始休み", "kind": "地域包括支援センター", "source": SOURCE},
                        Point(x, y)))
    write_geojson(path("support_centres.geojson"), support)

    gap_nodes = [n for n in nodes if GAP_BOX.contains(Point(n))]
    other_nodes = [n for n in nodes if not GAP_BOX.contains(Point(n)) and abs(n[0]) < HALF - 100 and abs(n[1]) < HALF - 100]
    picks = [gap_nodes[k] for k in sorted(rng.choice(len(gap_nodes), size=6, replace=False))] + \
            [other_nodes[k] for k in sorted(rng.choice(len(other_nodes), size=6, replace=False))]
    kinds = ["公民館", "集会所", "空き家", "空き店舗"]
    write_geojson(path("candidate_sites.geojson"), [
        ({"ID": f"K{k + 1:02d}", "name": f"候補地{k + 1}（{kinds[k % 4]}）", "kind": kinds[k % 4],
          "address": f"架空市{_area_at(areas, x, y)[1]}", "source": SOURCE}, Point(x, y))
        for k, (x, y) in enumerate(picks)])
    return paths


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m geo_welfare.demo_town OUT_DIR")
    for name, written in generate(Path(sys.argv[1])).items():
        print(f"{name}: {written}")
