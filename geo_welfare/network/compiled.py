"""numba's ``njit`` with its on-disk cache where one can be written, and without it where none can.

Compiling the walks' loops costs a process a second or more; with ``cache=True`` numba keeps the
machine code beside the source (``__pycache__``), or where that is read-only in the user's cache
folder (``NUMBA_CACHE_DIR`` chooses another), and a later process loads it in milliseconds.  The
cache is keyed by the source file's time and size, so an edited module is compiled again.

Where neither folder can be written (a read-only install run by a user without a writable home,
as some servers and containers are), ``cache=True`` makes numba refuse at import time ("cannot
cache function …: no locator available"), which would stop every command.  The function is then
compiled in each process instead: slower to start, the same answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import numba

_Function = TypeVar("_Function", bound=Callable)


def njit(function: _Function | None = None, **options):
    """``numba.njit(cache=True, **options)(function)``, or without the cache where numba finds nowhere to keep it.

    Used bare (``@njit``) or with numba's options (``@njit(nogil=True)``).
    """
    if function is None:
        return lambda decorated: njit(decorated, **options)
    try:
        return numba.njit(cache=True, **options)(function)
    except RuntimeError as error:
        if "cannot cache" not in str(error):
            raise
        return numba.njit(**options)(function)
