"""The generated demo town, shipped as package data so that an installed ``geo-welfare demo`` runs.

The files are made by ``scripts/demo_town.py`` (never imported by the product); the product only
reads them, and recognises the town by the code and name written in its own municipality file.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

#: The demo town's files (synthetic and fictional; see ``demo/README.md``).
DEMO_DIRECTORY = Path(__file__).resolve().parent / "demo"


@lru_cache(maxsize=1)
def demo_municipality() -> tuple[str, str]:
    """The demo town's municipality code and name, as its ``municipality.geojson`` gives them."""
    collection = json.loads((DEMO_DIRECTORY / "municipality.geojson").read_text(encoding="utf-8"))
    properties = collection["features"][0]["properties"]
    return str(properties["code"]), str(properties["name"])
