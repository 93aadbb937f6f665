"""Configuration in one place: every setting a user may change, its default, its allowed values.

:data:`SETTINGS` is the one table: each :class:`Setting` names the environment variable it is
read from (None for a setting with no variable, such as the walking speed, whose default and
range every door shares), its default, its type, what it may be (``choices`` or ``range``) and
the catalogue key of its explanation (``help``), so the CLI options, the web app, the docs and
the tests read the same row.

Nothing else in the program reads ``os.environ``: the typed functions below do, at the moment
they are called (a test's ``monkeypatch.setenv`` takes effect at once), and click options that
honour a variable take its name from the table (``envvar=NETWORK.environment``).  A value comes
from (in this order) an explicit argument, the environment variable, or the default here, so the
CLI, the web app and the tests resolve it the same way.  An empty variable counts as unset.
Each setting's ``#:`` comment below says what it is for.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from geo_welfare.data import DEMO_DIRECTORY

#: The word catalogue's folder: one ``<code>/LC_MESSAGES/geo_welfare.po`` per language (see
#: :mod:`geo_welfare.core.words`); the languages a user may choose are the files found there.
LOCALE_DIRECTORY = Path(__file__).resolve().parent.parent / "locale"


def available_languages() -> tuple[str, ...]:
    """The languages of the catalogue, Japanese (the source language) first; adding one is adding a file."""
    found = sorted(path.name for path in LOCALE_DIRECTORY.iterdir()
                   if (path / "LC_MESSAGES" / "geo_welfare.po").is_file())
    return tuple(sorted(found, key=lambda code: code != "ja"))


@dataclass(frozen=True)
class Setting:
    """One user setting: where it is read from, its default, its type, what it may be, and its help key.

    ``environment`` is the variable's name, or None when the setting is not read from the
    environment (its default is then the product's one value).  ``choices`` lists the allowed
    words, ``range`` the allowed (lowest, highest) number, both inclusive; a setting may have neither.
    """

    name: str
    environment: str | None
    default: object
    type: type
    help: str
    choices: tuple[str, ...] = ()
    range: tuple[float, float] | None = None


#: The store: a ``sqlite:///…`` SpatiaLite file or a ``postgresql+psycopg://…`` PostGIS URL
#: (no default here: :func:`database_url` puts a SpatiaLite file in the current directory).
DATABASE_URL = Setting("database_url", "GEO_WELFARE_DATABASE_URL", None, str, "setting_database_url")
#: The language of messages; Japanese, because the users are Japanese staff.
LANGUAGE = Setting("language", "GEO_WELFARE_LANG", "ja", str, "setting_language", choices=available_languages())
#: The street file (OSM or road centre lines) for walking distances; without one, straight lines.
NETWORK = Setting("network_file", "GEO_WELFARE_NETWORK", None, Path, "setting_network_file")
#: The river/water and railway files drawn under every print map (the streets are the network's).
WATER = Setting("water_file", "GEO_WELFARE_WATER", None, Path, "setting_water_file")
RAILWAY = Setting("railway_file", "GEO_WELFARE_RAILWAY", None, Path, "setting_railway_file")
#: The web map's base tiles: a preset, ``none`` (closed networks), or a ``{z}/{x}/{y}`` URL template.
TILES = Setting("base_tiles", "GEO_WELFARE_TILES", "gsi", str, "setting_base_tiles", choices=("gsi", "osm", "none"))
#: The credit a URL template's tiles need (their terms usually require one); default: the URL's host part.
TILES_ATTRIBUTION = Setting("tiles_attribution", "GEO_WELFARE_TILES_ATTRIBUTION", None, str,
                            "setting_tiles_attribution")
#: Base tiles on the coordinator's page, which centres on a client's home: ``local`` (default) draws only
#: tiles from this app or a server on this machine or the office network (a tile request names the
#: ~500 m square around the home), ``allow`` the configured tiles wherever they come from.
COORDINATOR_TILES = Setting("coordinator_tiles", "GEO_WELFARE_COORDINATOR_TILES", "local", str,
                            "setting_coordinator_tiles", choices=("local", "allow"))
#: The key signing web sessions; without one, a random key kept in the store's cache directory.
SECRET_KEY = Setting("secret_key", "GEO_WELFARE_SECRET_KEY", None, str, "setting_secret_key")
#: Mark the session cookie ``Secure`` (sent over HTTPS only): set it when the app is served over https.
#: Off by default because closed municipal networks often serve plain http, where a Secure cookie never returns.
SECURE_COOKIES = Setting("secure_cookies", "GEO_WELFARE_SECURE_COOKIES", False, bool, "setting_secure_cookies",
                         choices=("true", "false"))
#: Where the sign-in limits count failed attempts (a Flask-Limiter storage URI): ``memory://`` serves one
#: process (``geo-welfare serve``); several WSGI workers need one they share, such as ``redis://host:6379/0``.
RATELIMIT_STORAGE = Setting("ratelimit_storage", "GEO_WELFARE_RATELIMIT_STORAGE", "memory://", str,
                            "setting_ratelimit_storage")
#: The largest request body the web app reads (bytes); a larger one is answered 413 before it is read.
#: 2 MB holds any form or JSON the pages send many times over; imports go through the command line.
MAX_REQUEST_BYTES = Setting("max_request_bytes", "GEO_WELFARE_MAX_REQUEST_BYTES", 2 * 1024 * 1024, int,
                            "setting_max_request_bytes", range=(1024, 1024 ** 3))
#: How much memory (MB) each web worker may spend keeping the planner's answers, so that the same question asked
#: again is answered at once (they are dropped when the store changes).  Each gunicorn worker keeps
#: its own, so the server's total is this times the workers.  0 keeps nothing, not even the studies (residents
#: spread along the streets) that the answers are worked out from.
RESULTS_CACHE_MB = Setting("results_cache_mb", "GEO_WELFARE_RESULTS_CACHE_MB", 256, int, "setting_results_cache_mb",
                           range=(0, 65536))
#: Prepare the planner's inputs (network, residents, each place's walking grid) in the background when the web
#: app starts, so the first 計算する is answered from them; off, the first request does the work.
WARM_UP = Setting("warm_up", "GEO_WELFARE_WARM_UP", True, bool, "setting_warm_up", choices=("true", "false"))
#: Any non-empty value lets an unexpected error's traceback through (a bug report needs it).
DEBUG = Setting("debug", "GEO_WELFARE_DEBUG", False, bool, "setting_debug")
#: The SpatiaLite extension SQLite loads (a full path where the system's loader cannot find it).
SPATIALITE_LIBRARY = Setting("spatialite_library", "SPATIALITE_LIBRARY_PATH", "mod_spatialite", str,
                             "setting_spatialite_library")
#: The user's cache folder (XDG), where networks built for a PostGIS store are kept.
CACHE_HOME = Setting("cache_home", "XDG_CACHE_HOME", Path("~/.cache"), Path, "setting_cache_home")
#: An older person's walking pace (km/h; frail residents walk at about 3).  The one range every door
#: (CLI options, the web's request checks, print maps) accepts: slower than 0.5 or faster than 8 km/h
#: is a typing mistake, not a walk.
WALKING_SPEED = Setting("walking_speed_kmh", None, 4.0, float, "setting_walking_speed", range=(0.5, 8.0))

#: Every setting, one row each: what a settings page, the docs or a test iterates over.
SETTINGS: tuple[Setting, ...] = (DATABASE_URL, LANGUAGE, NETWORK, WATER, RAILWAY, TILES, TILES_ATTRIBUTION,
                                 COORDINATOR_TILES, SECRET_KEY, SECURE_COOKIES, RATELIMIT_STORAGE, DEBUG, SPATIALITE_LIBRARY, CACHE_HOME,
                                 WALKING_SPEED, MAX_REQUEST_BYTES, RESULTS_CACHE_MB)

#: The embedded default: a SpatiaLite file in the current directory.
DEFAULT_DATABASE_FILE = "geo_welfare.sqlite"

#: Coordinates are stored as JGD2011 longitude/latitude (interchangeable with WGS84 at map scale).
STORAGE_SRID = 6668
STORAGE_CRS = f"EPSG:{STORAGE_SRID}"

#: Japan's extent with a margin (lon/lat), used to catch swapped or mis-projected coordinates.
JAPAN_BOUNDS = (122.0, 20.0, 154.5, 46.0)

#: The walking speed's default and allowed range (km/h); :mod:`geo_welfare.core.walking` converts with them.
DEFAULT_WALKING_SPEED_KMH: float = WALKING_SPEED.default  # type: ignore[assignment]
WALKING_SPEED_RANGE: tuple[float, float] = WALKING_SPEED.range  # type: ignore[assignment]

#: The generated demo town's files (package data, so an installed copy has them too).
DEMO_DATA_DIR = DEMO_DIRECTORY


def environment_value(setting: Setting) -> str | None:
    """The text of ``setting``'s variable, or None when it has none, is unset or is empty.

    The one place the program reads ``os.environ``; an empty variable is unset (as XDG asks), so
    ``GEO_WELFARE_NETWORK=`` switches the network off rather than naming the current directory.
    """
    if setting.environment is None:
        return None
    return os.environ.get(setting.environment) or None


def _path(setting: Setting, explicit: str | Path | None = None) -> Path | None:
    chosen = explicit or environment_value(setting) or setting.default
    return Path(chosen) if chosen else None


def database_url(explicit: str | None = None) -> str:
    """Resolve the store URL: ``--database`` first, then the environment, then a local SpatiaLite file."""
    return explicit or environment_value(DATABASE_URL) or f"sqlite:///{Path.cwd() / DEFAULT_DATABASE_FILE}"


def language(explicit: str | None = None) -> str:
    """Resolve the message language; Japanese is the default because the users are Japanese staff.

    Lenient on purpose: a locale-style value (``en_GB.UTF-8``) names its language; a language the
    catalogue does not have falls back to Japanese.
    """
    return choose_language(explicit or environment_value(LANGUAGE), LANGUAGE.default)


def choose_language(requested: str | None, default: str) -> str:
    """``requested`` (``en``, ``en_GB.UTF-8``, ``EN``) if the catalogue has it, else ``default``'s, else Japanese."""
    for candidate in (requested, default):
        code = (candidate or "").replace("-", "_").split("_")[0].split(".")[0].lower()
        if code in LANGUAGE.choices:
            return code
    return LANGUAGE.default


def network_file(explicit: str | Path | None = None) -> Path | None:
    """The street file for walking distances: ``explicit``, else ``GEO_WELFARE_NETWORK``; None for straight lines."""
    return _path(NETWORK, explicit)


def water_file(explicit: str | Path | None = None) -> Path | None:
    """The river and water file drawn under print maps: ``explicit``, else ``GEO_WELFARE_WATER``."""
    return _path(WATER, explicit)


def railway_file(explicit: str | Path | None = None) -> Path | None:
    """The railway file drawn under print maps: ``explicit``, else ``GEO_WELFARE_RAILWAY``."""
    return _path(RAILWAY, explicit)


def base_tiles(explicit: str | None = None) -> str:
    """The base tiles' name or URL template as given: ``explicit``, else ``GEO_WELFARE_TILES``, else ``gsi``.

    Only the choice: :func:`geo_welfare.web.tiles.base_tiles` turns it into tiles or refuses it.
    """
    return (explicit or environment_value(TILES) or TILES.default).strip()


def tiles_attribution() -> str | None:
    """The credit for a URL template's tiles from ``GEO_WELFARE_TILES_ATTRIBUTION``, or None."""
    return environment_value(TILES_ATTRIBUTION)


def coordinator_tiles(explicit: str | None = None) -> str:
    """Whether the coordinator's page may draw outside tiles: ``explicit``, else ``GEO_WELFARE_COORDINATOR_TILES``,
    else ``local``; anything but ``local`` or ``allow`` is a ValueError naming the choices."""
    value = (explicit or environment_value(COORDINATOR_TILES) or COORDINATOR_TILES.default).strip().lower()
    if value not in COORDINATOR_TILES.choices:
        raise ValueError(f"unknown coordinator tiles {value!r}: use {' or '.join(COORDINATOR_TILES.choices)}")
    return value


def secret_key() -> str | None:
    """The session signing key from ``GEO_WELFARE_SECRET_KEY``, or None (the web then keeps a random one)."""
    return environment_value(SECRET_KEY)


_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def secure_cookies() -> bool:
    """Whether ``GEO_WELFARE_SECURE_COOKIES`` asks for ``Secure`` cookies (true/false, 1/0, yes/no, on/off; unset: no).

    Any other word raises ValueError: a misspelt security switch must not quietly mean "off".
    """
    value = (environment_value(SECURE_COOKIES) or "").strip().lower()
    if value in _TRUE:
        return True
    if not value or value in _FALSE:
        return False
    raise ValueError(f"{SECURE_COOKIES.environment} must be true or false, not {value!r}")


def warm_up() -> bool:
    """Whether the web app prepares the planner's inputs when it starts (``GEO_WELFARE_WARM_UP``; unset: yes)."""
    value = (environment_value(WARM_UP) or "").strip().lower()
    if not value or value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{WARM_UP.environment} must be true or false, not {value!r}")


def ratelimit_storage() -> str:
    """The storage URI of the sign-in limits: ``GEO_WELFARE_RATELIMIT_STORAGE``, else ``memory://``."""
    return environment_value(RATELIMIT_STORAGE) or RATELIMIT_STORAGE.default  # type: ignore[return-value]


def max_request_bytes() -> int:
    """The web's request size limit: ``GEO_WELFARE_MAX_REQUEST_BYTES`` (a whole number in its range), else 2 MB.

    Anything else raises ValueError: a mistyped limit must not quietly mean none.
    """
    text = (environment_value(MAX_REQUEST_BYTES) or "").strip()
    if not text:
        return MAX_REQUEST_BYTES.default  # type: ignore[return-value]
    low, high = MAX_REQUEST_BYTES.range  # type: ignore[misc]
    if not (text.isdigit() and len(text) <= 12 and low <= int(text) <= high):
        raise ValueError(f"{MAX_REQUEST_BYTES.environment} must be a whole number of bytes from {low} to {high}, "
                         f"not {text[:20]!r}")
    return int(text)


def results_cache_bytes() -> int:
    """The planner's answer cache per web worker, in bytes: ``GEO_WELFARE_RESULTS_CACHE_MB`` (whole MB), else 256 MB.

    Anything else raises ValueError: a mistyped size must not quietly mean another.
    """
    text = (environment_value(RESULTS_CACHE_MB) or "").strip()
    low, high = RESULTS_CACHE_MB.range  # type: ignore[misc]
    if text and not (text.isdigit() and len(text) <= 6 and low <= int(text) <= high):
        raise ValueError(f"{RESULTS_CACHE_MB.environment} must be a whole number of MB from {low:g} to {high:g}, "
                         f"not {text[:20]!r}")
    return (int(text) if text else RESULTS_CACHE_MB.default) * 1024 * 1024  # type: ignore[operator]


def debug() -> bool:
    """Whether ``GEO_WELFARE_DEBUG`` is set (to anything): unexpected errors then show their traceback."""
    return environment_value(DEBUG) is not None


def spatialite_library() -> str:
    """The SpatiaLite extension to load: ``SPATIALITE_LIBRARY_PATH``, else ``mod_spatialite``."""
    return environment_value(SPATIALITE_LIBRARY) or SPATIALITE_LIBRARY.default  # type: ignore[return-value]


def cache_home() -> Path:
    """The user's cache folder: ``XDG_CACHE_HOME``, else ``~/.cache``."""
    return Path(environment_value(CACHE_HOME) or CACHE_HOME.default).expanduser()


def cache_directory(database: str) -> Path:
    """Where built networks are cached: beside a SpatiaLite store, or in the user's cache for PostGIS."""
    if database.startswith("sqlite:///"):
        return Path(database[len("sqlite:///"):]).resolve().parent / "geo_welfare_cache"
    return cache_home() / "geo-welfare"
