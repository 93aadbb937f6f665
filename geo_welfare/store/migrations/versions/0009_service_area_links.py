"""Ties of places to the areas they serve (a 地域包括支援センター → its 日常生活圏域).

A tie names the place by its list and row (source, source_id) so that it survives a re-import of
the list; see :mod:`geo_welfare.store.area_links`.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_area_link",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("area_unit", sa.String(32), nullable=False),
        sa.Column("area_code", sa.String(64), nullable=False),
        sa.Column("resource_kind", sa.String(32), nullable=False),
        sa.Column("resource_source", sa.String(200), nullable=False),
        sa.Column("resource_source_id", sa.String(200), nullable=False),
        sa.Column("linked_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("area_unit", "area_code", "resource_kind", name="uq_service_area_link"),
    )


def downgrade() -> None:
    op.drop_table("service_area_link")
