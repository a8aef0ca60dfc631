"""Address-book cards, and the tombstones deleted cards leave for sync."""

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

from ..database import Timestamps, UUIDPrimaryKey, db, utcnow


def month_day_key(day: date) -> int:
    """A sortable month-day number: 14 March is 314, 29 February is 229."""
    return day.month * 100 + day.day


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
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    first_name: Mapped[str] = mapped_column(sa.String(50))
    last_name: Mapped[str] = mapped_column(sa.String(50))
    email: Mapped[str] = mapped_column(sa.String(255))
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    birthday: Mapped[date | None] = mapped_column(sa.Date)
    # Kept in step with `birthday` so upcoming birthdays are an index range scan.
    birthday_key: Mapped[int | None] = mapped_column(sa.SmallInteger)
    additional_data: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON(none_as_null=True))

    @validates("birthday")
    def _keep_birthday_key(self, _key, value: date | None) -> date | None:
        self.birthday_key = month_day_key(value) if value is not None else None
        return value

    def __repr__(self) -> str:
        return f"<Contact {self.id}>"


class ContactTombstone(db.Model):
    """A deleted card: its id, its owner and when it went (a change clock stamp), for sync."""

    __tablename__ = "contact_tombstones"
    __table_args__ = (sa.Index("ix_contact_tombstones_owner_deleted", "owner_id", "deleted_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    deleted_at: Mapped[datetime] = mapped_column(default=utcnow)
