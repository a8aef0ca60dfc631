"""The change clock: stamps whose order is the order in which changes become visible.

`POST /1/sync` hands out `synced`, a server time, and the next call asks for every
change stamped after it. That is only gap-free if no change stamped at or before a
handed-out time can still be uncommitted, and no change committed later can carry an
earlier stamp. A timestamp read at the start of a transaction has neither property.

So every transaction that writes something sync reports (network links, the network
change log, address-book cards and their tombstones) takes its stamp from `tick()`:
an UPDATE of the clock's single row that returns `max(now, previous stamp + 1 µs)`.
The UPDATE locks the row until commit, so stamps are handed out one transaction at a
time, in commit order, and strictly increase even if the wall clock steps back. (On
PostgreSQL the row lock serializes the writers; SQLite has one writer anyway, and the
stamp is read inside the UPDATE, under its write lock.)

Sync reads its watermark with `watermark()`, which takes the same row lock and
commits at once: every transaction stamped at or before the watermark has committed
(it held the row until then), and every later one will be stamped after it.

`tick()` must be the last lock a transaction takes (after user rows, card rows and
unique-index entries it may wait for), so that no transaction holding the clock ever
waits for one that needs it.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .database import autocommit_engine, db, utcnow

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
CLOCK_ID = 1


class ChangeClock(db.Model):
    """One row: the last stamp handed out, in microseconds since the epoch."""

    __tablename__ = "change_clock"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    microseconds: Mapped[int] = mapped_column(sa.BigInteger)


def to_microseconds(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def from_microseconds(value: int) -> datetime:
    return EPOCH + timedelta(microseconds=value)


_CLOCK = ChangeClock.__table__
_STORED = _CLOCK.c.microseconds
_NOW = sa.bindparam("now", type_=sa.BigInteger)


def _advancing(value) -> sa.Update:
    """Set the clock to `value` (an expression of the stored stamp and `now`), returning it.

    A Core statement on the table, built once: built per call as an ORM statement, the same
    UPDATE went through the ORM's bulk-update path and cost a card creation a quarter of its
    CPU (3.4 ms → 2.5 ms measured), bookkeeping that a one-row table never needs.
    """
    return (sa.update(_CLOCK).where(_CLOCK.c.id == CLOCK_ID)
            .values(microseconds=value).returning(_STORED))


_TICK = _advancing(sa.case((_STORED < _NOW, _NOW), else_=_STORED + 1))
_WATERMARK = _advancing(sa.case((_STORED < _NOW, _NOW), else_=_STORED))


def tick() -> datetime:
    """A stamp for this transaction's changes; the clock stays locked until it ends."""
    parameters = {"now": to_microseconds(utcnow())}
    # On the session's connection, in its transaction: a Core statement gains nothing from
    # the session's `execute`, which cost a card creation a sixth of its CPU (measured).
    # The flush is the autoflush `execute` did: the rows written go before the clock.
    db.session.flush()
    connection = db.session.connection()
    stamp = connection.execute(_TICK, parameters).scalar_one_or_none()
    if stamp is None:
        _create()
        stamp = connection.execute(_TICK, parameters).scalar_one()
    return from_microseconds(stamp)


def _create() -> None:
    """The clock's row, on first use (concurrent first uses insert it once)."""
    # Imported here so that a worker on PostgreSQL never loads the SQLite dialect (~0.5 MiB).
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(
        insert(ChangeClock).values(id=CLOCK_ID, microseconds=0)
        .on_conflict_do_nothing(index_elements=["id"])
    )


def watermark() -> datetime:
    """The current time on the change clock, after every change stamped before it.

    One statement on an autocommit connection: it waits for the clock's row lock (held by
    every transaction stamped before it, until it commits) and releases it at once. Run
    in the session instead, the same statement cost two more round trips (BEGIN, COMMIT)
    and the session's transaction machinery: 16 % of a small `POST /1/sync` (py-spy).
    """
    if db.session().in_transaction():
        # What the caller reads next must see every change stamped by the watermark; a
        # transaction begun before it may hold an older snapshot (SQLite's do).
        db.session.commit()
    parameters = {"now": to_microseconds(utcnow())}
    with autocommit_engine().connect() as connection:
        stamp = connection.execute(_WATERMARK, parameters).scalar_one_or_none()
    if stamp is None:
        _create()
        db.session.commit()
        return watermark()
    return from_microseconds(stamp)
