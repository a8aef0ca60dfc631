"""address-book contacts and their tombstones

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "contacts",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("owner_id", sa.Uuid(),
                  sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("first_name", sa.String(50), nullable=False),
        sa.Column("last_name", sa.String(50), nullable=False),
        sa.Column("email", sa.String(255), nullable=False),
        sa.Column("phone", sa.String(32)),
        sa.Column("birthday", sa.Date()),
        sa.Column("birthday_key", sa.SmallInteger()),
        sa.Column("additional_data", sa.JSON()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "uq_contacts_owner_email_lower", "contacts", ["owner_id", sa.text("lower(email)")],
        unique=True,
    )
    op.create_index(
        "ix_contacts_owner_name", "contacts", ["owner_id", "last_name", "first_name", "id"]
    )
    op.create_index("ix_contacts_owner_birthday_key", "contacts", ["owner_id", "birthday_key"])

    op.create_table(
        "contact_tombstones",
        sa.Column("id", sa.Uuid(), primary_key=True),
        sa.Column("owner_id", sa.Uuid(),
                  sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_contact_tombstones_owner_deleted", "contact_tombstones", ["owner_id", "deleted_at"]
    )


def downgrade():
    op.drop_table("contact_tombstones")
    op.drop_table("contacts")
