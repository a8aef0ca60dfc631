"""The account: one row per person, shared by the `/api/` and `/1/` surfaces."""

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Timestamps, UUIDPrimaryKey, db, utcnow

# The `/1/` User object's contact information, in the seed's order. Public fields are
# shown to everyone; protected ones only to the user, contacts and request recipients.
PUBLIC_PROFILE_FIELDS = (
    "organization", "title",
    "home_locality", "home_region", "home_country",
    "work_locality", "work_region", "work_country",
)
PROTECTED_PROFILE_FIELDS = tuple(
    f"{side}_{name}"
    for side in ("home", "work")
    for name in ("email", "mobile", "pin", "phone", "phone_2", "street", "street_2", "postal_code")
)
PROFILE_FIELDS = PUBLIC_PROFILE_FIELDS + PROTECTED_PROFILE_FIELDS


class Role(enum.StrEnum):
    USER = "user"
    ADMIN = "admin"


class User(UUIDPrimaryKey, Timestamps, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # Logins are case-insensitive; the database, not a prior SELECT, decides uniqueness.
        sa.Index("uq_users_username_lower", sa.func.lower(sa.column("username")), unique=True),
        sa.Index("uq_users_email_lower", sa.func.lower(sa.column("email")), unique=True),
    )

    username: Mapped[str] = mapped_column(sa.String(50))
    email: Mapped[str] = mapped_column(sa.String(255))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(
        sa.Enum(Role, native_enum=False, length=16, values_callable=lambda e: [m.value for m in e]),
        default=Role.USER,
    )
    is_verified: Mapped[bool] = mapped_column(default=False)
    avatar: Mapped[str | None] = mapped_column(sa.String(255))
    # Every token carries the generation it was issued in; a password change bumps it, which
    # kills every earlier token exactly (a timestamp would spare tokens of the same second).
    token_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # `updated` of the /1/ User object: the last change of the user's contact information.
    profile_updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    first_name: Mapped[str] = mapped_column(sa.String(50), default="")
    last_name: Mapped[str] = mapped_column(sa.String(50), default="")
    organization: Mapped[str | None] = mapped_column(sa.String(255))
    title: Mapped[str | None] = mapped_column(sa.String(255))
    home_locality: Mapped[str | None] = mapped_column(sa.String(255))
    home_region: Mapped[str | None] = mapped_column(sa.String(255))
    home_country: Mapped[str | None] = mapped_column(sa.String(255))
    work_locality: Mapped[str | None] = mapped_column(sa.String(255))
    work_region: Mapped[str | None] = mapped_column(sa.String(255))
    work_country: Mapped[str | None] = mapped_column(sa.String(255))
    home_email: Mapped[str | None] = mapped_column(sa.String(255))
    home_mobile: Mapped[str | None] = mapped_column(sa.String(64))
    home_pin: Mapped[str | None] = mapped_column(sa.String(64))
    home_phone: Mapped[str | None] = mapped_column(sa.String(64))
    home_phone_2: Mapped[str | None] = mapped_column(sa.String(64))
    home_street: Mapped[str | None] = mapped_column(sa.String(255))
    home_street_2: Mapped[str | None] = mapped_column(sa.String(255))
    home_postal_code: Mapped[str | None] = mapped_column(sa.String(32))
    work_email: Mapped[str | None] = mapped_column(sa.String(255))
    work_mobile: Mapped[str | None] = mapped_column(sa.String(64))
    work_pin: Mapped[str | None] = mapped_column(sa.String(64))
    work_phone: Mapped[str | None] = mapped_column(sa.String(64))
    work_phone_2: Mapped[str | None] = mapped_column(sa.String(64))
    work_street: Mapped[str | None] = mapped_column(sa.String(255))
    work_street_2: Mapped[str | None] = mapped_column(sa.String(255))
    work_postal_code: Mapped[str | None] = mapped_column(sa.String(32))

    extra_emails: Mapped[list["UserEmail"]] = relationship(
        back_populates="user", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class RevokedToken(db.Model):
    """A revoked token id (`jti:<id>`) or token family (`fam:<id>`), kept until it expires.

    Used when no Redis is configured; with Redis the same keys live there instead.
    """

    __tablename__ = "revoked_tokens"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class UserEmail(db.Model):
    """An additional account email (`PUT /1/you add_email=`), unique across all users."""

    __tablename__ = "user_emails"
    __table_args__ = (
        sa.Index("uq_user_emails_email_lower", sa.func.lower(sa.column("email")), unique=True),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(back_populates="extra_emails")
