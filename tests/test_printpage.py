"""One print page reads only what it shows, and draws what the whole-store read draws (issue 12).

``map district CODE`` reads the unit's districts, the municipalities and the small areas meeting
the district's box (:func:`geo_welfare.maps.content.load_store_layers` with ``district``), not every
area of the store.  What a page shows is compared here with the page drawn from the store read
whole, district by district of the demo town; the store's box query is compared with shapely's
own test over every stored area, on both backends.
"""

from __future__ import annotations

import gc

import pytest
import shapely

from geo_welfare.maps import district_content, load_store_layers
from geo_welfare.store import open_store, read
from helpers import DEMO_DATA as DEMO, run_cli


@pytest.mark.parametrize("unit", ["small_area", None])
def test_areas_within_a_box_are_those_shapely_finds_meeting_it(demo, unit):
    engine = open_store(demo)
    every = read.read_areas(engine, unit)
    minx, miny, maxx, maxy = every[every["unit"] == "small_area"].total_bounds
    boxes = [(minx, miny, (minx + maxx) / 2, (miny + maxy) / 2),  # a corner quarter
             (maxx - (maxx - minx) / 10, maxy - (maxy - miny) / 10, maxx + 1, maxy + 1),  # a strip across the edge
             (maxx + 1, maxy + 1, maxx + 2, maxy + 2)]  # beyond every area
    for box in boxes:
        meeting = every[every.intersects(shapely.box(*box))]  # every stored area tested by shapely
        found = read.read_areas(engine, unit, within=box)
        assert list(found["code"]) == list(meeting["code"]) and list(found["unit"]) == list(meeting["unit"])
        assert all(shapely.equals(a, b) for a, b in zip(found.geometry, meeting.geometry))
    assert 0 < len(read.read_areas(engine, unit, within=boxes[0])) < len(every)
    assert read.read_areas(engine, unit, within=boxes[2]).empty


def _same_frame(one, other, columns) -> None:
    assert len(one) == len(other)
    for column in columns:
        assert list(one[column].astype(object)) == list(other[column].astype(object)), column
    assert all(shapely.equals_exact(a, b, 0) for a, b in zip(one.geometry, other.geometry))


def test_a_page_read_alone_shows_what_the_whole_store_read_shows(demo):
    engine = open_store(demo)
    whole = load_store_layers(engine, "elementary_district")
    assert len(whole.codes) >= 5 and whole.small_areas is not None
    for code in whole.codes:
        alone = load_store_layers(engine, "elementary_district", district=code)
        assert alone.codes == whole.codes and alone.sources == whole.sources
        assert alone.population_dataset == whole.population_dataset and alone.source_files == whole.source_files
        assert len(alone.small_areas) < len(whole.small_areas)  # only those meeting the district's box
        page, expected = district_content(alone, code), district_content(whole, code)
        assert (page.name, page.municipality, page.crs) == (expected.name, expected.municipality, expected.crs)
        assert shapely.equals_exact(page.outline, expected.outline, 0)
        _same_frame(page.small_areas, expected.small_areas, ["code", "name", "aging_rate"])
        _same_frame(page.neighbours, expected.neighbours, ["code", "name"])
        _same_frame(page.resources, expected.resources, ["id", "number", "name", "kind"])


def test_an_unknown_code_and_a_page_without_shading_still_read_alone(demo, tmp_path):
    engine = open_store(demo)
    unknown = load_store_layers(engine, "elementary_district", district="NO-SUCH")
    assert unknown.small_areas is None and len(unknown.codes) >= 5  # the command then lists the stored codes
    plain = load_store_layers(engine, "elementary_district", shading="none", district=unknown.codes[0])
    assert plain.small_areas is None and plain.population_dataset is None
    result = run_cli(demo, "map", "district", "NO-SUCH", "-o", tmp_path / "x.pdf")
    assert result.exit_code == 2 and all(code in result.output for code in unknown.codes)


def test_the_collector_runs_again_after_a_page_and_after_a_refusal(demo, tmp_path):
    assert gc.isenabled()
    result = run_cli(demo, "map", "district", "E02", "-o", tmp_path / "E02.pdf", "--network", DEMO / "streets.geojson",
                     "--service-minutes", "10")
    assert result.exit_code == 0, result.output
    assert gc.isenabled()
    assert run_cli(demo, "map", "district", "NO-SUCH", "-o", tmp_path / "x.pdf").exit_code == 2
    assert gc.isenabled()
