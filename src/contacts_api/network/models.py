"""The network's tables: relationships between users, invites, and the change log.

Every question the API asks is one index lookup: "is B a contact of A" and "A's
contacts" are both scans of the `contact_links` primary key (each link is stored in both
directions); a pending request is one row keyed (sender, recipient) with a second
index on the recipient, and at most one request exists per pair of users whichever
way it points; blocks are keyed (blocker, blocked) with an index on the blocked side.
"""

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.functions import GenericFunction

from ..database import db, utcnow


class least(GenericFunction):  # noqa: N801 - named after the SQL function
    inherit_cache = True


class greatest(GenericFunction):  # noqa: N801
    inherit_cache = True


# SQLite spells LEAST/GREATEST as the multi-argument scalar min()/max().
@compiles(least, "sqlite")
def _least_sqlite(element, compiler, **kw):
    return f"min({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    return f"max({compiler.process(element.clauses, **kw)})"


def _user_fk(**kwargs):
    return mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), **kwargs)


class ContactLink(db.Model):
    """One direction of a contact link; accepting a request writes both directions."""

    __tablename__ = "contact_links"
    __table_args__ = (sa.Index("ix_contact_links_contact_id", "contact_id"),)

    user_id: Mapped[uuid.UUID] = _user_fk(primary_key=True)
    contact_id: Mapped[uuid.UUID] = _user_fk(primary_key=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContactRequest(db.Model):
    """A pending request; at most one per pair of users, whichever way it points."""

    __tablename__ = "contact_requests"
    __table_args__ = (
        sa.Index("ix_contact_requests_recipient_id", "recipient_id"),
        # Two users requesting each other at the same moment: one insert wins.
        sa.Index(
            "uq_contact_requests_pair",
            least(sa.column("sender_id"), sa.column("recipient_id")),
            greatest(sa.column("sender_id"), sa.column("recipient_id")),
            unique=True,
        ),
    )

    sender_id: Mapped[uuid.UUID] = _user_fk(primary_key=True)
    recipient_id: Mapped[uuid.UUID] = _user_fk(primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class Block(db.Model):
    __tablename__ = "blocks"
    __table_args__ = (sa.Index("ix_blocks_blocked_id", "blocked_id"),)

    blocker_id: Mapped[uuid.UUID] = _user_fk(primary_key=True)
    blocked_id: Mapped[uuid.UUID] = _user_fk(primary_key=True)
    blocked_at: Mapped[datetime] = mapped_column(default=utcnow)


class Suggestion(db.Model):
    """A user suggested to `user_id`; a hidden one (`hidden_at`) is never suggested again."""

    __tablename__ = "suggestions"
    __table_args__ = (sa.Index("ix_suggestions_suggested_id", "suggested_id"),)

    user_id: Mapped[uuid.UUID] = _user_fk(primary_key=True)
    suggested_id: Mapped[uuid.UUID] = _user_fk(primary_key=True)
    suggested_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[datetime | None]
    mutual_count: Mapped[int] = mapped_column(default=0)


class SuggestionRefresh(db.Model):
    """When `user_id`'s suggestions were last computed (they are recomputed after an hour),
    and the digest of what they were computed from (`suggestion_inputs`)."""

    __tablename__ = "suggestion_refreshes"

    user_id: Mapped[uuid.UUID] = _user_fk(primary_key=True)
    computed_at: Mapped[datetime]
    inputs: Mapped[str | None] = mapped_column(sa.String(64))


class Invite(db.Model):
    """An unregistered address a user invited; becomes a request when someone claims it."""

    __tablename__ = "invites"
    __table_args__ = (
        sa.UniqueConstraint("inviter_id", "email", name="uq_invites_inviter_email"),
        sa.Index("ix_invites_email", "email"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    inviter_id: Mapped[uuid.UUID] = _user_fk()
    # Normalized and lowercased, so that one address is one invite.
    email: Mapped[str] = mapped_column(sa.String(255))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChangeKind:
    """What changed in `user_id`'s view of the network (`other_id` says about whom)."""

    CONTACT_ADDED = "contact_added"
    CONTACT_REMOVED = "contact_removed"
    REQUEST_SENT = "request_sent"
    REQUEST_SENT_REMOVED = "request_sent_removed"
    REQUEST_RECEIVED = "request_received"
    REQUEST_RECEIVED_REMOVED = "request_received_removed"
    INVITE_SENT = "invite_sent"  # other_id: the invite's id
    INVITE_REMOVED = "invite_removed"
    BLOCK_ADDED = "block_added"
    BLOCK_REMOVED = "block_removed"
    # Written once, for the user whose contact information changed (other_id = user_id);
    # a reader finds its contacts' profile changes by joining `contact_links`.
    PROFILE_UPDATED = "profile_updated"


class NetworkChange(db.Model):
    """The change log for sync, written in the same transaction as each change.

    `at` is that transaction's `changeclock.tick()`: stamps are in commit order, so a
    reader selects `since < at <= synced` (see `sync`). `id` only orders rows.
    """

    __tablename__ = "network_changes"
    __table_args__ = (sa.Index("ix_network_changes_user_id_at", "user_id", "at"),)

    id: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    user_id: Mapped[uuid.UUID] = _user_fk()
    kind: Mapped[str] = mapped_column(sa.String(32))
    other_id: Mapped[uuid.UUID | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class UserIdentifier(db.Model):
    """A profile email (lowercased) or phone (E.164) of a user, for `find`.

    Derived from the users row whenever it changes (see `indexing`); login and
    additional emails are found through their own indexes.
    """

    __tablename__ = "user_identifiers"
    __table_args__ = (sa.Index("ix_user_identifiers_value", "value"),)

    user_id: Mapped[uuid.UUID] = _user_fk(primary_key=True)
    field: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(255))


class UserSearch(db.Model):
    """Names, organization and username, lowercased and stripped of accents, for `search`.

    A trigram index serves substring matches on PostgreSQL.
    """

    __tablename__ = "user_search"
    __table_args__ = (
        sa.Index(
            "ix_user_search_text_trgm", "text",
            postgresql_using="gin", postgresql_ops={"text": "gin_trgm_ops"},
        ),
    )

    user_id: Mapped[uuid.UUID] = _user_fk(primary_key=True)
    # Fields separated by newlines: "full name\norganization\nusername".
    text: Mapped[str] = mapped_column(sa.Text)
