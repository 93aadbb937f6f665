"""The store: one set of SQLAlchemy/GeoAlchemy2 models on a SpatiaLite file or a PostGIS server.

``open_store(url)`` gives an engine whose schema is at the newest Alembic revision; the
``write`` module stores validated layer frames in one transaction each; ``read`` gives them back
as GeoDataFrames for analysis, maps and exports.
"""

from geo_welfare.store.engine import open_store

__all__ = ["open_store"]
