"""the network: contacts, requests, blocks, suggestions, invites, change log, lookups

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _user_fk(name, primary_key=False):
    return sa.Column(name, sa.Uuid(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                     primary_key=primary_key, nullable=False)


def _at(name, nullable=False):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")

    op.create_table("contact_links", _user_fk("user_id", True), _user_fk("contact_id", True),
                    _at("added_at"))
    op.create_index("ix_contact_links_contact_id", "contact_links", ["contact_id"])

    op.create_table("contact_requests", _user_fk("sender_id", True),
                    _user_fk("recipient_id", True), _at("sent_at"))
    op.create_index("ix_contact_requests_recipient_id", "contact_requests", ["recipient_id"])
    low, high = ("least", "greatest") if postgres else ("min", "max")
    op.create_index(
        "uq_contact_requests_pair", "contact_requests",
        [sa.text(f"{low}(sender_id, recipient_id)"), sa.text(f"{high}(sender_id, recipient_id)")],
        unique=True,
    )

    op.create_table("blocks", _user_fk("blocker_id", True), _user_fk("blocked_id", True),
                    _at("blocked_at"))
    op.create_index("ix_blocks_blocked_id", "blocks", ["blocked_id"])

    op.create_table(
        "suggestions", _user_fk("user_id", True), _user_fk("suggested_id", True),
        _at("suggested_at"), _at("hidden_at", nullable=True),
        sa.Column("mutual_count", sa.Integer(), nullable=False),
    )
    op.create_index("ix_suggestions_suggested_id", "suggestions", ["suggested_id"])

    op.create_table(
        "invites",
        sa.Column("id", sa.Uuid(), primary_key=True),
        _user_fk("inviter_id"),
        sa.Column("email", sa.String(255), nullable=False),
        _at("sent_at"),
        sa.UniqueConstraint("inviter_id", "email", name="uq_invites_inviter_email"),
    )
    op.create_index("ix_invites_email", "invites", ["email"])

    op.create_table(
        "network_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                  autoincrement=True),
        _user_fk("user_id"),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("other_id", sa.Uuid(), nullable=True),
        _at("at"),
    )
    op.create_index("ix_network_changes_user_id_id", "network_changes", ["user_id", "id"])

    op.create_table(
        "user_identifiers", _user_fk("user_id", True),
        sa.Column("field", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(255), nullable=False),
    )
    op.create_index("ix_user_identifiers_value", "user_identifiers", ["value"])

    op.create_table("user_search", _user_fk("user_id", True),
                    sa.Column("text", sa.Text(), nullable=False))
    # A trigram GIN index on PostgreSQL; the options are ignored elsewhere (plain index).
    op.create_index("ix_user_search_text_trgm", "user_search", ["text"],
                    postgresql_using="gin", postgresql_ops={"text": "gin_trgm_ops"})

    _backfill_lookups()


def _backfill_lookups():
    """Accounts created before this revision get their find/search rows."""
    from contacts_api.network import indexing

    connection = op.get_bind()
    users = sa.table(
        "users", sa.column("id", sa.Uuid()),
        *[sa.column(name) for name in ("username", *indexing.SEARCH_FIELDS[:3],
                                       *indexing.EMAIL_FIELDS, *indexing.PHONE_FIELDS)],
    )
    for row in connection.execute(sa.select(users)).mappings():
        indexing.write_lookups(connection, _Row(row))


class _Row:
    def __init__(self, mapping):
        self.__dict__.update(mapping)


def downgrade():
    for table in ("user_search", "user_identifiers", "network_changes", "invites",
                  "suggestions", "blocks", "contact_requests", "contact_links"):
        op.drop_table(table)
