"""Recording network changes for sync, in the transaction that makes them.

Each row is stamped by `changeclock.tick()` taken in that transaction, so the log can
be read by time: `since < at <= synced` (see `sync`).
"""

import uuid
from datetime import datetime

import sqlalchemy as sa

from ..database import db
from .models import NetworkChange


def record(changes: list[tuple[uuid.UUID, str, uuid.UUID | None]], at: datetime) -> None:
    """Append `(user whose view changed, kind, other id)` rows stamped `at` (a clock tick)."""
    if changes:
        db.session.execute(
            sa.insert(NetworkChange),
            [{"user_id": user_id, "kind": kind, "other_id": other_id, "at": at}
             for user_id, kind, other_id in changes],
        )
