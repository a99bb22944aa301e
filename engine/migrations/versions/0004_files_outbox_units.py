"""Stored files, the notification outbox and construction units.

Revision ID: 0004
Revises: 0001
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_files",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("mime_type", sa.String(length=120), nullable=False),
        sa.Column("owner", sa.String(length=120), nullable=False),
        sa.Column("uploaded_by", sa.String(length=120), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("owner", "sha256", "name"),
    )
    op.create_index("ix_stored_files_sha256", "stored_files", ["sha256"])
    op.create_index("ix_stored_files_owner", "stored_files", ["owner"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("template", sa.String(length=60), nullable=False),
        sa.Column("instance_id", sa.String(length=36), nullable=True),
        sa.Column("job_id", sa.String(length=36), nullable=True),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("emails", sa.JSON(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["process_instances.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("job_id"),
    )
    op.create_index("ix_outbox_template", "outbox", ["template"])
    op.create_index("ix_outbox_instance_id", "outbox", ["instance_id"])
    op.create_table(
        "units",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("unit_type", sa.String(length=40), nullable=False),
        sa.Column("province_code", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("credit_code"),
    )
    op.create_index("ix_units_province_code", "units", ["province_code"])


def downgrade() -> None:
    op.drop_index("ix_units_province_code", table_name="units")
    op.drop_table("units")
    op.drop_index("ix_outbox_instance_id", table_name="outbox")
    op.drop_index("ix_outbox_template", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_stored_files_owner", table_name="stored_files")
    op.drop_index("ix_stored_files_sha256", table_name="stored_files")
    op.drop_table("stored_files")
