"""`POST /1/sync`: everything that changed for the viewer in a window of the change clock.

Every write sync reports is stamped by `changeclock.tick()` in its own transaction,
in commit order: network change-log rows (`network_changes.at`), the links' own times
(`contact_links.added_at`, `contact_requests.sent_at`, `blocks.blocked_at`,
`invites.sent_at`), and address-book cards (`contacts.updated_at`) and tombstones
(`contact_tombstones.deleted_at`).

A call first reads the clock's watermark `W` (`changeclock.watermark()`); every change
stamped at or before `W` has committed by then, every later one is stamped after it.
`synced` is `W` rounded down to the millisecond (the precision of our timestamps), and
the call reports the changes stamped in `(since, synced]`. A client that passes each
`synced` back as the next `since` therefore sees every stamp in exactly one window:
nothing is missed and nothing is reported twice, whatever commits while a call runs.
Changes stamped between `synced` and `W`, or committed after `W` while the call reads,
belong to the next window.

Objects are rendered as they are when read, and an object is reported in the window
in which it reached the state the window ends with: a user in `contacts` had a
contact-added (or, for a contact, a profile) change in the window and is a contact
whose link is stamped at or before `synced`; an id in `removed_contacts` had a
contact-removed change and is not such a contact. `requests_received`,
`requests_sent` and `blocks` follow the same rule, both ways in one list: the User's
`request_received`, `request_sent` or `blocked` property says whether the request or
block now exists. A cancelled invite appears as `{"id"}` alone. Without `since`
everything current is reported (links, invites and cards stamped at or before
`synced`), and the removed lists are empty.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from .. import changeclock
from ..accounts.models import User
from ..addressbook.models import Contact, ContactTombstone
from ..database import autocommit_engine, db
from .invites import InviteView
from .models import Block, ChangeKind, ContactLink, ContactRequest, Invite, NetworkChange
from .viewing import UserView, by_name, view_users


@dataclass(frozen=True)
class Gone:
    """An invite, or a user, that no longer exists: rendered with its id alone."""

    id: uuid.UUID


@dataclass
class AddressBookChanges:
    contacts: list[Contact | sa.Row] = field(default_factory=list)
    deleted: list[uuid.UUID] = field(default_factory=list)


@dataclass
class SyncResult:
    synced: datetime
    contacts: list[UserView] = field(default_factory=list)
    removed_contacts: list[uuid.UUID] = field(default_factory=list)
    requests_received: list[UserView | Gone] = field(default_factory=list)
    requests_sent: list[UserView | Gone] = field(default_factory=list)
    invites: list[InviteView | Gone] = field(default_factory=list)
    blocks: list[UserView | Gone] = field(default_factory=list)
    address_book: AddressBookChanges = field(default_factory=AddressBookChanges)


def floor_to_millisecond(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def sync(viewer_id: uuid.UUID, since: datetime | None) -> SyncResult:
    """The viewer's changes in `(since, synced]`, or everything as of `synced`."""
    synced = floor_to_millisecond(changeclock.watermark())
    if since is None:
        return _everything(viewer_id, synced)
    return _changes(viewer_id, since, synced)


# --- the relationships, each as "user ids linked to the viewer, stamped by `synced`" ------

def _contacts(viewer_id, synced):
    return sa.select(ContactLink.contact_id).where(
        ContactLink.user_id == viewer_id, ContactLink.added_at <= synced)


def _senders(viewer_id, synced):
    return sa.select(ContactRequest.sender_id).where(
        ContactRequest.recipient_id == viewer_id, ContactRequest.sent_at <= synced)


def _recipients(viewer_id, synced):
    return sa.select(ContactRequest.recipient_id).where(
        ContactRequest.sender_id == viewer_id, ContactRequest.sent_at <= synced)


def _blocked(viewer_id, synced):
    return sa.select(Block.blocked_id).where(
        Block.blocker_id == viewer_id, Block.blocked_at <= synced)


def _invites(viewer_id, synced):
    return sa.select(Invite).where(Invite.inviter_id == viewer_id, Invite.sent_at <= synced)


def _users(viewer_id, ids) -> list[UserView]:
    ids = list(ids) if not isinstance(ids, sa.Select) else ids
    if isinstance(ids, list) and not ids:
        return []
    return view_users(viewer_id, by_name(sa.select(User).where(User.id.in_(ids))))


def _came_or_went(viewer_id, ids: set) -> list[UserView | Gone]:
    """The users whose request or block came or went; a deleted account is its id alone."""
    views = _users(viewer_id, ids)
    return views + [Gone(i) for i in sorted(ids - {view.user.id for view in views})]


def _invite_views(statement) -> list[InviteView]:
    invites = db.session.scalars(statement.order_by(Invite.sent_at.desc(), Invite.id))
    return [InviteView(i.id, i.email, i.sent_at) for i in invites]


def _cards(owner_id, *conditions) -> list[Contact]:
    statement = sa.select(Contact).where(Contact.owner_id == owner_id, *conditions).order_by(
        Contact.last_name, Contact.first_name, Contact.id)
    return list(db.session.scalars(statement))


def _everything(viewer_id: uuid.UUID, synced: datetime) -> SyncResult:
    return SyncResult(
        synced=synced,
        contacts=_users(viewer_id, _contacts(viewer_id, synced)),
        requests_received=_users(viewer_id, _senders(viewer_id, synced)),
        requests_sent=_users(viewer_id, _recipients(viewer_id, synced)),
        invites=_invite_views(_invites(viewer_id, synced)),
        blocks=_users(viewer_id, _blocked(viewer_id, synced)),
        address_book=AddressBookChanges(_cards(viewer_id, Contact.updated_at <= synced)),
    )


