"""Builders shared by the test modules (fixtures live in ``conftest.py``; no test module imports another)."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path
from types import ModuleType

REPOSITORY = Path(__file__).resolve().parents[1]
SHARED_DATA = REPOSITORY.parent / "shared" / "data"
DEMO_DATA = REPOSITORY / "data" / "demo"
#: The demo town's generator: a script beside the product, never imported by it.
DEMO_GENERATOR = REPOSITORY / "scripts" / "demo_town.py"


@lru_cache(maxsize=1)
def demo_town_generator() -> ModuleType:
    """``scripts/demo_town.py`` loaded as a module (it is not part of the installed package)."""
    spec = importlib.util.spec_from_file_location("demo_town", DEMO_GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
