"""Which GTFS services run on a day, which day is a typical weekday, and departures per stop that day.

A service runs on a day when ``calendar.txt`` says so for that weekday within its
``start_date``–``end_date``, unless ``calendar_dates.txt`` removes it that day (``exception_type``
2); ``calendar_dates.txt`` can also add it (1), and may be the only calendar of a feed.

The typical weekday, when none is asked for, is the earliest Monday–Friday date of the feed's
period (at most :data:`SEARCH_DAYS` days from its first) that runs the most common weekday set of
services (of the sets that run a trip; the one with more trips among equally common ones): a
holiday removed in ``calendar_dates`` or a one-off extra service then never makes the feed's weekday.

A departure is a ``stop_times`` row of a trip running that day, except the trip's last stop
(nobody boards there to go anywhere) and rows with ``pickup_type`` 1 (no boarding).  A trip of
``frequencies.txt`` runs once per headway from each ``start_time`` until before its ``end_time``
(⌈(end − start) / headway⌉ runs), each run as many departures as the trip.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: How many days from the feed's first the typical weekday is looked for.
SEARCH_DAYS = 400


def gtfs_date(text: str) -> datetime.date:
    """A GTFS date (``YYYYMMDD``) as a date; ValueError otherwise."""
    return datetime.datetime.strptime(str(text).strip(), "%Y%m%d").date()


def services_on(day: datetime.date, calendar: pd.DataFrame | None, dates: pd.DataFrame | None) -> set[str]:
    """The ``service_id`` running on ``day``.

    Parameters
    ----------
    day : datetime.date
    calendar : pandas.DataFrame or None
        ``calendar.txt`` with ``start`` and ``end`` as dates (:func:`gtfs_date`).
    dates : pandas.DataFrame or None
        ``calendar_dates.txt`` with ``day`` as dates.
    """
    running: set[str] = set()
    if calendar is not None and len(calendar):
        within = (calendar["start"] <= day) & (calendar["end"] >= day)
        flag = calendar[WEEKDAYS[day.weekday()]].astype(str).str.strip() == "1"
        running = set(calendar.loc[within & flag, "service_id"])
    if dates is not None and len(dates):
        today = dates[dates["day"] == day]
        kinds = today["exception_type"].astype(str).str.strip()
        running |= set(today.loc[kinds == "1", "service_id"])
        running -= set(today.loc[kinds == "2", "service_id"])
    return running


def feed_period(calendar: pd.DataFrame | None, dates: pd.DataFrame | None) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day any calendar row names, or None for a feed without calendars."""
    days = []
    if calendar is not None and len(calendar):
        days += [calendar["start"].min(), calendar["end"].max()]
    if dates is not None and len(dates):
        days += [dates["day"].min(), dates["day"].max()]
    return (min(days), max(days)) if days else None


def typical_weekday(trips: pd.DataFrame, calendar: pd.DataFrame | None,
                    dates: pd.DataFrame | None) -> datetime.date | None:
    """The feed's typical weekday (see the module's docstring), or None when no weekday has a trip."""
    period = feed_period(calendar, dates)
    if period is None:
        return None
    trips_per_service = trips.groupby("service_id").size()
    seen: dict[frozenset, list] = {}  # services running → [days, trips, first day]
    day, last = period[0], min(period[1], period[0] + datetime.timedelta(days=SEARCH_DAYS))
    while day <= last:
        if day.weekday() < 5:
            running = frozenset(services_on(day, calendar, dates))
            count = int(trips_per_service.reindex(list(running)).fillna(0).sum())
            if count:
                seen.setdefault(running, [0, count, day])[0] += 1
        day += datetime.timedelta(days=1)
    if not seen:
        return None
    return min(seen.values(), key=lambda entry: (-entry[0], -entry[1], entry[2]))[2]


def seconds(text: object) -> float:
    """A GTFS time (``H:MM:SS``, hours past 24 allowed) in seconds; NaN when it is none."""
    try:
        hours, minutes, rest = str(text).strip().split(":")
        return int(hours) * 3600 + int(minutes) * 60 + int(rest)
    except ValueError:
        return float("nan")


def runs_per_trip(frequencies: pd.DataFrame | None) -> pd.Series:
    """How many times each trip of ``frequencies.txt`` runs in a day (trips not in it run once)."""
    if frequencies is None or frequencies.empty:
        return pd.Series(dtype="int64")
    span = frequencies["end_time"].map(seconds) - frequencies["start_time"].map(seconds)
    headway = pd.to_numeric(frequencies["headway_secs"], errors="coerce")
    runs = np.ceil(span / headway.where(headway > 0)).where(span > 0, 0).fillna(0).astype("int64")
    return runs.groupby(frequencies["trip_id"].to_numpy()).sum()


def departures_per_stop(stop_times: pd.DataFrame, trips: pd.DataFrame, services: set[str],
                        frequencies: pd.DataFrame | None = None) -> pd.Series:
    """Departures at each ``stop_id`` by the trips of ``services``: every stop of a trip but its last.

    Parameters
    ----------
    stop_times : pandas.DataFrame
        ``stop_times.txt`` (``trip_id``, ``stop_id``, ``stop_sequence``, optional ``pickup_type``).
    trips : pandas.DataFrame
        ``trips.txt`` (``trip_id``, ``service_id``).
    services : set of str
        The services running that day (:func:`services_on`).
    frequencies : pandas.DataFrame, optional
        ``frequencies.txt`` (:func:`runs_per_trip`).

    Returns
    -------
    pandas.Series
        Departures (int) indexed by ``stop_id``; stops without any are absent.
    """
    running = set(trips.loc[trips["service_id"].isin(services), "trip_id"])
    times = stop_times[stop_times["trip_id"].isin(running)].copy()
    if times.empty:
        return pd.Series(dtype="int64")
    times["sequence"] = pd.to_numeric(times["stop_sequence"], errors="coerce")
    last = times.groupby("trip_id")["sequence"].transform("max")
    boarding = times["pickup_type"].astype(str).str.strip() != "1" if "pickup_type" in times else True
    counted = times[(times["sequence"] < last) & boarding]
    runs = counted["trip_id"].map(runs_per_trip(frequencies)).fillna(1)
    return runs.groupby(counted["stop_id"].to_numpy()).sum().astype("int64")
