"""The generated demo town: deterministic, labelled synthetic, and shaped as the docs say.

Each check reads the written files with plain json/csv and works the figure out itself.
"""

import csv
import io
import json
import math
from pathlib import Path

import networkx as nx
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import LineString, Point, shape

from geo_welfare import demo_town

COMMITTED = Path(__file__).resolve().parents[1] / "data" / "demo"
SYNTHETIC = "合成データ（デモ用・架空）/ synthetic demo data"
TO_METRES = Transformer.from_crs(6668, 6677, always_xy=True)


@pytest.fixture(scope="module")
def town(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("demo")
    demo_town.generate(directory)
    return directory


def features(directory: Path, name: str) -> list[dict]:
    return json.loads((directory / name).read_text(encoding="utf-8"))["features"]


def metric(geometry):
    return shapely.transform(geometry, lambda xy: __import__("numpy").column_stack(
        TO_METRES.transform(xy[:, 0], xy[:, 1])))


def rows(directory: Path, name: str, encoding: str = "utf-8-sig") -> list[dict]:
    return list(csv.DictReader(io.StringIO((directory / name).read_bytes().decode(encoding))))


def test_deterministic_and_identical_to_the_committed_files(town, tmp_path):
    demo_town.generate(tmp_path)
    names = sorted(p.name for p in town.iterdir())
    assert names == sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(p.name for p in COMMITTED.iterdir() if p.suffix != ".md" and not p.name.startswith("."))
    for name in names:
        assert (town / name).read_bytes() == (tmp_path / name).read_bytes(), name
        assert (town / name).read_bytes() == (COMMITTED / name).read_bytes(), f"data/demo/{name} is stale"


def test_counts(town):
    assert len(features(town, "daily_life_areas.geojson")) == 2
    assert len(features(town, "junior_high_districts.geojson")) == 3
    assert len(features(town, "elementary_districts.geojson")) == 6
    assert len(features(town, "small_areas.geojson")) == 42
    assert len(rows(town, "salons.csv")) == 30
    assert len(rows(town, "engawa.csv", "cp932")) == 6
    assert len(features(town, "support_centres.geojson")) == 3
    assert len(features(town, "candidate_sites.geojson")) == 12


def test_every_feature_and_row_is_marked_synthetic(town):
    for path in town.glob("*.geojson"):
        assert all(f["properties"]["source"] == SYNTHETIC for f in features(town, path.name)), path.name
    for name, encoding in (("salons.csv", "utf-8-sig"), ("engawa.csv", "cp932"),
                           ("population_by_age.csv", "utf-8-sig")):
        assert all(r["出典"] == SYNTHETIC for r in rows(town, name, encoding)), name


def test_engawa_list_is_shift_jis_not_utf8(town):
    raw = (town / "engawa.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert raw.decode("cp932").startswith("ID,名称")


@pytest.mark.parametrize("name", ["daily_life_areas.geojson", "junior_high_districts.geojson",
                                  "elementary_districts.geojson", "small_areas.geojson"])
def test_each_level_tiles_the_town_without_gaps_or_overlaps(town, name):
    outline = metric(shape(features(town, "municipality.geojson")[0]["geometry"]))
    polygons = [metric(shape(f["geometry"])) for f in features(town, name)]
    union = shapely.union_all(polygons)
    assert abs(sum(p.area for p in polygons) - union.area) < 1.0  # no overlaps (m²)
    # No gaps: what remains is the rounding of lon/lat to 1e-7° along 12 km of edge (a few mm wide).
    assert union.symmetric_difference(outline).area < 50.0
    assert outline.area == pytest.approx(9_000_000, rel=0.002)  # 3 km × 3 km


def test_elementary_districts_cut_across_small_areas(town):
    districts = [metric(shape(f["geometry"])) for f in features(town, "elementary_districts.geojson")]
    cut = sum(1 for f in features(town, "small_areas.geojson")
              if sum(metric(shape(f["geometry"])).intersection(d).area > 1.0 for d in districts) > 1)
    assert cut >= 10


def test_population_is_consistent_and_ages_realistically(town):
    table = rows(town, "population_by_age.csv")
    boundaries = {f["properties"]["KEY_CODE"]: f["properties"] for f in features(town, "small_areas.geojson")}
    rates = []
    for row in table:
        total, young, working, old, oldest = (int(row[k]) for k in ("総数", "0～14歳", "15～64歳", "65歳以上", "75歳以上"))
        assert young + working + old == total
        assert oldest <= old
        assert boundaries[row["KEY_CODE"]]["JINKO"] == total
        assert boundaries[row["KEY_CODE"]]["SETAI"] == int(row["世帯数"])
        rates.append(old / total)
    assert 0.18 <= min(rates) < 0.22 and 0.40 < max(rates) <= 0.45
    assert 25_000 <= sum(int(r["総数"]) for r in table) <= 35_000


def street_graph(directory: Path) -> nx.Graph:
    graph = nx.Graph()
    for feature in features(directory, "streets.geojson"):
        line = metric(shape(feature["geometry"]))
        a, b = (tuple(round(c, 1) for c in line.coords[0]), tuple(round(c, 1) for c in line.coords[-1]))
        graph.add_edge(a, b, length=line.length)
    return graph


def test_streets_are_noded_and_connected(town):
    graph = street_graph(town)
    assert nx.number_connected_components(graph) == 1
    # A 21 × 21 grid of corners, less the few that fall in the river and lose every street.
    assert 430 <= graph.number_of_nodes() < 21 * 21


def test_streets_cross_the_river_only_at_two_bridges_and_the_railway_at_two_crossings(town):
    river = metric(shape(features(town, "water.geojson")[0]["geometry"]))
    railway = metric(shape(features(town, "railway.geojson")[0]["geometry"]))
    streets = [metric(shape(f["geometry"])) for f in features(town, "streets.geojson")]
    assert sum(s.intersects(river) for s in streets) == 2
    assert sum(s.crosses(railway) for s in streets) == 2


def test_the_salon_across_the_river_is_far_by_street(town):
    salon = next(r for r in rows(town, "salons.csv") if r["ID"] == demo_town.ACROSS_RIVER_SALON)
    x, y = TO_METRES.transform(float(salon["経度"]), float(salon["緯度"]))
    graph = street_graph(town)
    start = min(graph.nodes, key=lambda n: math.dist(n, (x, y)))
    river = metric(shape(features(town, "water.geojson")[0]["geometry"]))
    # The nearest street corner on the other bank, straight across the water.
    across = min((n for n in graph.nodes if LineString([start, n]).crosses(river.exterior)
                  and LineString([start, n]).intersects(river)), key=lambda n: math.dist(n, start))
    straight = math.dist(start, across)
    walk = nx.shortest_path_length(graph, start, across, weight="length")
    assert straight < 250
    assert walk > 3 * straight


def test_the_north_west_hills_have_no_salon(town):
    gap = demo_town.GAP_BOX
    for row in rows(town, "salons.csv"):
        x, y = TO_METRES.transform(float(row["経度"]), float(row["緯度"]))
        assert not gap.buffer(500).contains(Point(x - demo_town.CENTRE[0], y - demo_town.CENTRE[1])), row["ID"]
