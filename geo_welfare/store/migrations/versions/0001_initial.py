"""Initial schema: area units, population, resources with schedules, candidate sites.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op
from geoalchemy2 import Geometry

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SRID = 6668


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    else:
        has_metadata = bind.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='spatial_ref_sys'").scalar()
        if not has_metadata:
            bind.exec_driver_sql("SELECT InitSpatialMetadata(1)")

    op.create_table(
        "area_unit",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit", sa.String(32), nullable=False, index=True),
        sa.Column("code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200)),
        sa.Column("name_kana", sa.String(200)),
        sa.Column("parent_code", sa.String(64)),
        sa.Column("municipality_code", sa.String(6)),
        sa.Column("municipality_name", sa.String(100)),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("geom", Geometry("MULTIPOLYGON", srid=SRID, spatial_index=True, nullable=False)),
        sa.UniqueConstraint("unit", "code", name="uq_area_unit_unit_code"),
    )
    op.create_table(
        "population_dataset",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("source_file", sa.String(500), nullable=False),
        sa.Column("as_of", sa.String(32)),
        sa.Column("imported_at", sa.DateTime, server_default=sa.func.current_timestamp(), nullable=False),
    )
    op.create_table(
        "population_count",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("dataset_id", sa.Integer, sa.ForeignKey("population_dataset.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("row_key", sa.String(200), nullable=False),
        sa.Column("area_code", sa.String(64), index=True),
        sa.Column("parent_name", sa.String(200)),
        sa.Column("name", sa.String(200)),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("age_0_14", sa.Integer),
        sa.Column("age_15_64", sa.Integer),
        sa.Column("age_65_plus", sa.Integer),
        sa.Column("age_75_plus", sa.Integer),
        sa.Column("households", sa.Integer),
        sa.UniqueConstraint("dataset_id", "row_key", name="uq_population_dataset_row"),
    )
    op.create_table(
        "resource",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("name_kana", sa.String(300)),
        sa.Column("operator", sa.String(300)),
        sa.Column("address", sa.String(500)),
        sa.Column("phone", sa.String(64)),
        sa.Column("url", sa.String(500)),
        sa.Column("target_groups", sa.String(300)),
        sa.Column("fee", sa.String(200)),
        sa.Column("capacity", sa.Integer),
        sa.Column("barrier_free", sa.Boolean),
        sa.Column("consultation", sa.Boolean),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("last_checked", sa.Date),
        sa.Column("schedule_text", sa.Text),
        sa.Column("closed_on_holidays", sa.Boolean, nullable=False),
        sa.Column("closed_year_end", sa.Boolean, nullable=False),
        sa.Column("times_per_month", sa.Integer),
        sa.Column("schedule_unparsed", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("geom", Geometry("POINT", srid=SRID, spatial_index=True, nullable=False)),
        sa.UniqueConstraint("source", "source_id", name="uq_resource_source_id"),
    )
    op.create_table(
        "schedule",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("resource_id", sa.Integer, sa.ForeignKey("resource.id", ondelete="CASCADE"),
                  nullable=False, index=True),
        sa.Column("freq", sa.String(16), nullable=False),
        sa.Column("interval", sa.Integer, nullable=False),
        sa.Column("byday", sa.String(64)),
        sa.Column("bymonthday", sa.String(64)),
        sa.Column("opens_at", sa.String(5)),
        sa.Column("closes_at", sa.String(5)),
    )
    op.create_table(
        "candidate_site",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("source_id", sa.String(200), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(64)),
        sa.Column("address", sa.String(500)),
        sa.Column("geom", Geometry("POINT", srid=SRID, spatial_index=True, nullable=False)),
        sa.UniqueConstraint("source", "source_id", name="uq_candidate_source_id"),
    )


def downgrade() -> None:
    for table in ("candidate_site", "schedule", "resource", "population_count", "population_dataset", "area_unit"):
        op.drop_table(table)
