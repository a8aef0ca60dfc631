"""The engine behind contacts, requests and blocks: one transaction per state change.

A change between the viewer and each target runs in three phases, each one query
whatever the number of targets: lock the users' rows (`lock_users`), load the
viewer's links to all targets (`load_links`), then write every accepted change in
bulk (`Writes.apply`). A rule (`Rule`) decides each target on its own, so a batch
answers item by item exactly as single calls would.
"""

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa

from .. import changeclock
from ..accounts.models import User
from ..accounts.signals import account_deleting
from ..database import db
from ..http import ApiError, Forbidden, NotFound
from ..http.fields import parse_id
from . import changes
from .models import Block, ChangeKind, ContactLink, ContactRequest, Suggestion
from .transactions import atomically, lock_users
from .viewing import UserView, view_user, view_users_by_id


def user_not_found(user_id: uuid.UUID) -> NotFound:
    return NotFound(user_id.hex)


@dataclass
class Links:
    """The viewer's links to a set of users, as sets of those users' ids."""

    contacts: set = field(default_factory=set)
    blocking: set = field(default_factory=set)  # users the viewer blocked
    blocked_by: set = field(default_factory=set)  # users who blocked the viewer
    sent: set = field(default_factory=set)  # pending requests from the viewer
    received: set = field(default_factory=set)  # pending requests to the viewer


def load_links(viewer_id: uuid.UUID, ids: Iterable[uuid.UUID]) -> Links:
    ids = list(ids)
    links = Links()
    if not ids:
        return links

    def kind(name, column, *where):
        return sa.select(sa.literal(name).label("kind"), column.label("other_id")).where(*where)

    statement = sa.union_all(
        kind("contacts", ContactLink.contact_id,
             ContactLink.user_id == viewer_id, ContactLink.contact_id.in_(ids)),
        kind("blocking", Block.blocked_id,
             Block.blocker_id == viewer_id, Block.blocked_id.in_(ids)),
        kind("blocked_by", Block.blocker_id,
             Block.blocked_id == viewer_id, Block.blocker_id.in_(ids)),
        kind("sent", ContactRequest.recipient_id,
             ContactRequest.sender_id == viewer_id, ContactRequest.recipient_id.in_(ids)),
        kind("received", ContactRequest.sender_id,
             ContactRequest.recipient_id == viewer_id, ContactRequest.sender_id.in_(ids)),
    )
    for name, other_id in db.session.execute(statement):
        getattr(links, name).add(other_id)
    return links


def _pairs_clause(columns, pairs):
    return sa.tuple_(*columns).in_(pairs)


@dataclass
class Writes:
    """Rows to delete and insert, collected across a batch and written in bulk.

    `apply` stamps them all with one `changeclock.tick()`: the links' times (`added_at`,
    `sent_at`, `blocked_at`) and the change log rows, so sync can compare either with
    the `synced` it hands out.
    """

    contacts_added: list = field(default_factory=list)
    contacts_removed: list = field(default_factory=list)
    requests_added: list = field(default_factory=list)
    requests_removed: list = field(default_factory=list)
    blocks_added: list = field(default_factory=list)
    unsuggested: list = field(default_factory=list)
    changes: list = field(default_factory=list)

    def connect(self, a, b):
        self.contacts_added += [(a, b), (b, a)]

    def disconnect(self, a, b):
        self.contacts_removed += [(a, b), (b, a)]

    def unsuggest(self, a, b):
        """Active suggestions between a and b end; hidden ones stay hidden."""
        self.unsuggested += [(a, b), (b, a)]

    def note(self, user_id, kind, other_id):
        self.changes.append((user_id, kind, other_id))

    def apply(self) -> None:
        if not self.changes:
            return
        # Last of the transaction's locks: the users involved are already locked.
        at = changeclock.tick()
        session = db.session
        if self.contacts_removed:
            session.execute(sa.delete(ContactLink).where(_pairs_clause(
                (ContactLink.user_id, ContactLink.contact_id), self.contacts_removed)))
        if self.requests_removed:
            session.execute(sa.delete(ContactRequest).where(_pairs_clause(
                (ContactRequest.sender_id, ContactRequest.recipient_id), self.requests_removed)))
        if self.unsuggested:
            session.execute(sa.delete(Suggestion).where(
                _pairs_clause((Suggestion.user_id, Suggestion.suggested_id), self.unsuggested),
                Suggestion.hidden_at.is_(None),
            ))
        if self.contacts_added:
            session.execute(sa.insert(ContactLink), [
                {"user_id": a, "contact_id": b, "added_at": at}
                for a, b in self.contacts_added])
        if self.requests_added:
            session.execute(sa.insert(ContactRequest), [
                {"sender_id": a, "recipient_id": b, "sent_at": at}
                for a, b in self.requests_added])
        if self.blocks_added:
            session.execute(sa.insert(Block), [
                {"blocker_id": a, "blocked_id": b, "blocked_at": at}
                for a, b in self.blocks_added])
        changes.record(self.changes, at)


