"""Stations and bus stops, their departures per day, and community-transport service areas (issue 14, transit gaps).

Two new tables beside the others; nothing existing is altered.  ``transit_stop`` holds every stop
and station of one source (an OSM extract, 国土数値情報 P11 or N02, a GTFS feed), keyed by
``source`` + ``source_id`` so a re-import of the same source replaces it; ``departures_per_day`` is
known only for timetables (GTFS), counted for the service day in ``departures_date``.
``transit_service_area`` holds the areas served by 乗合タクシー, コミュニティバス or デマンド交通.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SRID = 6668


def upgrade() -> None:
    op.create_table(
        "transit_stop",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(200), nullable=False, index=True),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(300)),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("operator", sa.String(300)),
        sa.Column("departures_per_day", sa.Integer),
        sa.Column("departures_date", sa.String(10)),
        sa.Column("geom", Geometry("POINT", srid=SRID, spatial_index=True, nullable=False)),
        sa.UniqueConstraint("source", "source_id", name="uq_transit_stop_source_id"),
    )
    op.create_table(
        "transit_service_area",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(200), nullable=False, index=True),
        sa.Column("name", sa.String(300)),
        sa.Column("kind", sa.String(64)),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True, nullable=False)),
    )


def downgrade() -> None:
    op.drop_table("transit_service_area")
    op.drop_table("transit_stop")
