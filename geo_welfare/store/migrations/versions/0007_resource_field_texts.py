"""A place's descriptive cells as written, and how a place without coordinates was placed.

``capacity_text`` keeps the 定員 cell as the list wrote it (「大会議室：120名、…各24名」 says no single
number, so ``capacity`` stays empty); ``capacity_approximate`` marks 「約20名」「20名程度」.
``location_level`` (block, chome, oaza) and ``location_gazetteer`` say that the point came from the
address through a gazetteer, not from the list's coordinates (NULL: the list's own point).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resource") as table:
        table.add_column(sa.Column("capacity_text", sa.String(500)))
        table.add_column(sa.Column("capacity_approximate", sa.Boolean))
        table.add_column(sa.Column("location_level", sa.String(16)))
        table.add_column(sa.Column("location_gazetteer", sa.String(200)))  # the gazetteer file, as stored


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+ and PostgreSQL), not a batch copy of the table: a SpatiaLite
    # table copied twice in one downgrade loses its geometry column's registration and refuses the rows.
    for column in ("location_gazetteer", "location_level", "capacity_approximate", "capacity_text"):
        op.drop_column("resource", column)
