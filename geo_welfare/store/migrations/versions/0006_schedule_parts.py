"""Schedule rows gain what real lists write: months (BYMONTH), what a rule does on holidays, closed rules, notes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("schedule") as table:
        table.add_column(sa.Column("bymonth", sa.String(64)))  # 4月～9月 → 4,5,6,7,8,9
        table.add_column(sa.Column("if_holiday", sa.String(16)))  # next_day / not_held / only / unknown
        table.add_column(sa.Column("closed", sa.Boolean, nullable=False, server_default=sa.false()))  # 定休日
        table.add_column(sa.Column("notes", sa.Text))  # 雨天中止 …, the schedule's conditions as written


def downgrade() -> None:
    with op.batch_alter_table("schedule") as table:
        table.drop_column("notes")
        table.drop_column("closed")
        table.drop_column("if_holiday")
        table.drop_column("bymonth")
