"""One transaction per state change: user-row locks, and a retry when a race is lost."""

import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..database import db

ATTEMPTS = 3

T = TypeVar("T")


def atomically(work: Callable[[], T]) -> T:
    """Run `work` and commit; roll back on any error.

    A unique index that refuses a row means a concurrent transaction got there first:
    the work is run again, and this time sees that transaction's result and answers
    accordingly (`request_received_exists`, `invite_exists`, ...).
    """
    for attempt in range(1, ATTEMPTS + 1):
        try:
            result = work()
            db.session.commit()
            return result
        except IntegrityError:
            db.session.rollback()
            if attempt == ATTEMPTS:
                raise
        except BaseException:
            db.session.rollback()
            raise
    raise AssertionError("unreachable")


def lock_users(ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Lock these users' rows until commit and return the ids that exist.

    Every relationship change locks both users first, always in id order, so changes
    to one pair are serialized (a request racing a block cannot both succeed) and two
    transactions never wait on each other in a cycle. `FOR NO KEY UPDATE` leaves
    foreign-key checks (`FOR KEY SHARE`) unblocked. SQLite, which has a single writer,
    ignores the clause.
    """
    ids = sorted(set(ids))
    if not ids:
        return set()
    statement = (
        sa.select(User.id).where(User.id.in_(ids)).order_by(User.id)
        .with_for_update(key_share=True)
    )
    return set(db.session.scalars(statement))
