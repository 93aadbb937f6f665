"""The planner's answers and studies kept in memory, keyed by the store's contents and the question.

A whole city's coverage spends most of its time spreading 1.9 million residents along the
streets and snapping them (:class:`~geo_welfare.analysis.study.Study`), and its gaps and walking
areas in polygon work; none of it changes until the store or the question does.  So each web
worker keeps

* **answers**: the bytes of each answer (JSON, GeoJSON, CSV, GeoPackage) under the question's full
  key, least recently used first out, up to ``GEO_WELFARE_RESULTS_CACHE_MB``
  (:func:`geo_welfare.core.config.results_cache_bytes`); the same question asked again is answered
  with the same bytes;
* **studies**: the last :data:`STUDIES_KEPT` studies, one per store revision, kinds, population
  dataset, ward or 圏域 and audience; a study for other kinds takes the residents of one already
  kept for the same store, dataset and area, since where residents live does not depend on the places.

Every key starts with the store's URL and revision (:func:`geo_welfare.store.read.store_revision`,
read before the data it keys), the street network's identity, and whether the asker is an editor:
an editor's answers count staff-only places, so they are kept apart and never handed to the
public.  When a store's revision changes (an import, a web edit, a deletion), everything kept for
its older revisions is dropped at once, so memory holds one revision's answers.

Each gunicorn worker keeps its own (nothing is shared between processes); a question is worked out
once per worker, and two threads asking the same question at once wait for one answer.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from sqlalchemy import Engine

from geo_welfare.analysis.study import Study
from geo_welfare.store.read import store_revision

#: Studies kept per worker: a whole city's is some 100 MB (residents, their snapping), and a planner
#: switches between a few sets of kinds, public and staff answers.
STUDIES_KEPT = 4
#: The cached properties of a study that depend only on the store, the dataset and the area, not on
#: the places: handed from a kept study to a new one for other kinds.
RESIDENT_PROPERTIES = ("residents", "resident_xy", "snapped_residents")


@dataclass(frozen=True)
class Answer:
    """An answer as sent: its bytes, their media type, and the file name of a download (None: shown inline)."""

    data: bytes
    mimetype: str
    download_name: str | None = None


class Kept:
    """A least-recently-used store of values, bounded by their total ``size``, making each key once at a time.

    Parameters
    ----------
    limit : int
        The most the kept values may weigh together (in ``size``'s unit); 0 keeps nothing.
    size : callable
        A value's weight (bytes for answers, 1 for a study).
    """

    def __init__(self, limit: int, size: Callable[[object], int]):
        self.limit, self.size = limit, size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._weight = 0
        self._lock = threading.Lock()
        self._making: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: Hashable) -> object | None:
        """The value kept under ``key`` (now the most recently used), or None."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        return None

    def waited(self, key: Hashable) -> object | None:
        """The value under ``key``, waiting first while another thread is making it; None when absent."""
        with self._lock:
            making = self._making.get(key)
        if making is not None:
            with making:
                pass
        return self.get(key)

    def values(self) -> list:
        """The kept values, least recently used first."""
        with self._lock:
            return list(self._items.values())

    def get_or_make(self, key: Hashable, make: Callable[[], object]) -> object:
        """The value under ``key``; made by ``make()`` and kept when absent (once, however many threads ask).

        An error raised by ``make`` reaches the caller and nothing is kept.
        """
        found = self.get(key)
        if found is not None:
            return found
        with self._lock:
            making = self._making.setdefault(key, threading.Lock())
        with making:
            found = self.get(key)
            if found is not None:
                return found
            try:
                value = make()
                self._keep(key, value)
            finally:
                with self._lock:
                    self._making.pop(key, None)
        return value

    def _keep(self, key: Hashable, value: object) -> None:
        weight = self.size(value)
        if weight > self.limit:
            return  # larger than the whole cache: answered, not kept
        with self._lock:
            if key in self._items:
                self._weight -= self.size(self._items.pop(key))
            self._items[key] = value
            self._weight += weight
            while self._weight > self.limit:
                _, dropped = self._items.popitem(last=False)
                self._weight -= self.size(dropped)

    def drop(self, stale: Callable[[Hashable], bool]) -> None:
        """Forget every value whose key ``stale`` says is out of date."""
        with self._lock:
            for key in [key for key in self._items if stale(key)]:
                self._weight -= self.size(self._items.pop(key))


def _remember_walks(study: Study) -> None:
    """Make the study work out each resident's walk to its own places once, for coverage and gaps alike.

    :func:`~geo_welfare.analysis.planning.coverage` and :func:`~geo_welfare.analysis.planning.gaps`
    each ask :meth:`Study.walk_to_nearest` of the study's places (a second or so for a city); a kept
    study answers the second and later asks from the first.  Other places are walked to afresh.
    """
    walk, lock, found = study.walk_to_nearest, threading.Lock(), []

    def remembered(resources):
        if resources is not study.resources:
            return walk(resources)
        with lock:
            if not found:
                found.append(walk(resources))
        return found[0]
    study.walk_to_nearest = remembered  # type: ignore[method-assign]


class PlannerCache:
    """One worker's kept answers and studies, and the store revisions they were worked out for.

    Parameters
    ----------
    answer_bytes : int
        The most the kept answers may weigh together, bytes (0: keep neither answers nor studies,
        every question worked out afresh as before anything was kept).
    studies : int, default :data:`STUDIES_KEPT`
        How many studies to keep.
    """

    def __init__(self, answer_bytes: int, studies: int = STUDIES_KEPT):
        self.answers = Kept(answer_bytes, lambda answer: len(answer.data))
        self.studies = Kept(studies if answer_bytes else 0, lambda _study: 1)
        #: Residents prepared before any question (:meth:`prepare_residents`), by store, dataset and area.
        self.residents = Kept(studies if answer_bytes else 0, lambda _residents: 1)
        self._revisions: dict[str, str] = {}
        self._lock = threading.Lock()

    def revision(self, engine: Engine) -> tuple[str, str]:
        """The store's (URL, revision), dropping what was kept for its older revisions when it has changed."""
        url = engine.url.render_as_string(hide_password=True)
        revision = store_revision(engine)
        with self._lock:
            changed = self._revisions.get(url) not in (None, revision)
            self._revisions[url] = revision
        if changed:
            def stale(key: Hashable) -> bool:
                return key[0] == url and key[1] != revision  # type: ignore[index]
            self.answers.drop(stale)
            self.studies.drop(stale)
            self.residents.drop(stale)
        return url, revision

    def study(self, key: tuple, residents_key: tuple, make: Callable[[], Study]) -> Study:
        """The study under ``key``; a new one takes the residents of a kept study with the same ``residents_key``.

        Both keys start with the store's URL and revision.
        """
        def made() -> Study:
            study = make()
            sources = [kept.__dict__ for kept in self.studies.values()
                       if kept.residents_key == residents_key]  # type: ignore[attr-defined]
            prepared = self.residents.waited(residents_key)  # the warm-up's, waited for while it works
            for properties in sources + ([prepared] if prepared is not None else []):
                for name in RESIDENT_PROPERTIES:  # functools.cached_property keeps them in the instance's dict
                    if name in properties and name not in study.__dict__:
                        study.__dict__[name] = properties[name]
            study.residents_key = residents_key  # type: ignore[attr-defined]
            _remember_walks(study)
            return study
        return self.studies.get_or_make(key, made)  # type: ignore[return-value]

    def prepare_residents(self, residents_key: tuple, make: Callable[[], Study]) -> None:
        """Spread and place the residents of ``residents_key`` now (the server's warm-up), for the first study to take.

        ``make`` opens a study of that store, dataset and area (any kinds: where residents live does
        not depend on the places); only its :data:`RESIDENT_PROPERTIES` are kept.  A study asked for
        meanwhile waits for them instead of spreading the residents a second time.
        """
        def made() -> dict:
            study = make()
            study.snapped_residents  # noqa: B018 - cached: spreads the residents first
            study.resident_xy  # noqa: B018
            return {name: study.__dict__[name] for name in RESIDENT_PROPERTIES if name in study.__dict__}
        self.residents.get_or_make(residents_key, made)

    def answer(self, key: tuple, make: Callable[[], Answer]) -> Answer:
        """The answer under ``key`` (starting with the store's URL and revision), made once."""
        return self.answers.get_or_make(key, make)  # type: ignore[return-value]