#: Decides one target: raises the target's ApiError, or records writes and updates links.
Rule = Callable[[uuid.UUID, uuid.UUID, Links, Writes], None]


def apply_rule(viewer_id: uuid.UUID, raw_ids: list, rule: Rule) -> list[UserView | ApiError]:
    """Apply `rule` from the viewer to each of `raw_ids`: one result per input, in order."""
    parsed = [parse_id(raw) for raw in raw_ids]
    targets = {target for target in parsed if target is not None}

    def work():
        writes = Writes()
        existing = lock_users({viewer_id, *targets})
        links = load_links(viewer_id, targets - {viewer_id})
        outcomes = []
        for raw, target in zip(raw_ids, parsed, strict=True):
            try:
                if target is None:
                    raise ApiError(400, "invalid_id", raw)
                if target == viewer_id:
                    raise Forbidden("why_me", viewer_id.hex)
                if target not in existing:
                    raise user_not_found(target)
                rule(viewer_id, target, links, writes)
                outcomes.append(target)
            except ApiError as error:
                outcomes.append(error)
        writes.apply()
        return outcomes

    outcomes = atomically(work)
    views = view_users_by_id(viewer_id, [o for o in outcomes if isinstance(o, uuid.UUID)])
    return [
        views.get(o) or user_not_found(o) if isinstance(o, uuid.UUID) else o for o in outcomes
    ]


def apply_rule_once(viewer_id: uuid.UUID, target_id: uuid.UUID, rule: Rule) -> UserView:
    """`apply_rule` for one target: its User, or its error raised."""
    [outcome] = apply_rule(viewer_id, [target_id], rule)
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome


def remove_link(viewer_id: uuid.UUID, other_id: uuid.UUID, statement: sa.Delete,
                notes: list[tuple]) -> UserView:
    """Delete one link between the two users (`not_found` when there is none)."""

    def work():
        lock_users({viewer_id, other_id})
        if db.session.execute(statement).rowcount == 0:
            raise user_not_found(other_id)
        changes.record(notes, changeclock.tick())

    atomically(work)
    return view_user(viewer_id, other_id)


@account_deleting.connect
def record_lost_links(user: User, **_) -> None:
    """An account is about to go, its links with it: the other users' syncs must say so.

    Runs inside the deleting transaction. Locks the account and everyone linked to it
    first, so the sets read are exact, then records for each of them what they lose: a
    contact, a request they sent or received, or their block of the account.
    """
    lost = (
        (sa.select(ContactLink.contact_id).where(ContactLink.user_id == user.id),
         ChangeKind.CONTACT_REMOVED),
        (sa.select(ContactRequest.sender_id).where(ContactRequest.recipient_id == user.id),
         ChangeKind.REQUEST_SENT_REMOVED),
        (sa.select(ContactRequest.recipient_id).where(ContactRequest.sender_id == user.id),
         ChangeKind.REQUEST_RECEIVED_REMOVED),
        (sa.select(Block.blocker_id).where(Block.blocked_id == user.id),
         ChangeKind.BLOCK_REMOVED),
    )
    statement = sa.union(*(select for select, _ in lost))
    lock_users({user.id, *db.session.scalars(statement)})
    notes = [(other_id, kind, user.id)
             for select, kind in lost for other_id in db.session.scalars(select)]
    if notes:
        changes.record(notes, changeclock.tick())
