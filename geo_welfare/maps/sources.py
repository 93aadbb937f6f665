"""The credits printed under a map: where each layer came from and the licence notes it requires.

Open data licences (CC BY 4.0, the government standard terms, ODbL) require the credit on every
map made from the data, so the credits are built from what the map actually draws: the store's
source names for districts, resources and population, the background files' own ``source``
texts, © OpenStreetMap contributors when streets come from OSM, the e-Stat credit when small
areas with e-Stat codes are shaded, and anything the user adds.  The generated demo town is said
to be synthetic and fictional, on the page itself.
"""

from __future__ import annotations

from functools import reduce
from typing import Sequence

from geo_welfare.core.words import t
from geo_welfare.data import demo_municipality
from geo_welfare.maps.background import Background
from geo_welfare.maps.content import StoreLayers

#: Each background layer and the catalogue word that names it in the credits.
BACKGROUND_WORDS = (("streets", "streets"), ("water", "credit_water"), ("railway", "railway"))


def is_demo(layers: StoreLayers) -> bool:
    """True for the generated demo town (its municipality code and name, or every address in it)."""
    demo_code, demo_town = demo_municipality()
    municipalities = layers.municipalities
    if len(municipalities) and ((municipalities["code"] == demo_code) & (municipalities["name"] == demo_town)).any():
        return True
    addresses = layers.resources["address"].dropna().astype(str) if len(layers.resources) else []
    return len(addresses) > 0 and all(address.startswith(demo_town) for address in addresses)


def _looks_like_estat(layers: StoreLayers) -> bool:
    """Small areas keyed by e-Stat KEY_CODEs (9 or 11 digits)."""
    small = layers.small_areas
    if small is None or small.empty:
        return False
    codes = small["code"].astype(str)
    return bool((codes.str.fullmatch(r"\d{9}|\d{11}")).all())


#: Files of the shared open data whose title and licence are known: file name → (catalogue word of the
#: title, catalogue word of the licence).  Any other file is named as imported, with no licence said
#: (the user adds it with ``--credit``).
KNOWN_FILES: dict[str, tuple[str, str]] = {
    "papamama_Elementary.geojson": ("dataset_papamama_elementary", "licence_ksj_papamama"),
    "papamama_MiddleSchool.geojson": ("dataset_papamama_middle", "licence_ksj_papamama"),
    "gsi_emergency_evacuation_sites_011002.geojson": ("dataset_gsi_evacuation", "licence_gsi"),
}


def source_name(layers: StoreLayers, source: str, lang: str) -> str:
    """How the credits name a store source: the known dataset's title and licence, else the file the
    user imported (``papamama_Elementary.geojson``), else the source's own name."""
    file_name = layers.source_files.get(source)
    if file_name in KNOWN_FILES:
        title, licence = KNOWN_FILES[file_name]
        return t("credit_dataset", lang, title=t(title, lang), licence=t(licence, lang), file=file_name)
    return file_name or source


def _names(layers: StoreLayers, values: Sequence[str], lang: str) -> str:
    named = (source_name(layers, str(value), lang) for value in values if value)
    return t("names_separator", lang).join(dict.fromkeys(named))


def _store_line(layers: StoreLayers, lang: str) -> str:
    """Where the districts, the places and the population came from, on one line ("" when nothing says)."""
    districts = _names(layers, layers.districts["source"], lang)
    resources = _names(layers, layers.resources["source"], lang) if len(layers.resources) else ""
    population = _names(layers, [layers.population_dataset], lang) if layers.population_dataset else ""
    parts = [("credit_districts", districts), ("credit_places", resources),
             ("credit_population", population)]
    said = [f"{t(what, lang)}: {names}" for what, names in parts if names]
    return reduce(lambda first, second: t("credit_parts", lang, first=first, second=second), said) if said else ""


def credits(layers: StoreLayers, background: Background, lang: str = "ja", extra: Sequence[str] = ()) -> list[str]:
    """The credit lines of a map of ``layers`` drawn over ``background``."""
    demo = is_demo(layers)
    lines: list[str] = []
    if demo:
        lines.append(t("credit_demo", lang, town=demo_municipality()[1]))
    lines.append(_store_line(layers, lang))
    for layer, what in BACKGROUND_WORDS:
        frame = getattr(background, layer)
        if frame is None:
            continue
        if layer == "streets" and background.streets_from_osm:
            lines.append(t("credit_osm", lang))
            continue
        own = background.credits.get(layer) or []
        if demo and own:  # the demo files all say the same synthetic-data line, given once above
            continue
        said = t("credit_list_separator", lang).join(own) if own else background.files[layer].name
        lines.append(f"{t(what, lang)}: {said}")
    for layer, key in (("hazards", "credit_hazards"), ("shelters", "credit_shelters")):  # as stored: their files
        frame = getattr(background, layer)
        if frame is not None and len(frame):
            lines.append(t(key, lang, files=t("credit_list_separator", lang).join(dict.fromkeys(frame["source"]))))
    if _looks_like_estat(layers) and not demo:
        lines.append(t("credit_estat", lang))
    lines.extend(extra)
    lines.append(t("credit_software", lang))
    return [line for line in lines if line]