# --- changes in a window -------------------------------------------------------------------

_VIEWER = sa.bindparam("viewer_id", type_=sa.Uuid())
_SINCE = sa.bindparam("since", type_=NetworkChange.__table__.c.at.type)
_SYNCED = sa.bindparam("synced", type_=NetworkChange.__table__.c.at.type)
#: Marks, in `_WINDOW`, the rows that are not the viewer's own change-log rows.
_PROFILE, _TOMBSTONE = "~profile", "~tombstone"

#: Every id that changed for the viewer in the window, as `(kind, id, at)`: the viewer's
#: change-log rows, their contacts' profile changes (the log holds one row per profile
#: change, for the user who made it) and the cards deleted. One statement, built once: read
#: as four, built per call, they cost a small delta three more round trips and ~0.6 ms CPU.
_WINDOW = sa.union_all(
    sa.select(NetworkChange.kind, NetworkChange.other_id, NetworkChange.at).where(
        NetworkChange.user_id == _VIEWER, NetworkChange.at > _SINCE, NetworkChange.at <= _SYNCED),
    sa.select(sa.literal(_PROFILE), NetworkChange.user_id, NetworkChange.at)
    .join(ContactLink, ContactLink.contact_id == NetworkChange.user_id)
    .where(ContactLink.user_id == _VIEWER, ContactLink.added_at <= _SYNCED,
           NetworkChange.kind == ChangeKind.PROFILE_UPDATED,
           NetworkChange.at > _SINCE, NetworkChange.at <= _SYNCED),
    sa.select(sa.literal(_TOMBSTONE), ContactTombstone.id, ContactTombstone.deleted_at).where(
        ContactTombstone.owner_id == _VIEWER,
        ContactTombstone.deleted_at > _SINCE, ContactTombstone.deleted_at <= _SYNCED),
)
_WINDOW_CARDS = sa.select(Contact.__table__).where(
    Contact.owner_id == _VIEWER, Contact.updated_at > _SINCE, Contact.updated_at <= _SYNCED,
).order_by(Contact.last_name, Contact.first_name, Contact.id)


def _window(viewer_id, since, synced) -> tuple[dict[str, set], list[uuid.UUID], list]:
    """The window's changed ids by kind, deleted card ids (oldest first) and changed cards.

    Two statements on one autocommit connection, read after the watermark's commit: each
    sees every change stamped by `synced`, and neither needs a transaction around it.
    """
    parameters = {"viewer_id": viewer_id, "since": since, "synced": synced}
    with autocommit_engine().connect() as connection:
        rows = connection.execute(_WINDOW, parameters).all()
        cards = connection.execute(_WINDOW_CARDS, parameters).all()
    kinds: dict[str, set] = {}
    for kind, other_id, _ in rows:
        kinds.setdefault(kind, set()).add(other_id)
    deleted = sorted((at, i) for kind, i, at in rows if kind == _TOMBSTONE)
    return kinds, [i for _, i in deleted], cards


def _settled(appeared: set, vanished: set, linked: Callable[[], sa.Select], column
             ) -> tuple[set, set]:
    """Split the ids that changed into (linked as of `synced`, not linked).

    An id is reported when its state at `synced` is the one a change in the window led
    to; otherwise a later change undid it and the next window reports that one. `linked`
    builds its statement only when something changed: in a small delta, building the
    five of them was about a tenth of the call (py-spy).
    """
    candidates = appeared | vanished
    if not candidates:
        return set(), set()
    present = set(db.session.scalars(linked().where(column.in_(candidates))))
    return appeared & present, vanished - present


def _changes(viewer_id: uuid.UUID, since: datetime, synced: datetime) -> SyncResult:
    log, deleted, cards = _window(viewer_id, since, synced)

    def kind(name):
        return log.get(name, set())

    added, removed = _settled(kind(ChangeKind.CONTACT_ADDED) | kind(_PROFILE),
                              kind(ChangeKind.CONTACT_REMOVED),
                              lambda: _contacts(viewer_id, synced), ContactLink.contact_id)
    received = _settled(kind(ChangeKind.REQUEST_RECEIVED),
                        kind(ChangeKind.REQUEST_RECEIVED_REMOVED),
                        lambda: _senders(viewer_id, synced), ContactRequest.sender_id)
    sent = _settled(kind(ChangeKind.REQUEST_SENT), kind(ChangeKind.REQUEST_SENT_REMOVED),
                    lambda: _recipients(viewer_id, synced), ContactRequest.recipient_id)
    blocks = _settled(kind(ChangeKind.BLOCK_ADDED), kind(ChangeKind.BLOCK_REMOVED),
                      lambda: _blocked(viewer_id, synced), Block.blocked_id)
    invited, uninvited = _settled(
        kind(ChangeKind.INVITE_SENT), kind(ChangeKind.INVITE_REMOVED),
        lambda: _invites(viewer_id, synced).with_only_columns(Invite.id), Invite.id)
    invites = _invite_views(_invites(viewer_id, synced).where(Invite.id.in_(invited))) \
        if invited else []
    return SyncResult(
        synced=synced,
        contacts=_users(viewer_id, added),
        removed_contacts=sorted(removed),
        requests_received=_came_or_went(viewer_id, received[0] | received[1]),
        requests_sent=_came_or_went(viewer_id, sent[0] | sent[1]),
        invites=invites + [Gone(i) for i in sorted(uninvited)],
        blocks=_came_or_went(viewer_id, blocks[0] | blocks[1]),
        address_book=AddressBookChanges(cards, deleted),
    )
