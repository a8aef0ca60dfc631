"""Invites to unregistered addresses, and their conversion into requests on sign-up."""

import uuid
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .. import changeclock
from ..accounts.emails import public_url
from ..accounts.models import User, UserEmail
from ..accounts.signals import email_claimed
from ..database import db, utcnow
from ..http import ApiError, Forbidden, NotFound, Page, PageRequest
from ..http.fields import normalize_email
from ..mailer import send_message
from . import changes
from .models import ChangeKind, Invite
from .relations import Writes, load_links
from .transactions import atomically, lock_users


@dataclass(frozen=True)
class InviteView:
    id: uuid.UUID
    email: str
    sent_at: datetime


def _registered(keys) -> dict[str, uuid.UUID]:
    """The account owning each of these lowercased addresses (login or additional)."""
    keys = list(keys)
    if not keys:
        return {}
    statement = sa.union_all(
        sa.select(sa.func.lower(User.email), User.id).where(sa.func.lower(User.email).in_(keys)),
        sa.select(sa.func.lower(UserEmail.email), UserEmail.user_id)
        .where(sa.func.lower(UserEmail.email).in_(keys)),
    )
    return {key: user_id for key, user_id in db.session.execute(statement)}


def _email_key(raw) -> str:
    if not isinstance(raw, str) or len(raw) > 255:
        raise ApiError(400, "invalid_email", raw)
    try:
        return normalize_email(raw).lower()
    except ValueError as exc:
        raise ApiError(400, "invalid_email", raw) from exc


def send_invites(inviter: User, raw_emails: list) -> list[InviteView | ApiError]:
    """Invite each address: one result per input, in order; mail goes out after commit."""
    inviter_id = inviter.id
    keys = []
    for raw in raw_emails:
        try:
            keys.append(_email_key(raw))
        except ApiError as error:
            keys.append(error)
    wanted = {key for key in keys if isinstance(key, str)}

    def work():
        owners = _registered(wanted)
        invited = set(db.session.scalars(
            sa.select(Invite.email).where(Invite.inviter_id == inviter_id, Invite.email.in_(wanted))
        )) if wanted else set()
        outcomes, rows = [], []
        for key in keys:
            if isinstance(key, ApiError):
                outcomes.append(key)
            elif owners.get(key) == inviter_id:
                outcomes.append(Forbidden("why_me", inviter_id.hex))
            elif key in owners:
                outcomes.append(Forbidden("user_exists", owners[key].hex))
            elif key in invited:
                outcomes.append(Forbidden("invite_exists", key))
            else:
                invited.add(key)
                rows.append({"id": uuid.uuid4(), "inviter_id": inviter_id, "email": key,
                             "sent_at": utcnow()})
                outcomes.append(len(rows) - 1)
        if not rows:
            return outcomes
        db.session.execute(sa.insert(Invite), rows)
        # Stamped after the insert, which may wait for a concurrent one (changeclock).
        sent = changeclock.tick()
        ids = [row["id"] for row in rows]
        db.session.execute(sa.update(Invite).where(Invite.id.in_(ids)).values(sent_at=sent))
        changes.record([(inviter_id, ChangeKind.INVITE_SENT, invite_id) for invite_id in ids],
                       sent)
        return [InviteView(rows[o]["id"], rows[o]["email"], sent) if isinstance(o, int) else o
                for o in outcomes]

    outcomes = atomically(work)
    for outcome in outcomes:
        if isinstance(outcome, InviteView):
            _send_invitation(inviter, outcome.email)
    return outcomes


def send_invite(inviter: User, email: str) -> InviteView:
    [outcome] = send_invites(inviter, [email])
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome


def _send_invitation(inviter: User, email: str) -> None:
    # Whitespace collapsed: a name never carries a line break into the mail's headers.
    name = " ".join(f"{inviter.first_name} {inviter.last_name}".split()) or inviter.username
    send_message(
        email,
        f"{name} invited you to join their contacts",
        f"Hello,\n\n{name} would like to add you to their contacts.\n\n"
        f"Sign up with this email address ({email}) to accept: create your account with "
        f"POST {public_url('/1/users')} (or through any Atomic Contacts app), and "
        f"{name}'s invitation will be waiting for you as a contact request.\n\n"
        "If you do not know this person, you can ignore this message.\n",
    )


def list_invites(inviter: User, page: PageRequest) -> Page:
    statement = (
        sa.select(Invite).where(Invite.inviter_id == inviter.id)
        .order_by(Invite.sent_at.desc(), Invite.id)
    )
    total = db.session.scalar(sa.select(sa.func.count()).select_from(statement.subquery()))
    invites = db.session.scalars(statement.offset(page.skip).limit(page.limit))
    items = [InviteView(i.id, i.email, i.sent_at) for i in invites]
    return Page(items=items, total=total or 0)


def cancel_invite(inviter: User, invite_id: uuid.UUID) -> InviteView:
    inviter_id = inviter.id

    def work():
        row = db.session.execute(
            sa.delete(Invite).where(Invite.id == invite_id, Invite.inviter_id == inviter_id)
            .returning(Invite.id, Invite.email, Invite.sent_at)
        ).first()
        if row is None:
            raise NotFound(invite_id.hex)
        changes.record([(inviter_id, ChangeKind.INVITE_REMOVED, invite_id)], changeclock.tick())
        return InviteView(*row)

    return atomically(work)


def inviters_of(email: str) -> set[uuid.UUID]:
    statement = sa.select(Invite.inviter_id).where(Invite.email == email.lower())
    return set(db.session.scalars(statement))


@email_claimed.connect
def convert_invites(user: User, email: str, **_) -> None:
    """An account now owns `email`: each invite to it becomes a request to that account.

    Runs inside the claiming transaction (sign-up or `add_email`), which commits it.
    An inviter already linked to the user in any way (contact, request, block) gets
    no request; the invites are gone either way.
    """
    key = email.lower()
    invites = db.session.execute(
        sa.select(Invite.id, Invite.inviter_id).where(Invite.email == key)
    ).all()
    if not invites:
        return
    writes = Writes()
    inviters = {inviter_id for _, inviter_id in invites} - {user.id}
    lock_users({user.id, *inviters})
    links = load_links(user.id, inviters)
    linked = links.contacts | links.blocking | links.blocked_by | links.sent | links.received
    for inviter_id in sorted(inviters - linked):
        writes.requests_added.append((inviter_id, user.id))
        writes.note(inviter_id, ChangeKind.REQUEST_SENT, user.id)
        writes.note(user.id, ChangeKind.REQUEST_RECEIVED, inviter_id)
        writes.unsuggest(inviter_id, user.id)
    for invite_id, inviter_id in invites:
        writes.note(inviter_id, ChangeKind.INVITE_REMOVED, invite_id)
    db.session.execute(sa.delete(Invite).where(Invite.id.in_([i for i, _ in invites])))
    writes.apply()
