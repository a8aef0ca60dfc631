"""Suggestions: people the viewer may know, most mutual contacts first.

Candidates are (a) contacts of the viewer's contacts, ranked by how many contacts
they share with the viewer, and (b) users owning an email address or phone number of
one of the viewer's address-book cards (ranked after, with no mutual contacts unless
they are also (a)). Never the viewer, a contact, a user with a pending request either
way, a block either way, a suggestion the viewer hid, or, while email verification is
required, an unverified account.

All of that is one SQL statement (`candidates`): a self-join of `contact_links`
grouped and counted, united with the address-book matches, minus the viewer's
exclusions as one hashed set. The result is stored (the best `MAX_SUGGESTIONS`), with
the time each user was first suggested, and recomputed on `POST suggestions` unless
nothing it is computed from has changed since (`suggestion_inputs`), and on `GET` once
it is older than `MAX_AGE`. Relationship changes delete the active suggestions they
invalidate (`relations.Writes.unsuggest`); hidden ones stay, so a hidden user is never
suggested again until restored.
"""

import functools
import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import aliased

from ..accounts.models import User
from ..database import db, utcnow
from ..http import Forbidden, NotFound, Page, PageRequest
from ..http.caching import invalidate_user
from . import suggestion_inputs
from .discovery import discoverable
from .models import Block, ContactLink, ContactRequest, Suggestion, SuggestionRefresh
from .transactions import atomically, lock_users
from .viewing import UserView, view_user, view_users

MAX_AGE = timedelta(hours=1)
MAX_SUGGESTIONS = 1000


def _excluded(viewer_id: uuid.UUID) -> sa.CompoundSelect:
    """Users never suggested to the viewer: linked either way, or hidden."""
    return sa.union_all(
        sa.select(ContactLink.contact_id).where(ContactLink.user_id == viewer_id),
        sa.select(ContactRequest.recipient_id).where(ContactRequest.sender_id == viewer_id),
        sa.select(ContactRequest.sender_id).where(ContactRequest.recipient_id == viewer_id),
        sa.select(Block.blocked_id).where(Block.blocker_id == viewer_id),
        sa.select(Block.blocker_id).where(Block.blocked_id == viewer_id),
        sa.select(Suggestion.suggested_id).where(Suggestion.user_id == viewer_id,
                                                 Suggestion.hidden_at.is_not(None)),
    )


_VIEWER = sa.bindparam("viewer_id", type_=sa.Uuid())
_ONLY = sa.bindparam("only_id", type_=sa.Uuid())


def candidates(viewer_id: uuid.UUID, only: uuid.UUID | None = None) -> sa.Result:
    """`(user id, mutual contacts count)` of the viewer's candidates (or of `only`), best
    first."""
    statement = _candidates(current_app.config["EMAIL_VERIFICATION_REQUIRED"], only is not None)
    return db.session.execute(
        statement, {"viewer_id": viewer_id, **({"only_id": only} if only else {})})


@functools.cache
def _candidates(verification_required: bool, one: bool) -> sa.Select:
    """The statement, built once per case with the users bound when it runs.

    Building it and deriving its cache key for every request cost more CPU than reading
    its thousand rows. `verification_required` only keys the cache: `discoverable`
    reads that setting itself.
    """
    viewer_id, only = _VIEWER, _ONLY
    mine, theirs = aliased(ContactLink), aliased(ContactLink)
    friends_of_friends = (
        sa.select(theirs.contact_id.label("user_id"), sa.func.count().label("mutual"))
        .select_from(mine).join(theirs, theirs.user_id == mine.contact_id)
        .where(mine.user_id == viewer_id, *([theirs.contact_id == only] if one else []))
        .group_by(theirs.contact_id)
    )
    address_book = sa.select(
        suggestion_inputs.address_book_owners(viewer_id).subquery().c[0].label("user_id"),
        sa.literal(0).label("mutual"),
    )
    found = sa.union_all(friends_of_friends, address_book).subquery()
    ranked = (
        sa.select(found.c.user_id, sa.func.max(found.c.mutual).label("mutual"))
        .where(found.c.user_id != viewer_id, found.c.user_id.not_in(_excluded(viewer_id)))
        .group_by(found.c.user_id).subquery()
    )
    # The best candidates are cut on the ranking alone (ties by id: which of equally
    # ranked candidates make the cut is arbitrary), so the users table is read, for
    # `discoverable`, only for those, not for every contact of a contact. The margin
    # leaves room for the accounts that condition drops.
    best = (
        sa.select(ranked).order_by(ranked.c.mutual.desc(), ranked.c.user_id)
        .limit(MAX_SUGGESTIONS * 2).subquery()
    )
    return (
        sa.select(best.c.user_id, best.c.mutual)
        .join(User, User.id == best.c.user_id)
        .where(*discoverable(viewer_id), *([User.id == only] if one else []))
        .order_by(best.c.mutual.desc(), best.c.user_id)
        .limit(MAX_SUGGESTIONS)
    )


def _is_stale(viewer_id: uuid.UUID) -> bool:
    computed_at = db.session.scalar(
        sa.select(SuggestionRefresh.computed_at).where(SuggestionRefresh.user_id == viewer_id))
    return computed_at is None or computed_at <= utcnow() - MAX_AGE


