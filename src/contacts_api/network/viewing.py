"""Users as one viewer sees them: the relationship columns, computed with the list.

Every list of users is two SELECTs whatever its length: the users, each relationship
time a correlated lookup on a primary key; then `mutual_contacts_count` of all of them
in one grouped query. Counted per row, each count joined the viewer's contacts anew
(a page of 100 suggestions for a user with 200 contacts read ~8,000 index pages);
grouped, the viewer's contacts are read once and each listed user's links once.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from ..accounts.models import User
from ..database import db
from ..http import Page, PageRequest
from .models import Block, ContactLink, ContactRequest, Suggestion


@dataclass
class UserView:
    """A user and their relationship to the viewer; what the User serializer renders."""

    user: User
    you: bool = False
    contact_added: datetime | None = None
    request_sent: datetime | None = None
    request_received: datetime | None = None
    suggested: datetime | None = None
    blocked: datetime | None = None
    mutual_contacts_count: int = 0

    @property
    def sees_protected(self) -> bool:
        """Self, a contact, or the recipient of this user's pending request."""
        return self.you or bool(self.contact_added) or bool(self.request_received)


def relationship_columns(viewer_id: uuid.UUID) -> list:
    # Correlated on User only: the listing query may itself join these tables.
    return [
        sa.select(ContactLink.added_at)
        .where(ContactLink.user_id == viewer_id, ContactLink.contact_id == User.id)
        .correlate(User).scalar_subquery(),
        sa.select(ContactRequest.sent_at)
        .where(ContactRequest.sender_id == viewer_id, ContactRequest.recipient_id == User.id)
        .correlate(User).scalar_subquery(),
        sa.select(ContactRequest.sent_at)
        .where(ContactRequest.sender_id == User.id, ContactRequest.recipient_id == viewer_id)
        .correlate(User).scalar_subquery(),
        sa.select(Suggestion.suggested_at)
        .where(Suggestion.user_id == viewer_id, Suggestion.suggested_id == User.id,
               Suggestion.hidden_at.is_(None))
        .correlate(User).scalar_subquery(),
        sa.select(Block.blocked_at)
        .where(Block.blocker_id == viewer_id, Block.blocked_id == User.id)
        .correlate(User).scalar_subquery(),
    ]


def _mutual_counts_statement() -> sa.Select:
    mine, theirs = ContactLink.__table__.alias(), ContactLink.__table__.alias()
    return (
        sa.select(theirs.c.user_id, sa.func.count())
        .join(mine, mine.c.contact_id == theirs.c.contact_id)
        .where(mine.c.user_id == sa.bindparam("viewer_id"),
               theirs.c.user_id.in_(sa.bindparam("ids", expanding=True)))
        .group_by(theirs.c.user_id)
    )


#: Built once: on a page of users, building the statement anew cost as much CPU as the query.
_MUTUAL_COUNTS = _mutual_counts_statement()


def mutual_counts(viewer_id: uuid.UUID, ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many contacts each of these users shares with the viewer (absent: none)."""
    others = [user_id for user_id in ids if user_id != viewer_id]
    if not others:
        return {}
    return dict(db.session.execute(_MUTUAL_COUNTS, {"viewer_id": viewer_id, "ids": others}).all())


def _view(viewer_id, row, mutual: dict) -> UserView:
    user, contact_added, sent, received, suggested, blocked = row
    return UserView(user, user.id == viewer_id, contact_added, sent, received, suggested,
                    blocked, mutual.get(user.id, 0))


def view_users(viewer_id: uuid.UUID, statement: sa.Select) -> list[UserView]:
    """Run a `select(User)` statement, adding the viewer's relationship to each row."""
    rows = db.session.execute(statement.add_columns(*relationship_columns(viewer_id))).all()
    mutual = mutual_counts(viewer_id, [row[0].id for row in rows])
    return [_view(viewer_id, row, mutual) for row in rows]


def view_users_by_id(viewer_id: uuid.UUID, ids) -> dict[uuid.UUID, UserView]:
    ids = list(set(ids))
    if not ids:
        return {}
    views = view_users(viewer_id, sa.select(User).where(User.id.in_(ids)))
    return {view.user.id: view for view in views}


def view_user(viewer_id: uuid.UUID, user_id: uuid.UUID) -> UserView:
    return view_users_by_id(viewer_id, [user_id])[user_id]


def view_page(viewer_id: uuid.UUID, statement: sa.Select, page: PageRequest) -> Page:
    """One page of `statement` (a `select(User)`) as UserViews, with the total count."""
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
    )
    items = view_users(viewer_id, statement.offset(page.skip).limit(page.limit))
    return Page(items=items, total=total or 0)


def by_name(statement: sa.Select) -> sa.Select:
    return statement.order_by(sa.func.lower(User.last_name), sa.func.lower(User.first_name),
                              User.id)
