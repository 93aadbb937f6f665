"""The plan of a folder import: every file of a municipality's folder, what it is, whether and when it goes in.

The folder is walked with its subfolders and zip archives (unpacked into a workspace, as
:mod:`geo_welfare.io.archives` reads them); each file is identified by
:func:`geo_welfare.layers.identify.identify`; the user's overrides (``--kind``, ``--unit``,
``--skip``) are applied, each naming a file that must exist.  The imports run in the order of
:data:`STAGES`: a later stage reads what an earlier one wrote (population joins to the small areas,
places are located from the gazetteers).  :mod:`geo_welfare.store.folder` runs the plan.
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from geo_welfare.core import glossary
from geo_welfare.core.errors import InputError, UsageError
from geo_welfare.io.archives import unpack
from geo_welfare.layers.identify import SHAPEFILE_SIDECARS, Identity, identify, municipality_of_table

#: The order of the imports: a later stage reads what an earlier one wrote.
STAGES = ("areas", "population", "gazetteer", "resources")
#: Area levels from the widest to the smallest (small areas last: population joins to them).
AREA_ORDER = ("municipality", "daily_life_area", "district", "junior_high_district", "elementary_district",
              "small_area")
#: What a file of areas is called once the user has named its level (``--unit FILE=UNIT``).
WHAT_OF_UNIT = {"municipality": "municipalities", "daily_life_area": "daily_life_areas", "district": "districts",
                "junior_high_district": "junior_high_districts", "elementary_district": "elementary_districts",
                "small_area": "small_areas"}

@dataclass
class PlannedFile:
    """One file of the folder and what the import does with it."""

    path: Path  # the file read (inside the unpacked archive for a member of a zip)
    shown: str  # its name as the user sees it: relative to the folder, ``archive.zip/inner.shp`` for a member
    identity: Identity
    skip: str | None = None  # catalogue key of why it is not imported (None: imported)
    skip_values: dict[str, object] = field(default_factory=dict)
    kind: str | None = None
    kind_from: str | None = None
    unit: str | None = None

    @property
    def layer(self) -> str | None:
        return None if self.skip else self.identity.layer

    def order(self) -> tuple[int, int, str]:
        """Where the file comes in the import: its stage, its area level, its name."""
        stage = STAGES.index(self.layer) if self.layer in STAGES else len(STAGES)
        level = AREA_ORDER.index(self.unit) if self.unit in AREA_ORDER else 0
        return stage, level, self.shown


@dataclass
class FolderPlan:
    """Every file of a folder: those to import (in order) and those left out, each with its reason."""

    folder: Path
    files: list[PlannedFile]
    municipality: str | None = None  # the municipality of address files that do not name theirs (Geolonia)
    municipality_from: str | None = None  # the folder's file it was read from, when the user did not give it

    @property
    def imported(self) -> list[PlannedFile]:
        return sorted((item for item in self.files if item.layer), key=PlannedFile.order)

    @property
    def skipped(self) -> list[PlannedFile]:
        return [item for item in self.files if not item.layer]


# --- the plan -----------------------------------------------------------------------------------------

def plan_folder(folder: Path, workspace: Path, *, kinds: Mapping[str, str] | None = None,
                units: Mapping[str, str] | None = None, skip: tuple[str, ...] = (),
                municipality: str | None = None) -> FolderPlan:
    """What every file of ``folder`` is and what the import will do with it.

    ``workspace`` is an empty folder that outlives the import, where zip archives are unpacked.
    ``kinds`` / ``units`` (file → kind or area level) and ``skip`` (files) are the user's
    overrides; a file is named by its path relative to the folder or by its bare name, and a name
    that matches no file is an error, so a typo never silently leaves a file as it was.
    ``municipality`` names the municipality of address files that do not say theirs (Geolonia's
    JSON is one municipality's towns); without it they are left out, saying so.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError("folder_not_a_folder", field="DIR", folder=str(folder))
    files = _walk(folder, workspace)
    _one_of_each_dataset(files)
    municipality_from = None
    if municipality is None and any(item.skip == "folder_skip_gazetteer_municipality" for item in files):
        municipality, municipality_from = _municipality_of_folder(files)
    for item in files:
        if municipality and item.skip == "folder_skip_gazetteer_municipality":
            item.skip, item.skip_values = None, {}
    _apply_skips(files, skip)
    _apply_units(files, units or {})
    _apply_kinds(files, kinds or {})
    return FolderPlan(folder, files, municipality, municipality_from)


def _municipality_of_folder(files: list[PlannedFile]) -> tuple[str | None, str | None]:
    """The one municipality the folder's population tables name (prefecture + municipality), and the file.

    A folder of one municipality's data usually holds its population table, whose rows name the
    municipality (prefName, cityName); an address file that does not say its own is that one.  Two
    tables naming different municipalities name none: the user says which with ``--municipality``.
    """
    found = {}
    for item in files:
        if item.layer == "population" and not item.skip and item.path.suffix.lower() == ".csv":
            name = municipality_of_table(item.path)
            if name:
                found.setdefault(name, item.shown)
    if len(found) != 1:
        return None, None
    return next(iter(found.items()))


def _walk(folder: Path, workspace: Path) -> list[PlannedFile]:
    """Every file of ``folder`` and of its zip archives, planned (hidden files left out)."""
    found = []
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in relative.parts):
            continue
        if path.suffix.lower() != ".zip":
            found.append(_planned(path, relative.as_posix(), str(path)))
            continue
        target = workspace / "archives" / relative
        try:
            members = unpack(path, target)
        except (zipfile.BadZipFile, OSError) as error:
            found.append(PlannedFile(path, relative.as_posix(), Identity("unknown"), skip="folder_skip_unreadable",
                                     skip_values={"error": str(error)[:200]}))
            continue
        except InputError as error:  # too large once unpacked: named, never unpacked
            problem = error.problems[0]
            found.append(PlannedFile(path, relative.as_posix(), Identity("unknown"), skip=problem.key,
                                     skip_values=dict(problem.values)))
            continue
        for member in members:
            shown = f"{relative.as_posix()}/{member.relative_to(target).as_posix()}"
            found.append(_planned(member, shown, shown))
    return found


