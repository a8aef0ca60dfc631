"""The SQLAlchemy base: UUID keys, timezone-aware timestamps, and the paging query."""

import uuid
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry

from .http.pagination import Page, PageRequest


def utcnow() -> datetime:
    return datetime.now(UTC)


_ZERO = timedelta(0)


class UTCDateTime(sa.TypeDecorator):
    """A timezone-aware UTC datetime on every backend.

    PostgreSQL stores `timestamptz`; SQLite keeps no zone, so values are normalised to
    UTC on the way in and marked UTC on the way out. Naive datetimes are refused: they
    are always a bug.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() == _ZERO:
            # The common case (a server in UTC): relabel instead of converting, which costs
            # several microseconds per value and shows up in lists of rows.
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(type_annotation_map={datetime: UTCDateTime, uuid.UUID: sa.Uuid})


class UUIDPrimaryKey:
    """A random UUID4 primary key; sequential ids are never exposed."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


def _created_at(context) -> datetime:
    """A new row's `updated_at` is its `created_at`: one instant, not two clock reads."""
    return context.get_current_parameters().get("created_at") or utcnow()


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=_created_at, onupdate=utcnow)


# Objects keep their values after a commit: a request that writes then renders what it
# wrote would otherwise read every committed row back (and open a new transaction to do it).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})


@sa.event.listens_for(sa.Engine, "connect")
def _enforce_sqlite_foreign_keys(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys (and so `ON DELETE CASCADE`) unless told per connection.

    Recognised by its class's module rather than `isinstance`, which would import sqlite3
    into every worker on PostgreSQL too (1 MiB each, measured).
    """
    if type(dbapi_connection).__module__ == "sqlite3":
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()


def paginate(statement: sa.Select, page: PageRequest) -> Page:
    """One page of `statement`'s rows, with the number of rows matching in all.

    Lists are the hot path of reads, so a page is one statement (the total is a window
    count over the same rows) on an autocommit connection: one round trip, no
    transaction around it, and plain rows rather than ORM objects. It reads committed
    data only: call it in read-only requests.
    """
    counted = statement.add_columns(sa.func.count().over().label("_total"))
    with autocommit_engine().connect() as connection:
        rows = connection.execute(counted.offset(page.skip).limit(page.limit)).all()
        if rows:
            total = rows[0]._total
        elif page.skip:  # past the end: the count needs a query of its own
            total = connection.scalar(
                sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())
            )
        else:
            total = 0
    return Page(items=rows, total=total)


def autocommit_engine() -> sa.Engine:
    """The app's engine (same pool) without transactions: a one-statement read made through
    it costs one round trip, with no BEGIN and ROLLBACK around it."""
    extensions = current_app.extensions
    if "autocommit_engine" not in extensions:
        extensions["autocommit_engine"] = db.engine.execution_options(isolation_level="AUTOCOMMIT")
    return extensions["autocommit_engine"]
