"""Finding people: `find` by email or phone, `search` by name, organization or username.

Users who blocked the viewer never appear. While email verification is required,
neither do accounts that have not verified theirs: an address typed into a sign-up
form proves nothing about who owns it.
"""

import uuid

import sqlalchemy as sa
from flask import current_app

from ..accounts.models import User, UserEmail
from ..http import ApiError, Page, PageRequest
from .indexing import fold, phone_e164
from .models import Block, UserIdentifier, UserSearch
from .viewing import UserView, by_name, view_page, view_users

MAX_FIND_VALUES = 1000
MIN_QUERY_LENGTH = 2


def discoverable(viewer_id: uuid.UUID) -> list:
    """Conditions on `User` for users the viewer may discover (find, search, suggestions)."""
    blocked_viewer = sa.exists().where(Block.blocker_id == User.id, Block.blocked_id == viewer_id)
    conditions = [~blocked_viewer]
    if current_app.config["EMAIL_VERIFICATION_REQUIRED"]:
        conditions.append(User.is_verified.is_(True))
    return conditions


def find(viewer: User, emails: list[str], phones: list[str]) -> list[UserView]:
    """Users owning any of these addresses or numbers, in one query."""
    if not emails and not phones:
        raise ApiError(400, "missing_required_argument", "email")
    if len(emails) + len(phones) > MAX_FIND_VALUES:
        raise ApiError(400, "invalid_argument", "email" if len(emails) > MAX_FIND_VALUES
                       else "phone")
    addresses = {email.strip().lower() for email in emails if email.strip()}
    numbers = {phone_e164(phone) for phone in phones} - {None}
    matches = owners_of(list(addresses), list(numbers))
    statement = sa.select(User).where(User.id.in_(matches), *discoverable(viewer.id))
    return view_users(viewer.id, by_name(statement))


def owners_of(addresses, numbers) -> sa.CompoundSelect:
    """Ids of the users owning any of these addresses (lowercased) or E.164 numbers.

    Each may be a list of values or a SELECT of one column. An address matches an
    account's login email, an additional email, or a profile `home_email`/`work_email`;
    a number a profile phone or mobile. Every branch is an index lookup.
    """
    return sa.union(
        sa.select(User.id).where(sa.func.lower(User.email).in_(addresses)),
        sa.select(UserEmail.user_id).where(sa.func.lower(UserEmail.email).in_(addresses)),
        sa.select(UserIdentifier.user_id).where(UserIdentifier.value.in_(addresses)),
        sa.select(UserIdentifier.user_id).where(UserIdentifier.value.in_(numbers)),
    )


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(viewer: User, q: str, page: PageRequest) -> Page:
    """Case- and accent-insensitive substring search, best match first.

    Rank 0: the full name or the username is exactly `q`; rank 1: a word starts
    with `q`; rank 2: `q` appears anywhere. Ties are ordered by name.
    """
    needle = fold(q)
    if len(needle) < MIN_QUERY_LENGTH:
        raise ApiError(400, "invalid_argument", "q")
    term = _like_escape(needle)
    text = UserSearch.text

    def like(pattern):
        return text.like(pattern, escape="\\")

    rank = sa.case(
        (sa.or_(like(f"{term}\n%"), like(f"%\n{term}")), 0),
        (sa.or_(like(f"{term}%"), like(f"% {term}%"), like(f"%\n{term}%")), 1),
        else_=2,
    )
    statement = (
        sa.select(User).join(UserSearch, UserSearch.user_id == User.id)
        .where(like(f"%{term}%"), *discoverable(viewer.id))
        .order_by(rank, sa.func.lower(User.last_name), sa.func.lower(User.first_name), User.id)
    )
    return view_page(viewer.id, statement, page)
