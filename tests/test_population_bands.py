"""5-year age bands kept in the store (population_band) and drawn as the district profile's pyramid.

Expected values are read from the files with the csv module here: Takamatsu's man1..woman18 (by sex),
Sapporo's 0～4歳 … 100歳以上 (both sexes), the demo town's groups (no bands: the four-group bar stays).
The profile's pyramid is checked on generated band tables of the demo town's small areas — labelled
GENERATED, in the exact layouts of Takamatsu's and Sapporo's files — for a daily-life area its small
areas nest in, so the district's bands are the plain sums of its small areas' cells.
"""

from __future__ import annotations

import csv
import json
import re

import pandas as pd
import pytest
from shapely.geometry import shape

from geo_welfare.store import open_store
from geo_welfare.store.read import read_population, read_population_bands
from helpers import DEMO_DATA, run, run_cli

TAKAMATSU = "takamatsu/takamatsu_population_0066_202602.csv"
SAPPORO = "sapporo/sapporo_jounen202010_age5_by_chome.csv"
GROUPS = {"total": (0, None), "age_0_14": (0, 14), "age_15_64": (15, 64), "age_65_plus": (65, None),
          "age_75_plus": (75, None)}


def csv_rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def cell(text: str) -> int | None:
    """A published cell: '-' is 0, 'x' suppressed (unknown)."""
    text = text.strip().replace(",", "")
    return None if text == "x" else 0 if text in ("-", "") else int(text)


def stored_bands(url: str, dataset: str) -> dict[str, dict[tuple, int | None]]:
    bands = read_population_bands(open_store(url), dataset)
    result: dict[str, dict[tuple, int | None]] = {}
    for key, start, end, sex, count in zip(bands["row_key"], bands["band_start"], bands["band_end"], bands["sex"],
                                           bands["count"]):
        result.setdefault(key, {})[(int(start), None if pd.isna(end) else int(end), sex)] = \
            None if pd.isna(count) else int(count)
    return result


def check_group_sums(url: str, dataset: str, bands: dict[str, dict[tuple, int | None]]) -> int:
    """Every stored group equals its bands' sum (rows with a suppressed band skipped); returns rows compared."""
    groups = read_population(open_store(url), dataset).set_index("row_key")
    compared = 0
    for key, row in bands.items():
        if any(v is None for v in row.values()):
            continue
        for group, (first, last) in GROUPS.items():
            summed = sum(v for (start, end, _), v in row.items()
                         if start >= first and (last is None or (end is not None and end <= last)))
            assert summed == int(groups.loc[key, group]), (key, group)
        compared += 1
    return compared


def test_takamatsu_bands_by_sex_equal_the_file(store_url, shared_data):
    path = shared_data / TAKAMATSU
    assert run_cli(store_url, "import", "population", path).exit_code == 0
    bands = stored_bands(store_url, path.stem)
    source = {f"{row['cityName']}/{row['regionName']}": row for row in csv_rows(path)}
    assert len(bands) == 235 and set(bands) <= set(source)
    for key, row in bands.items():
        expected = {}
        for i in range(1, 19):
            band = (5 * (i - 1), None if i == 18 else 5 * i - 1)
            expected[(*band, "male")] = cell(source[key][f"man{i}"])
            expected[(*band, "female")] = cell(source[key][f"woman{i}"])
        assert row == expected, key
    assert check_group_sums(store_url, path.stem, bands) == 235
    first = bands["高松市/塩屋町"]
    assert (first[(0, 4, "male")], first[(0, 4, "female")], first[(85, None, "female")]) == (16, 10, 10)


def test_sapporo_bands_stored_and_summed(spatialite_url, shared_data):
    path = shared_data / SAPPORO
    assert run_cli(spatialite_url, "import", "population", path).exit_code == 0
    bands = stored_bands(spatialite_url, path.stem)
    rows = csv_rows(path)
    columns = [c for c in rows[0] if re.fullmatch(r"\d+～\s*\d+(歳)?|\d+歳\s*以上", c)]
    assert len(columns) == 21

    def fold(text: str) -> str:
        return re.sub(r"[\s\u3000]+", "", text)

    def band_of(column: str) -> tuple:
        numbers = [int(n) for n in re.findall(r"\d+", column)]
        return (numbers[0], numbers[1] if len(numbers) == 2 else None, None)

    source = {f"{fold(row['区'])}/{fold(row['区分'])}": row for row in rows}
    assert set(bands) <= set(source) and len(bands) == len(read_population(open_store(spatialite_url), path.stem))
    for key, row in bands.items():
        assert row == {band_of(c): cell(source[key][c]) for c in columns}, key
    suppressed = sum(any(v is None for v in row.values()) for row in bands.values())
    assert suppressed > 0  # the file marks some cells 'x': stored as unknown, never 0
    assert check_group_sums(spatialite_url, path.stem, bands) == len(bands) - suppressed


def test_bands_that_do_not_add_up_are_refused_on_write(spatialite_url):
    from geo_welfare.store.write import write_population
    frame = pd.DataFrame({"row_key": ["a"], "parent_name": [None], "name": ["a"], "total": [10], "age_0_14": [3],
                          "age_15_64": [7], "age_65_plus": [0], "age_75_plus": [0], "households": [None],
                          "band:0:14:": [4], "band:15:64:": [6], "band:65::": [0]})
    engine = open_store(spatialite_url)
    with pytest.raises(ValueError, match="age_0_14"), engine.begin() as connection:
        write_population(connection, "wrong", "wrong.csv", frame)
    assert read_population_bands(engine, "wrong").empty and read_population(engine, "wrong").empty