def refresh(viewer_id: uuid.UUID, *, only_if_stale: bool = False) -> None:
    """Recompute and store the viewer's suggestions (one transaction).

    A user still suggested keeps the time they were first suggested; hidden
    suggestions are left alone.
    """

    def work():
        # Serialized with the viewer's relationship changes, which delete suggestions.
        if not lock_users({viewer_id}) or (only_if_stale and not _is_stale(viewer_id)):
            return
        now = utcnow()
        inputs, _ = suggestion_inputs.read(viewer_id)  # before the candidates (see there)
        found = dict(candidates(viewer_id).all())
        stored = dict(db.session.execute(
            sa.select(Suggestion.suggested_id, Suggestion.mutual_count)
            .where(Suggestion.user_id == viewer_id, Suggestion.hidden_at.is_(None))).all())
        # Only the difference is written: a recompute usually changes little.
        gone = stored.keys() - found.keys()
        if gone:
            db.session.execute(sa.delete(Suggestion).where(
                Suggestion.user_id == viewer_id, Suggestion.suggested_id.in_(gone)))
        recounted = [{"user_id": viewer_id, "suggested_id": user_id, "mutual_count": mutual}
                     for user_id, mutual in found.items()
                     if user_id in stored and stored[user_id] != mutual]
        if recounted:
            db.session.execute(sa.update(Suggestion), recounted)
        new = [{"user_id": viewer_id, "suggested_id": user_id, "mutual_count": mutual,
                "suggested_at": now} for user_id, mutual in found.items() if user_id not in stored]
        if new:
            db.session.execute(sa.insert(Suggestion), new)
        # One statement once the viewer has a row (a merge reads it first).
        stamped = db.session.execute(
            sa.update(SuggestionRefresh).where(SuggestionRefresh.user_id == viewer_id)
            .values(computed_at=now, inputs=inputs)).rowcount
        if not stamped:
            db.session.add(SuggestionRefresh(user_id=viewer_id, computed_at=now, inputs=inputs))

    atomically(work)
    invalidate_user(viewer_id)


def _page(viewer_id: uuid.UUID, page: PageRequest) -> Page:
    """Active suggestions, most mutual contacts first, then by name.

    The name order needs the users' rows, yet only the suggestions ranked down to the
    page's last one can be on it: those whose count is at least the count found at that
    position. Joining the users for all of them (1000 of them for the last page) made
    PostgreSQL scan the whole users table instead.
    """
    active = (Suggestion.user_id == viewer_id, Suggestion.hidden_at.is_(None))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Suggestion).where(*active))
    if page.skip >= total:
        return Page(items=[], total=total)
    last_count = (
        sa.select(Suggestion.mutual_count).where(*active)
        .order_by(Suggestion.mutual_count.desc())
        .offset(page.skip + page.limit - 1).limit(1).scalar_subquery()
    )
    statement = (
        sa.select(User).join(Suggestion, Suggestion.suggested_id == User.id)
        .where(*active, Suggestion.mutual_count >= sa.func.coalesce(last_count, 0))
        .order_by(Suggestion.mutual_count.desc(), sa.func.lower(User.last_name),
                  sa.func.lower(User.first_name), User.id)
        .offset(page.skip).limit(page.limit)
    )
    return Page(items=view_users(viewer_id, statement), total=total)


def list_suggestions(viewer: User, page: PageRequest) -> Page:
    """`GET suggestions`: the stored list, recomputed first when older than `MAX_AGE`."""
    if _is_stale(viewer.id):
        refresh(viewer.id, only_if_stale=True)
    return _page(viewer.id, page)


def unchanged(viewer_id: uuid.UUID) -> bool:
    """Whether nothing the viewer's stored suggestions were computed from has changed.

    One read-only statement that takes no lock, so repeated calls do not queue behind
    each other on the viewer's row.
    """
    current, stored = suggestion_inputs.read(viewer_id)
    return current == stored


def recompute(viewer: User, page: PageRequest) -> Page:
    """`POST suggestions` without `id`: recompute now, unless nothing it reads has changed."""
    if not unchanged(viewer.id):
        refresh(viewer.id)
    return _page(viewer.id, page)


def restore(viewer: User, user_id: uuid.UUID, page: PageRequest) -> Page:
    """`POST suggestions id=X`: lift the viewer's hide of X, then answer the list.

    X becomes an active suggestion at once if X is a candidate now; otherwise the hide
    is simply gone and a later recompute may suggest X. `suggestion_exists` when X is
    already suggested, `not_found` when X is no user.
    """
    viewer_id = viewer.id

    def work():
        if user_id == viewer_id:
            raise Forbidden("why_me", viewer_id.hex)
        if user_id not in lock_users({viewer_id, user_id}):
            raise NotFound(user_id.hex)
        row = db.session.get(Suggestion, (viewer_id, user_id), populate_existing=True)
        if row is not None and row.hidden_at is None:
            raise Forbidden("suggestion_exists", user_id.hex)
        if row is not None:
            db.session.delete(row)
            db.session.flush()
        suggestion_inputs.forget(viewer_id)
        found = candidates(viewer_id, only=user_id).first()
        if found is not None:
            db.session.add(Suggestion(user_id=viewer_id, suggested_id=user_id,
                                      mutual_count=found.mutual, suggested_at=utcnow()))

    atomically(work)
    invalidate_user(viewer_id)
    return list_suggestions(viewer, page)


def hide(viewer: User, user_id: uuid.UUID) -> UserView:
    """`DELETE suggestions/X`: X is no longer suggested, now or after any recompute."""
    viewer_id = viewer.id

    def work():
        lock_users({viewer_id})
        hidden = db.session.execute(
            sa.update(Suggestion)
            .where(Suggestion.user_id == viewer_id, Suggestion.suggested_id == user_id,
                   Suggestion.hidden_at.is_(None))
            .values(hidden_at=utcnow())
        ).rowcount
        if not hidden:
            raise NotFound(user_id.hex)
        suggestion_inputs.forget(viewer_id)

    atomically(work)
    invalidate_user(viewer_id)
    return view_user(viewer_id, user_id)
