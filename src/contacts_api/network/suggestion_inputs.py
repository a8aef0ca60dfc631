"""What a user's suggestions are computed from, summed up in one digest.

`POST suggestions` recomputes only when the digest differs from the one stored with the
last computation. It covers every input of `suggestions.candidates`:

- the change log of the viewer and of each of the viewer's contacts (its latest stamp):
  the viewer's own contacts, requests either way and blocks, and the contacts of each
  contact, all write a log row stamped by the change clock, and a later commit always
  carries a later stamp;
- the viewer's cards and tombstones (their latest stamps): the address book's emails
  and phones;
- the users those emails and phones belong to, with their verification (registrations,
  address changes, verifications and deleted accounts all change this set), and the
  users who block the viewer (whose unblocking the log does not show);
- the verification setting.

Hiding and restoring a suggestion forget the stored digest (`forget`). The digest is
read before the candidates, in the same transaction: a change committed in between is
seen by the computation and also changes the next digest, which is only conservative.
Contacts of contacts are not checked for verification: an unverified account cannot
log in to make contacts while verification is required.
"""

import functools
import hashlib
import uuid

import sqlalchemy as sa
from flask import current_app

from ..accounts.models import User
from ..addressbook.models import Contact, ContactTombstone
from ..database import db
from .discovery import owners_of
from .models import Block, ContactLink, NetworkChange, SuggestionRefresh

_VIEWER = sa.bindparam("viewer_id", type_=sa.Uuid())
_STORED = "stored"


def address_book_owners(viewer_id) -> sa.CompoundSelect:
    """Ids of the users owning an email or phone of the viewer's cards."""
    cards = sa.select(Contact.id).where(Contact.owner_id == viewer_id)
    return owners_of(cards.with_only_columns(sa.func.lower(Contact.email)),
                     cards.with_only_columns(Contact.phone).where(Contact.phone.is_not(None)))


def _row(kind: str, value) -> sa.Select:
    return sa.select(sa.literal(kind).label("kind"), sa.cast(value, sa.String).label("value"))


@functools.cache
def _statement() -> sa.CompoundSelect:
    """`(kind, value)` rows of the digest's inputs and the stored digest, built once."""
    watched = sa.union_all(
        sa.select(_VIEWER.label("user_id")),
        sa.select(ContactLink.contact_id).where(ContactLink.user_id == _VIEWER),
    ).subquery()
    # One index descent per watched user, not a scan of their whole history.
    latest = (sa.select(sa.func.max(NetworkChange.at))
              .where(NetworkChange.user_id == watched.c.user_id).scalar_subquery())
    owners = sa.select(User.id, User.is_verified).where(
        User.id.in_(address_book_owners(_VIEWER))).subquery()
    return sa.union_all(
        _row("log", sa.select(sa.func.max(latest)).select_from(watched).scalar_subquery()),
        _row("cards", sa.select(sa.func.max(Contact.updated_at))
             .where(Contact.owner_id == _VIEWER).scalar_subquery()),
        _row("deleted", sa.select(sa.func.max(ContactTombstone.deleted_at))
             .where(ContactTombstone.owner_id == _VIEWER).scalar_subquery()),
        sa.select(sa.literal("owner"), sa.cast(owners.c.id, sa.String)
                  + sa.case((owners.c.is_verified, "+"), else_="-")),
        sa.select(sa.literal("blocker"), sa.cast(Block.blocker_id, sa.String))
        .where(Block.blocked_id == _VIEWER),
        sa.select(sa.literal(_STORED), SuggestionRefresh.inputs)
        .where(SuggestionRefresh.user_id == _VIEWER),
    )


def read(viewer_id: uuid.UUID) -> tuple[str, str | None]:
    """`(current digest, digest stored with the last computation)`."""
    rows = db.session.execute(_statement(), {"viewer_id": viewer_id}).all()
    stored = next((value for kind, value in rows if kind == _STORED), None)
    inputs = sorted((kind, value or "") for kind, value in rows if kind != _STORED)
    inputs.append(("verification", str(current_app.config["EMAIL_VERIFICATION_REQUIRED"])))
    digest = hashlib.sha256(repr(inputs).encode()).hexdigest()
    return digest, stored


def forget(viewer_id: uuid.UUID) -> None:
    """The next `POST suggestions` recomputes (in the caller's transaction)."""
    db.session.execute(sa.update(SuggestionRefresh)
                       .where(SuggestionRefresh.user_id == viewer_id).values(inputs=None))