def test_demo_town_has_no_bands_and_keeps_the_four_group_bar(demo):
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure

    from geo_welfare.reports.district_profile import district_profile, gather
    from geo_welfare.reports.profile_chart import draw_bands, pyramid
    header = next(csv.reader(open(DEMO_DATA / "population_by_age.csv", encoding="utf-8-sig")))
    assert [h for h in header if "歳" in h] == ["0～14歳", "15～64歳", "65歳以上", "75歳以上"]  # groups, no bands
    engine = open_store(demo)
    assert read_population_bands(engine, "population_by_age").empty
    profile = district_profile(engine, gather(engine, "elementary_district", None), "E01")
    assert profile.age_bands is None and pyramid(profile) is None
    bars = draw_bands(Figure().add_subplot(), profile, "ja")
    assert isinstance(bars, BarContainer) and len(bars) == 4


def generated_bands(tmp_path, sexed: bool):
    """GENERATED band table of the demo town's small areas, in Takamatsu's (sexed) or Sapporo's layout."""
    areas = csv_rows(DEMO_DATA / "population_by_age.csv")
    path = tmp_path / ("zz_bands_by_sex.csv" if sexed else "zz_bands.csv")
    values: dict[str, dict[tuple, int]] = {}
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        if sexed:
            writer.writerow(["KEY_CODE", "地域名"] + [f"{s}{i}" for i in range(1, 19) for s in ("man", "woman")])
        else:
            writer.writerow(["KEY_CODE", "地域名"] + [f"{a}～{a + 4}歳" for a in range(0, 100, 5)] + ["100歳以上"])
        for number, area in enumerate(areas):
            row, mine = [area["KEY_CODE"], area["地域名"]], {}
            tops = 18 if sexed else 21
            for i in range(tops):
                band = (5 * i, None if i == tops - 1 else 5 * i + 4)
                for sex in (("male", "female") if sexed else (None,)):
                    value = (number * 7 + i * 3 + (sex == "female") * 5) % 41
                    mine[(*band, sex)] = value
                    row.append(value)
            values[area["KEY_CODE"]] = mine
            writer.writerow(row)
    return path, values


def nested_in(code: str) -> list[str]:
    """The small areas inside daily-life area ``code`` (their representative point inside it)."""
    outline = next(shape(f["geometry"]) for f in json.loads((DEMO_DATA / "daily_life_areas.geojson").read_text(
        encoding="utf-8"))["features"] if f["properties"]["code"] == code)
    return [f["properties"]["KEY_CODE"] for f in json.loads((DEMO_DATA / "small_areas.geojson").read_text(
        encoding="utf-8"))["features"] if outline.contains(shape(f["geometry"]).representative_point())]


@pytest.mark.parametrize("sexed", [True, False], ids=["by-sex", "both-sexes"])
def test_profile_draws_the_pyramid_of_the_district(demo_spatialite_url, tmp_path, sexed):
    from matplotlib.figure import Figure

    from geo_welfare.reports.district_profile import district_profile, gather
    from geo_welfare.reports.profile_chart import draw_bands, pyramid
    path, values = generated_bands(tmp_path, sexed)
    result = run_cli(demo_spatialite_url, "import", "population", path)
    assert result.exit_code == 0, result.stderr
    inside = nested_in("DL01")
    assert inside
    bands = sorted({(start, end) for start, end, _ in values[inside[0]]}, key=lambda b: b[0])
    expected = {sex: [sum(values[c][(*band, sex)] for c in inside) for band in bands]
                for sex in (("male", "female") if sexed else (None,))}

    engine = open_store(demo_spatialite_url)
    profile = district_profile(engine, gather(engine, "daily_life_area", None, dataset=path.stem), "DL01")
    data = pyramid(profile)
    assert data.bands == bands
    if sexed:
        assert data.men == pytest.approx(expected["male"], rel=1e-9)
        assert data.women == pytest.approx(expected["female"], rel=1e-9)
    else:
        assert data.men is None and data.women == pytest.approx(expected[None], rel=1e-9)
    left, right = draw_bands(Figure().add_subplot(), profile, "ja")
    assert [bar.get_width() for bar in right] == pytest.approx(data.women)
    assert (left is None) == (not sexed)
    if sexed:
        assert [-bar.get_width() for bar in left] == pytest.approx(data.men)

    target = tmp_path / "DL01.pdf"
    result = run_cli(demo_spatialite_url, "report", "district", "DL01", "--unit", "日常生活圏域", "--dataset",
                     path.stem, "-o", target, lang="ja")
    assert result.exit_code == 0, result.output
    text = run("pdftotext", "-raw", target, "-")
    top = "85歳以上" if sexed else "100歳以上"
    for label in ("0〜4歳", "10〜14歳", "60〜64歳", top):
        assert label in text, label
    assert ("男性" in text and "女性" in text) == sexed
    note = "図は5歳階級別の人口です（左が男性、右が女性）" if sexed else "図は5歳階級別の人口です（男女計）"
    assert note in re.sub(r"\s+", "", text)
