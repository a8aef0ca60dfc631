"""sync and suggestions: the change clock, suggestion refresh times, sync indexes

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    # One row, created on first use: the last stamp handed out (see contacts_api.changeclock).
    op.create_table(
        "change_clock",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("microseconds", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "suggestion_refreshes",
        sa.Column("user_id", sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  primary_key=True, nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Sync reads the log, the cards and the tombstones by owner and time.
    op.drop_index("ix_network_changes_user_id_id", table_name="network_changes")
    op.create_index("ix_network_changes_user_id_at", "network_changes", ["user_id", "at"])
    op.create_index("ix_contacts_owner_updated_at", "contacts", ["owner_id", "updated_at"])


def downgrade():
    op.drop_index("ix_contacts_owner_updated_at", table_name="contacts")
    op.drop_index("ix_network_changes_user_id_at", table_name="network_changes")
    op.create_index("ix_network_changes_user_id_id", "network_changes", ["user_id", "id"])
    op.drop_table("suggestion_refreshes")
    op.drop_table("change_clock")
