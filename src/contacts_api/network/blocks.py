"""Blocks: blocking clears every link between the two users, both ways."""

import uuid

import sqlalchemy as sa

from ..accounts.models import User
from ..http import Forbidden, Page, PageRequest
from .models import Block, ChangeKind
from .relations import Links, Writes, apply_rule_once, remove_link
from .viewing import UserView, view_page


def block(viewer_id: uuid.UUID, blocked_id: uuid.UUID, links: Links, writes: Writes) -> None:
    """The rule of `POST blocks`."""
    if blocked_id in links.blocking:
        raise Forbidden("block_exists", blocked_id.hex)
    if blocked_id in links.contacts:
        writes.disconnect(viewer_id, blocked_id)
        writes.note(viewer_id, ChangeKind.CONTACT_REMOVED, blocked_id)
        writes.note(blocked_id, ChangeKind.CONTACT_REMOVED, viewer_id)
    for sender_id, recipient_id, pending in ((viewer_id, blocked_id, links.sent),
                                            (blocked_id, viewer_id, links.received)):
        if blocked_id in pending:
            writes.requests_removed.append((sender_id, recipient_id))
            writes.note(sender_id, ChangeKind.REQUEST_SENT_REMOVED, recipient_id)
            writes.note(recipient_id, ChangeKind.REQUEST_RECEIVED_REMOVED, sender_id)
    writes.unsuggest(viewer_id, blocked_id)
    writes.blocks_added.append((viewer_id, blocked_id))
    writes.note(viewer_id, ChangeKind.BLOCK_ADDED, blocked_id)
    links.blocking.add(blocked_id)
    links.contacts.discard(blocked_id)
    links.sent.discard(blocked_id)
    links.received.discard(blocked_id)


def block_user(viewer: User, blocked_id: uuid.UUID) -> UserView:
    return apply_rule_once(viewer.id, blocked_id, block)


def unblock_user(viewer: User, blocked_id: uuid.UUID) -> UserView:
    statement = sa.delete(Block).where(Block.blocker_id == viewer.id,
                                       Block.blocked_id == blocked_id)
    return remove_link(viewer.id, blocked_id, statement,
                       [(viewer.id, ChangeKind.BLOCK_REMOVED, blocked_id)])


def list_blocks(viewer: User, page: PageRequest) -> Page:
    statement = (
        sa.select(User).join(Block, Block.blocked_id == User.id)
        .where(Block.blocker_id == viewer.id)
        .order_by(Block.blocked_at.desc(), User.id)
    )
    return view_page(viewer.id, statement, page)
