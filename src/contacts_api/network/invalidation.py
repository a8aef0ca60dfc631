"""Cached `/1/` responses end when anything they could embed has changed.

A `/1/` response shows other users: their profiles, mutual contact counts, requests and
blocks. Rather than trace which viewers each write affects, any committed write to a
users or network table renews the network's cache generation (`http.caching`), so the
next `/1/` read of every viewer is fresh. Writes are rare next to reads; correctness
does not depend on any service remembering to invalidate.

Suggestions are the exception: a user's suggestions show only in that user's own
responses, and every user's list is recomputed at least hourly, so `suggestions` ends
only that user's cached reads (`invalidate_user`) instead of everyone's.
"""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from ..accounts.models import User, UserEmail
from ..http.caching import invalidate_network
from . import models

TRACKED_CLASSES = (
    User, UserEmail, models.ContactLink, models.ContactRequest, models.Block, models.Invite,
)
TRACKED_TABLES = frozenset(cls.__table__.name for cls in TRACKED_CLASSES)
_FLAG = "network_changed"


@sa.event.listens_for(Session, "after_flush")
def _note_flushed(session, flush_context):
    if any(isinstance(obj, TRACKED_CLASSES)
           for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info[_FLAG] = True


@sa.event.listens_for(Session, "do_orm_execute")
def _note_bulk_statement(state):
    """Core-style `insert()`/`update()`/`delete()` run through the session bypass flush."""
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None and table.name in TRACKED_TABLES:
            state.session.info[_FLAG] = True


@sa.event.listens_for(Session, "after_commit")
def _renew_after_commit(session):
    if session.info.pop(_FLAG, False):
        invalidate_network()


@sa.event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session):
    session.info.pop(_FLAG, None)


