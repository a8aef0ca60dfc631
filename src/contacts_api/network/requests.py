"""Contact requests: send, list, decline (recipient) and cancel (sender)."""

import uuid

import sqlalchemy as sa

from ..accounts.models import User
from ..http import Forbidden, Page, PageRequest
from .models import ChangeKind, ContactRequest
from .relations import Links, Writes, apply_rule, apply_rule_once, remove_link
from .viewing import UserView, view_page


def request(viewer_id: uuid.UUID, recipient_id: uuid.UUID, links: Links, writes: Writes) -> None:
    """The rule of `POST requests`."""
    detail = recipient_id.hex
    if recipient_id in links.blocking:
        raise Forbidden("block_exists", detail)
    if recipient_id in links.blocked_by:
        raise Forbidden("blocked", detail)
    if recipient_id in links.contacts:
        raise Forbidden("contact_exists", detail)
    if recipient_id in links.sent:
        raise Forbidden("request_sent_exists", detail)
    if recipient_id in links.received:
        raise Forbidden("request_received_exists", detail)
    links.sent.add(recipient_id)
    writes.requests_added.append((viewer_id, recipient_id))
    writes.unsuggest(viewer_id, recipient_id)
    writes.note(viewer_id, ChangeKind.REQUEST_SENT, recipient_id)
    writes.note(recipient_id, ChangeKind.REQUEST_RECEIVED, viewer_id)


def send_request(viewer: User, recipient_id: uuid.UUID) -> UserView:
    return apply_rule_once(viewer.id, recipient_id, request)


def send_requests(viewer: User, raw_ids: list) -> list:
    return apply_rule(viewer.id, raw_ids, request)


def list_received(viewer: User, page: PageRequest) -> Page:
    statement = (
        sa.select(User).join(ContactRequest, ContactRequest.sender_id == User.id)
        .where(ContactRequest.recipient_id == viewer.id)
        .order_by(ContactRequest.sent_at.desc(), User.id)
    )
    return view_page(viewer.id, statement, page)


def list_sent(viewer: User, page: PageRequest) -> Page:
    statement = (
        sa.select(User).join(ContactRequest, ContactRequest.recipient_id == User.id)
        .where(ContactRequest.sender_id == viewer.id)
        .order_by(ContactRequest.sent_at.desc(), User.id)
    )
    return view_page(viewer.id, statement, page)


def _withdraw(sender_id: uuid.UUID, recipient_id: uuid.UUID, viewer_id: uuid.UUID) -> UserView:
    statement = sa.delete(ContactRequest).where(
        ContactRequest.sender_id == sender_id, ContactRequest.recipient_id == recipient_id
    )
    other_id = recipient_id if viewer_id == sender_id else sender_id
    return remove_link(viewer_id, other_id, statement, [
        (sender_id, ChangeKind.REQUEST_SENT_REMOVED, recipient_id),
        (recipient_id, ChangeKind.REQUEST_RECEIVED_REMOVED, sender_id),
    ])


def decline(viewer: User, sender_id: uuid.UUID) -> UserView:
    return _withdraw(sender_id, viewer.id, viewer.id)


def cancel(viewer: User, recipient_id: uuid.UUID) -> UserView:
    return _withdraw(viewer.id, recipient_id, viewer.id)