def _planned(path: Path, shown: str, command_path: str) -> PlannedFile:
    """A file's plan; ``command_path`` is how a command printed for it names it."""
    suffix = path.suffix.lower()
    metadata = path.name.lower().endswith(".shp.xml")
    if suffix in SHAPEFILE_SIDECARS or metadata:
        owner = path.with_suffix("") if metadata else path.with_suffix(".shp")
        if owner.exists() or owner.with_suffix(".SHP").exists():
            return PlannedFile(path, shown, Identity("sidecar"), skip="")  # part of its .shp: not listed
        return PlannedFile(path, shown, Identity("sidecar"), skip="folder_skip_sidecar")
    identity = identify(path, shown)
    planned = PlannedFile(path, shown, identity, kind=identity.kind, kind_from=identity.kind_from,
                          unit=identity.unit)
    if identity.layer is None:
        planned.skip = identity.reason or "folder_skip_format"
        planned.skip_values = {**identity.values, "file": command_path, "name": shown}
    elif identity.what == "gazetteer_geolonia":  # the file is one municipality and does not say which
        planned.skip, planned.skip_values = "folder_skip_gazetteer_municipality", {"file": command_path}
    elif identity.reason:
        planned.skip_values = {"file": command_path}  # imported, with a note (an OSM file's streets)
    return planned


def _one_of_each_dataset(files: list[PlannedFile]) -> None:
    """One dataset given twice (国土数値情報 zips hold the same layer as GeoJSON and Shapefile): import it once.

    Files of one folder with the same name but the suffix, identified alike, are the same layer;
    the GeoJSON is kept (it is what GDAL reads without sidecars) and the others are listed as copies.
    """
    by_stem: dict[tuple[Path, str, str], list[PlannedFile]] = defaultdict(list)
    for item in files:
        if item.layer and item.path.suffix.lower() in (".geojson", ".json", ".shp", ".gpkg"):
            by_stem[(item.path.parent, item.path.stem, item.identity.what)].append(item)
    for same in by_stem.values():
        same.sort(key=lambda item: (item.path.suffix.lower() not in (".geojson", ".json"), item.shown))
        for copy in same[1:]:
            copy.skip, copy.skip_values = "folder_skip_same_dataset", {"other": same[0].shown}


def listed(plan: FolderPlan) -> list[PlannedFile]:
    """The files a person is shown: all but the sidecars of Shapefiles that are there."""
    return [item for item in plan.files if item.skip != ""]


def _matching(files: list[PlannedFile], name: str, option: str) -> PlannedFile:
    for item in files:
        if item.skip != "" and (item.shown == name or Path(item.shown).name == name):
            return item
    raise UsageError("folder_override_no_such_file", field=option, option=option, file=name)


def _apply_skips(files: list[PlannedFile], names: tuple[str, ...]) -> None:
    for name in names:
        item = _matching(files, name, "--skip")
        item.skip, item.skip_values = "folder_skip_by_user", {}


def _apply_units(files: list[PlannedFile], units: Mapping[str, str]) -> None:
    for name, word in units.items():
        item = _matching(files, name, "--unit")
        unit = glossary.AREA_UNIT_OPTIONS.get(word, word)
        if unit not in glossary.AREA_UNIT_IDS:
            raise UsageError("folder_unit_unknown", field="--unit", unit=word,
                             units=", ".join(glossary.AREA_UNIT_OPTIONS))
        if item.identity.what not in ("areas_unknown_level",) and item.identity.layer != "areas":
            raise UsageError("folder_unit_not_for_file", field="--unit", file=name)
        item.unit, item.skip, item.skip_values = unit, None, {}
        item.identity = Identity(WHAT_OF_UNIT[unit], "areas", unit=unit)


def _apply_kinds(files: list[PlannedFile], kinds: Mapping[str, str]) -> None:
    for name, word in kinds.items():
        item = _matching(files, name, "--kind")
        kind = glossary.resource_kind(word)
        if kind is None:
            raise UsageError("cli_unknown_kind", field="--kind", kind=word, kinds=glossary.KIND_CHOICES)
        if item.identity.layer != "resources":
            raise UsageError("folder_kind_not_for_file", field="--kind", file=name)
        item.kind, item.kind_from = kind, "user"
