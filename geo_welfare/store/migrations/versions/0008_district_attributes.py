"""Districts' own attributes (CSW配置, 協議体, モデル地区), imported from an office's table keyed by district code.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "district_attribute",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("unit", sa.String(32), nullable=False, index=True),
        sa.Column("code", sa.String(64), nullable=False, index=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.UniqueConstraint("unit", "code", "key", "source", name="uq_district_attribute"),
    )


def downgrade() -> None:
    op.drop_table("district_attribute")
