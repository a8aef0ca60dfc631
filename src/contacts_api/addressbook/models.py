"""Address-book cards, their labels, the tombstones deleted cards leave for sync, and the
secret birthday-feed URLs."""

import uuid
from datetime import date, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

from ..database import Timestamps, UUIDPrimaryKey, db, utcnow


class MonthDay(NamedTuple):
    """A birthday without a year (`--MM-DD`, API.md §5)."""

    month: int
    day: int

    def isoformat(self) -> str:
        return f"--{self.month:02d}-{self.day:02d}"


#: The most `additional_data` may take as compact JSON (API.md §2); imports and merges too.
MAX_ADDITIONAL_DATA_BYTES = 16 * 1024
#: The columns a card's representation reads (not its owner, nor its CardDAV state).
CARD_COLUMNS = ("id", "first_name", "last_name", "email", "phone", "birthday", "birthday_key",
                "additional_data", "labels", "created_at", "updated_at")


def month_day_key(day: date | MonthDay) -> int:
    """A sortable month-day number: 14 March is 314, 29 February is 229."""
    return day.month * 100 + day.day


def birthday_of(card) -> date | MonthDay | None:
    """A card's birthday (an ORM card or a row): the date, or its month and day alone.

    A year-less birthday is stored as `birthday_key` with no `birthday` date, so that
    date filters never match it and upcoming birthdays count it like any other.
    """
    return stored_birthday(card.birthday, card.birthday_key)


def stored_birthday(birthday: date | None, birthday_key: int | None) -> date | MonthDay | None:
    """`birthday_of` from the two stored columns."""
    if birthday is not None:
        return birthday
    if birthday_key is not None:
        return MonthDay(*divmod(birthday_key, 100))
    return None


def _where(condition: str) -> dict:
    clause = sa.text(condition)
    return {"postgresql_where": clause, "sqlite_where": clause}


HAS_UID = _where("uid IS NOT NULL")
HAS_DAV_NAME = _where("dav_name IS NOT NULL")


class Contact(UUIDPrimaryKey, Timestamps, db.Model):
    """One card in one user's address book."""

    __tablename__ = "contacts"
    __table_args__ = (
        # The database decides uniqueness, so concurrent creations cannot both win.
        sa.Index(
            "uq_contacts_owner_email_lower",
            "owner_id",
            sa.func.lower(sa.column("email")),
            unique=True,
        ),
        # The owner's list in its default order (id breaks ties for stable paging).
        sa.Index("ix_contacts_owner_name", "owner_id", "last_name", "first_name", "id"),
        sa.Index("ix_contacts_owner_birthday_key", "owner_id", "birthday_key"),
        # Sync: the owner's cards changed in a window of `updated_at` (a change clock stamp).
        sa.Index("ix_contacts_owner_updated_at", "owner_id", "updated_at"),
        # Import matches re-imported cards by the UID they arrived with.
        # Both are partial indexes: most cards have neither, and a full index on the owner
        # would compete with the owner's list indexes in the planner.
        sa.Index("ix_contacts_owner_uid", "owner_id", "uid", **HAS_UID),
        # CardDAV: a client-chosen resource name is unique in its owner's address book.
        sa.Index("uq_contacts_owner_dav_name", "owner_id", "dav_name", unique=True,
                 **HAS_DAV_NAME),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    first_name: Mapped[str] = mapped_column(sa.String(50))
    last_name: Mapped[str] = mapped_column(sa.String(50))
    # Null only on cards that came from elsewhere (import, CardDAV): API.md §5.
    email: Mapped[str | None] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    birthday: Mapped[date | None] = mapped_column(sa.Date)
    # Kept in step with `birthday` so upcoming birthdays are an index range scan.
    birthday_key: Mapped[int | None] = mapped_column(sa.SmallInteger)
    additional_data: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))
    # The labels as shown, in the card's order; `ContactLabel` rows index them for filtering.
    labels: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    # The UID the card arrived with (vCard import or CardDAV); export writes `urn:uuid:<id>`
    # for cards that have none.
    uid: Mapped[str | None] = mapped_column(sa.String(255))
    # The card's vCard as last received or written: the properties the columns do not map
    # are kept here and written back unchanged (API.md §5 "vCard mapping").
    vcard: Mapped[str | None] = mapped_column(sa.Text)
    # The CardDAV resource name a client chose (`<name>.vcf`); null means `<id>.vcf`.
    dav_name: Mapped[str | None] = mapped_column(sa.String(255))

    @validates("birthday")
    def _keep_birthday_key(self, _key, value: date | MonthDay | None) -> date | None:
        """Assign a date, a `MonthDay` or None; read it back with `birthday_of`."""
        self.birthday_key = month_day_key(value) if value is not None else None
        return None if isinstance(value, MonthDay) else value

    def __repr__(self) -> str:
        return f"<Contact {self.id}>"


#: What a page of cards selects: a card's vCard text (half a kilobyte on a synced card) and
#: the rest of its CardDAV state are never rendered in a list.
CARD_SELECTION = tuple(Contact.__table__.c[name] for name in CARD_COLUMNS)


class ContactLabel(db.Model):
    """One label on one card, case-folded, so that filtering by label is an index lookup."""

    __tablename__ = "contact_labels"
    __table_args__ = (
        sa.Index("ix_contact_labels_owner_folded", "owner_id", "folded", "contact_id"),
    )

    contact_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True
    )
    folded: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))


class ContactTombstone(db.Model):
    """A deleted card: its id, its owner and when it went (a change clock stamp), for sync."""

    __tablename__ = "contact_tombstones"
    __table_args__ = (sa.Index("ix_contact_tombstones_owner_deleted", "owner_id", "deleted_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The card's CardDAV resource name, for `sync-collection` to report its removal.
    dav_name: Mapped[str | None] = mapped_column(sa.String(255))


class CalendarFeed(db.Model):
    """A user's secret birthday-feed URL: only the secret's SHA-256 is stored."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
