"""Consultation desks (相談窓口): the fields a place takes consultations on, and whether it visits homes.

``consultation_fields`` holds the glossary's field ids joined by commas (``elderly_care,advocacy``), in
the glossary's order: a place has few, and every reader wants them all at once, so a column rather
than a table.  ``outreach`` (アウトリーチ) is True for a desk that visits homes, NULL where unsaid.
The ``consultation`` flag stays: it says whether a place takes consultations at all.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resource") as table:
        table.add_column(sa.Column("consultation_fields", sa.String(300)))
        table.add_column(sa.Column("outreach", sa.Boolean))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+ and PostgreSQL), not a batch copy of the table: a SpatiaLite
    # table copied twice in one downgrade loses its geometry column's registration and refuses the rows.
    op.drop_column("resource", "outreach")
    op.drop_column("resource", "consultation_fields")
