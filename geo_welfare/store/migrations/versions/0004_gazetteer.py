"""Gazetteer entries (MLIT 位置参照情報, Geolonia japanese-addresses, the store's own small areas) for offline address matching.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gazetteer_entry",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("gazetteer", sa.String(16), nullable=False),  # mlit_oaza, mlit_block, geolonia, small_area
        sa.Column("source", sa.String(200), nullable=False, index=True),  # the file; a re-import replaces it
        sa.Column("prefecture", sa.String(16)),
        sa.Column("municipality_code", sa.String(6)),
        sa.Column("municipality", sa.String(100), nullable=False),
        sa.Column("town", sa.String(200), nullable=False),
        sa.Column("koaza", sa.String(200)),
        sa.Column("block", sa.String(64)),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("gazetteer_entry")
