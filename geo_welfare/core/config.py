"""Configuration in one place: where the store lives and which defaults apply.

Everything a user may set comes from (in this order) an explicit argument, an environment
variable, or the default here, so the CLI, the web app and the tests resolve it the same way.
"""

from __future__ import annotations

import os
from pathlib import Path

from geo_welfare.data import DEMO_DIRECTORY

#: Environment variable naming the store (a ``sqlite:///…`` SpatiaLite file or a
#: ``postgresql+psycopg://…`` PostGIS URL).
DATABASE_URL_ENV = "GEO_WELFARE_DATABASE_URL"
#: Environment variable choosing the language of messages (``ja`` or ``en``).
LANGUAGE_ENV = "GEO_WELFARE_LANG"
#: The embedded default: a SpatiaLite file in the current directory.
DEFAULT_DATABASE_FILE = "geo_welfare.sqlite"

#: Coordinates are stored as JGD2011 longitude/latitude (interchangeable with WGS84 at map scale).
STORAGE_SRID = 6668
STORAGE_CRS = f"EPSG:{STORAGE_SRID}"

#: Japan's extent with a margin (lon/lat), used to catch swapped or mis-projected coordinates.
JAPAN_BOUNDS = (122.0, 20.0, 154.5, 46.0)

#: An older person's walking pace (km/h); frail residents walk at about 3 km/h.
DEFAULT_WALKING_SPEED_KMH = 4.0

#: The generated demo town's files (package data, so an installed copy has them too).
DEMO_DATA_DIR = DEMO_DIRECTORY


def database_url(explicit: str | None = None) -> str:
    """Resolve the store URL: ``--database`` first, then the environment, then a local SpatiaLite file."""
    if explicit:
        return explicit
    from_env = os.environ.get(DATABASE_URL_ENV)
    if from_env:
        return from_env
    return f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}"


#: Environment variable naming the street file (OSM or road centre lines) for walking distances.
NETWORK_ENV = "GEO_WELFARE_NETWORK"


def cache_directory(database: str) -> Path:
    """Where built networks are cached: beside a SpatiaLite store, or in the user's cache for PostGIS."""
    if database.startswith("sqlite:///"):
        return Path(database[len("sqlite:///"):]).resolve().parent / "geo_welfare_cache"
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "geo-welfare"


def language(explicit: str | None = None) -> str:
    """Resolve the message language; Japanese is the default because the users are Japanese staff."""
    chosen = (explicit or os.environ.get(LANGUAGE_ENV) or "ja").lower()
    return "en" if chosen.startswith("en") else "ja"
