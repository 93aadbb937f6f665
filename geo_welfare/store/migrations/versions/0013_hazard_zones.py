"""Hazard zones (国土数値情報 A31 flood, A33 landslide) and shelters with the hazards they serve (issue 14).

``hazard_zone``: one polygon per zone of an imported file (``source`` is the file's name; importing
it again replaces its rows): ``hazard`` (flood | landslide), ``scenario`` (A31: planned, maximum or
legacy), ``zone_class`` (a depth band such as ``0.5-3.0``, or warning / special_warning), the A33
``phenomenon`` (steep_slope | debris_flow | landslide) and the ``label`` as the code list words it.
``shelter``: one point per GSI 指定緊急避難場所 / 指定避難所 (``source_id`` the 共通ID), its ``kind``
(emergency_site | designated_shelter | welfare_shelter) and the hazards it is open for, a comma list.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SRID = 6668


def upgrade() -> None:
    op.create_table(
        "hazard_zone",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(200), nullable=False, index=True),
        sa.Column("hazard", sa.String(16), nullable=False, index=True),
        sa.Column("scenario", sa.String(16)),
        sa.Column("zone_class", sa.String(32), nullable=False),
        sa.Column("phenomenon", sa.String(16)),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("name", sa.String(300)),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True, nullable=False)),
    )
    op.create_table(
        "shelter",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(200), nullable=False, index=True),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("address", sa.String(500)),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("hazards", sa.String(200), nullable=False),
        sa.Column("geom", Geometry("POINT", srid=SRID, spatial_index=True, nullable=False)),
        sa.UniqueConstraint("source", "source_id", name="uq_shelter_source_id"),
    )


def downgrade() -> None:
    for table in ("shelter", "hazard_zone"):
        op.drop_table(table)
