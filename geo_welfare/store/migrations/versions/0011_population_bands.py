"""Population by 5-year age band (and by sex where the table gives it), for the district profile's pyramid.

A new table beside ``population_count``: existing tables are not altered.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "population_band",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("count_id", sa.Integer, sa.ForeignKey("population_count.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("band_start", sa.Integer, nullable=False),
        sa.Column("band_end", sa.Integer),
        sa.Column("sex", sa.String(8)),
        sa.Column("count", sa.Integer),
    )


def downgrade() -> None:
    op.drop_table("population_band")
