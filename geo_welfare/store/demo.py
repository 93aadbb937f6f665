"""The demo: the generated demo town imported through the same importers a user runs.

The town is synthetic and fictional (see ``data/demo/README.md``); importing it exercises the
real import path, CP932 file included.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from geo_welfare.core import config as settings
from geo_welfare.store.importing import (FileReport, import_areas, import_candidates, import_population,
                                   import_resources)

#: The demo files and how each is imported, in dependency order (small areas before population).
AREA_FILES = (
    ("municipality.geojson", "municipality"),
    ("daily_life_areas.geojson", "daily_life_area"),
    ("junior_high_districts.geojson", "junior_high_district"),
    ("elementary_districts.geojson", "elementary_district"),
    ("small_areas.geojson", "small_area"),
)
RESOURCE_FILES = (("salons.csv", None), ("engawa.csv", "engawa"), ("support_centres.geojson", "support_centre"))


def demo_directory() -> Path:
    """The demo files, shipped as the package data :mod:`geo_welfare.data` (made by ``scripts/demo_town.py``)."""
    return settings.DEMO_DATA_DIR


def import_demo_town(engine: Engine) -> list[FileReport]:
    """Import every demo file; returns one report per file."""
    directory = demo_directory()
    reports: list[FileReport] = []
    for name, unit in AREA_FILES:
        reports += import_areas(engine, [directory / name], unit)
    reports += import_population(engine, [directory / "population_by_age.csv"])
    for name, kind in RESOURCE_FILES:
        reports += import_resources(engine, [directory / name], kind=kind)
    reports += import_candidates(engine, [directory / "candidate_sites.geojson"])
    return reports
