"""The credits printed under a map: where each layer came from and the licence notes it requires.

Open data licences (CC BY 4.0, the government standard terms, ODbL) require the credit on every
map made from the data, so the credits are built from what the map actually draws: the store's
source names for districts, resources and population, the background files' own ``source``
texts, © OpenStreetMap contributors when streets come from OSM, the e-Stat credit when small
areas with e-Stat codes are shaded, and anything the user adds.  The generated demo town is said
to be synthetic and fictional, on the page itself.
"""

from __future__ import annotations

from typing import Sequence

from geo_welfare.data import demo_municipality
from geo_welfare.maps.background import Background
from geo_welfare.maps.content import StoreLayers

OSM_CREDIT = ("道路: © OpenStreetMap contributors（ODbL 1.0）", "Streets: © OpenStreetMap contributors (ODbL 1.0)")
ESTAT_CREDIT = ("小地域境界: 出典「政府統計の総合窓口(e-Stat)」（政府標準利用規約・CC BY 4.0 互換）",
                "Small-area boundaries: Source: e-Stat, Portal Site of Official Statistics of Japan "
                "(CC BY 4.0 compatible)")
DEMO_CREDIT = ("{town}はデモ用に生成した架空の合成データです（CC0 1.0）。実在の場所・人・団体・電話番号ではありません",
               "Demo Town is synthetic, fictional data generated for the demo (CC0 1.0); "
               "no real place, person, organisation or phone number")
SOFTWARE = ("作成: geo-welfare", "Made with geo-welfare")


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


def _names(values: Sequence[str]) -> str:
    return "・".join(dict.fromkeys(str(v) for v in values if v))


def credits(layers: StoreLayers, background: Background, lang: str = "ja", extra: Sequence[str] = ()) -> list[str]:
    """The credit lines of a map of ``layers`` drawn over ``background``."""
    ja = lang == "ja"
    demo = is_demo(layers)
    lines: list[str] = []
    if demo:
        lines.append(DEMO_CREDIT[0 if ja else 1].format(town=demo_municipality()[1]))
    districts = _names(layers.districts["source"])
    resources = _names(layers.resources["source"]) if len(layers.resources) else ""
    store = [("地区界" if ja else "Districts", districts), ("資源" if ja else "Places", resources)]
    if layers.population_dataset:
        store.append(("人口" if ja else "Population", layers.population_dataset))
    lines.append((" " if ja else "; ").join(f"{what}: {names}" for what, names in store if names))
    for layer, (ja_word, en_word) in (("streets", ("道路", "Streets")), ("water", ("川", "Water")),
                                      ("railway", ("鉄道", "Railway"))):
        frame = getattr(background, layer)
        if frame is None:
            continue
        if layer == "streets" and background.streets_from_osm:
            lines.append(OSM_CREDIT[0 if ja else 1])
            continue
        own = background.credits.get(layer) or []
        if demo and own:  # the demo files all say the same synthetic-data line, given once above
            continue
        lines.append(f"{ja_word if ja else en_word}: " + ("、".join(own) if own else background.files[layer].name))
    if _looks_like_estat(layers) and not demo:
        lines.append(ESTAT_CREDIT[0 if ja else 1])
    lines.extend(extra)
    lines.append(SOFTWARE[0 if ja else 1])
    return [line for line in lines if line]
