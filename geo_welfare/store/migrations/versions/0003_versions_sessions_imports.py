"""Versions of resources (a stale save is refused), server-side web sessions, and a record of every import.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("resource") as table:
        table.add_column(sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.create_table(
        "web_session",
        sa.Column("id", sa.String(64), primary_key=True),  # SHA-256 of the cookie's token, never the token
        sa.Column("username", sa.String(64), nullable=False, index=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "import_run",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("layer", sa.String(32), nullable=False),
        sa.Column("source", sa.String(200), nullable=False, index=True),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime, nullable=False),
        sa.Column("created", sa.Integer, nullable=False),
        sa.Column("updated", sa.Integer, nullable=False),
        sa.Column("removed", sa.Integer, nullable=False),
        sa.Column("options", sa.Text),  # what the user allowed (--allow-removals, --overwrite-edits), as JSON
    )


def downgrade() -> None:
    op.drop_table("import_run")
    op.drop_table("web_session")
    with op.batch_alter_table("resource") as table:
        table.drop_column("version")
