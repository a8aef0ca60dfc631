"""the portable address book and CardDAV: cards from elsewhere, labels, vCards, feeds

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _where(condition: str) -> dict:
    clause = sa.text(condition)
    return {"postgresql_where": clause, "sqlite_where": clause}


def _drop_email_index():
    # SQLite's batch mode rebuilds the table and cannot carry an expression index over.
    op.drop_index("uq_contacts_owner_email_lower", table_name="contacts")


def _create_email_index():
    op.create_index("uq_contacts_owner_email_lower", "contacts",
                    ["owner_id", sa.text("lower(email)")], unique=True)


def upgrade():
    _drop_email_index()
    with op.batch_alter_table("contacts") as batch:
        batch.alter_column("email", existing_type=sa.String(255), nullable=True)
        batch.add_column(sa.Column("labels", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("uid", sa.String(255)))
        batch.add_column(sa.Column("vcard", sa.Text()))
        batch.add_column(sa.Column("dav_name", sa.String(255)))
    _create_email_index()
    # Partial: most cards have neither, and a full index on the owner would compete with
    # the owner's list indexes in the planner.
    op.create_index("ix_contacts_owner_uid", "contacts", ["owner_id", "uid"],
                    **_where("uid IS NOT NULL"))
    op.create_index("uq_contacts_owner_dav_name", "contacts", ["owner_id", "dav_name"],
                    unique=True, **_where("dav_name IS NOT NULL"))
    op.add_column("contact_tombstones", sa.Column("dav_name", sa.String(255)))
    op.create_table(
        "contact_labels",
        sa.Column("contact_id", sa.Uuid(), sa.ForeignKey("contacts.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("folded", sa.String(50), primary_key=True),
        sa.Column("owner_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
    )
    op.create_index("ix_contact_labels_owner_folded", "contact_labels",
                    ["owner_id", "folded", "contact_id"])
    op.create_table(
        "calendar_feeds",
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("calendar_feeds")
    op.drop_table("contact_labels")
    op.drop_column("contact_tombstones", "dav_name")
    op.drop_index("uq_contacts_owner_dav_name", table_name="contacts")
    op.drop_index("ix_contacts_owner_uid", table_name="contacts")
    _drop_email_index()
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("dav_name")
        batch.drop_column("vcard")
        batch.drop_column("uid")
        batch.drop_column("labels")
        batch.alter_column("email", existing_type=sa.String(255), nullable=False)
    _create_email_index()
