"""The whole-city Sapporo store the city-scale benchmarks share, built once from ``../shared/data``.

Every benchmark of issue 12 asks its questions of the same store: the ten wards' 5,781 e-Stat small
areas, the 2020 age table, the 202 elementary and 97 junior-high school districts, and the 348 GSI
evacuation sites imported as stand-in places (kind salon: Sapporo publishes no salon list).  It is
built with the ``geo-welfare`` command itself, as a user would (about 20 s), into
``benchmarks/.city/city.sqlite`` (``GEO_WELFARE_BENCH_CITY`` to put it elsewhere), and reused while
it exists; delete the folder to build it again.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SAPPORO = Path(__file__).resolve().parents[2] / "shared" / "data" / "sapporo"


def city_store() -> Path:
    """The store's file, built first when it is not there yet."""
    path = Path(os.environ.get("GEO_WELFARE_BENCH_CITY", Path(__file__).resolve().parent / ".city" / "city.sqlite"))
    if path.is_file():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    building = path.with_suffix(".building.sqlite")
    building.unlink(missing_ok=True)
    command = [sys.executable, "-c", "from geo_welfare.cli import main; main()", "--database", f"sqlite:///{building}"]
    steps = [["init"],
             ["import", "areas", *map(str, sorted((SAPPORO / "smallarea").glob("*.geojson"))), "--unit", "small-area"],
             ["import", "population", str(SAPPORO / "sapporo_jounen202010_age5_by_chome.csv")],
             ["import", "areas", str(SAPPORO / "school" / "papamama_Elementary.geojson"), "--unit", "elementary-district"],
             ["import", "areas", str(SAPPORO / "school" / "papamama_MiddleSchool.geojson"), "--unit",
              "junior-high-district"],
             ["import", "resources", str(SAPPORO / "gsi_emergency_evacuation_sites_011002.geojson"), "--kind", "サロン"]]
    for step in steps:
        subprocess.run(command + step, check=True, stdout=subprocess.DEVNULL)
    building.rename(path)
    return path
