"""Contacts: accepting a request links both users; deleting unlinks both sides."""

import uuid

import sqlalchemy as sa

from ..accounts.models import User
from ..http import Forbidden, Page, PageRequest
from .models import ChangeKind, ContactLink
from .relations import Links, Writes, apply_rule, apply_rule_once, remove_link, user_not_found
from .viewing import UserView, by_name, view_page, view_users


def accept(viewer_id: uuid.UUID, sender_id: uuid.UUID, links: Links, writes: Writes) -> None:
    """The rule of `POST contacts`: only a pending request from the sender can be accepted."""
    if sender_id in links.contacts:
        raise Forbidden("contact_exists", sender_id.hex)
    if sender_id in links.blocking:
        raise Forbidden("block_exists", sender_id.hex)
    if sender_id not in links.received:
        raise Forbidden("no_request_received", sender_id.hex)
    links.received.discard(sender_id)
    links.contacts.add(sender_id)
    writes.requests_removed.append((sender_id, viewer_id))
    writes.connect(viewer_id, sender_id)
    writes.unsuggest(viewer_id, sender_id)
    writes.note(viewer_id, ChangeKind.REQUEST_RECEIVED_REMOVED, sender_id)
    writes.note(sender_id, ChangeKind.REQUEST_SENT_REMOVED, viewer_id)
    writes.note(viewer_id, ChangeKind.CONTACT_ADDED, sender_id)
    writes.note(sender_id, ChangeKind.CONTACT_ADDED, viewer_id)


def add_contact(viewer: User, sender_id: uuid.UUID) -> UserView:
    return apply_rule_once(viewer.id, sender_id, accept)


def add_contacts(viewer: User, raw_ids: list) -> list:
    return apply_rule(viewer.id, raw_ids, accept)


def _contacts_of(user_id: uuid.UUID) -> sa.Select:
    return sa.select(User).join(ContactLink, ContactLink.contact_id == User.id).where(
        ContactLink.user_id == user_id
    )


def list_contacts(viewer: User, page: PageRequest) -> Page:
    return view_page(viewer.id, by_name(_contacts_of(viewer.id)), page)


def get_contact(viewer: User, contact_id: uuid.UUID) -> UserView:
    views = view_users(viewer.id, _contacts_of(viewer.id).where(User.id == contact_id))
    if not views:
        raise user_not_found(contact_id)
    return views[0]


def delete_contact(viewer: User, contact_id: uuid.UUID) -> UserView:
    viewer_id = viewer.id
    pairs = [(viewer_id, contact_id), (contact_id, viewer_id)]
    statement = sa.delete(ContactLink).where(
        sa.tuple_(ContactLink.user_id, ContactLink.contact_id).in_(pairs)
    )
    return remove_link(viewer_id, contact_id, statement, [
        (viewer_id, ChangeKind.CONTACT_REMOVED, contact_id),
        (contact_id, ChangeKind.CONTACT_REMOVED, viewer_id),
    ])


