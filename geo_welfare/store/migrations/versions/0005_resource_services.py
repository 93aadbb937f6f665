"""The services an office offers (one place, several services: the national service-information systems' rows).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resource_service",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("resource_id", sa.Integer, sa.ForeignKey("resource.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("source_id", sa.Text),  # the file's NO (or the NOs of a service listed twice)
        sa.Column("service_code", sa.String(16)),
        sa.Column("service_type", sa.String(200)),
        sa.Column("kind", sa.String(32)),
        sa.Column("target_groups", sa.String(300)),
        sa.Column("capacity", sa.Integer),
        sa.Column("capacity_text", sa.Text),
        sa.Column("schedule_text", sa.Text),
        sa.Column("schedule_rules", sa.Text),  # JSON: ParsedSchedule.to_stored()
        sa.Column("closed_on_holidays", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("closed_year_end", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("schedule_unparsed", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("resource_service")
